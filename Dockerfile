# A Dask worker that grades for the kit on a cluster (README, "Grading on a cluster"): the kit and its pinned
# requirements, nothing of a course. Build it from the same commit the TA grades from: a worker whose graders
# differ from the client's is refused.
#
#   docker build -t pytorch-basic-kit-worker:$(git rev-parse --short HEAD) .
#   docker run pytorch-basic-kit-worker:TAG dask worker tcp://SCHEDULER:8786 --nthreads 1
#
# A site that wants torch's CPU-only wheel passes its index: --build-arg PIP_EXTRA_INDEX_URL=...
FROM python:3.11-slim-bookworm

ARG PIP_EXTRA_INDEX_URL=""
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/pytorch-basic-kit/.venv/bin:$PATH
WORKDIR /opt/pytorch-basic-kit

RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
COPY requirements.txt ./
RUN python -m venv .venv && .venv/bin/python -m pip install -r requirements.txt
COPY pyproject.toml ./
COPY autograder/ autograder/
RUN .venv/bin/python -m pip install --no-deps -e . && python -c "import autograder.engine.cluster"

# The sandbox's zygote and children run as uids from 61000 (autograder.sandbox.session.Limits.uid_base); no user
# needs to exist for them. One thread per worker process: one chunk is graded at a time anyway.
ENTRYPOINT ["tini", "--"]
CMD ["dask", "worker", "--nthreads", "1"]
