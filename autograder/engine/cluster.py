"""Grade a batch on a Dask cluster: the local pool's verdicts, from workers that never touch the course.

`grade --assignment A --scheduler tcp://host:8786` grades on a running cluster (workers started by
dask-jobqueue on SLURM, by dask-kubernetes, or by `dask worker` by hand); `--scheduler local[:N]` on a
`distributed.LocalCluster` of N worker processes on this machine. This process, the client, reads the
notebooks, holds the store's lock and writes every result; a worker needs the kit and nothing else:

- a task is a chunk of submissions sent as bytes (the code cells `batch.collect` read) with the course's
  salt (a `secret.Salt`, whose repr in a worker's log is its fingerprint), and what comes back is data:
  the chunk's verdicts (`SubmissionResult.to_dict`), which the client stores;
- each worker keeps one warm transport (`WarmSandbox`, a worker plugin: the sandbox's zygote starts once
  per worker and stops when the worker closes), shared by every run and assignment it grades, one chunk
  at a time;
- a worker grades only with the client's graders: `SameGraders`, a worker plugin, compares the worker's
  `batch.digest_parts` with the client's and, where they agree, gives the worker a Dask resource named
  after the digest, which every task asks for; a worker whose graders differ is refused and the summary
  says what differs;
- a worker that dies mid-chunk costs nothing: the scheduler runs the chunk again on another worker. A
  chunk that kills `distributed.scheduler.allowed-failures` workers is split, and a notebook that kills
  workers on its own is stored as failed (`batch.worker_died`), as the local pool does.

A run interrupted on the client resumes like the local pool's: what was stored stays, keyed the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from distributed import Client, Future, KilledWorker, LocalCluster, Worker, WorkerPlugin, get_worker, wait
from distributed.core import Status

from autograder.boundary.transport import InProcess, Transport
from autograder.engine import batch, catalog
from autograder.engine.extract import Submission
from autograder.engine.grade import grade as grade_submissions
from autograder.engine.results import SubmissionResult
from autograder.errors import ClusterError, GraderError, KitError
from autograder.messages import Msg

if TYPE_CHECKING:
    from tqdm import tqdm

log = logging.getLogger(__name__)

LOCAL = "local"
RESOURCE_PREFIX = "autograder-graders-"
ADMISSION_SECONDS = 120.0  # how long a run waits for a worker with its graders to join
POLL_SECONDS = 2.0
_ADDRESS = re.compile(r"^([a-z][a-z0-9+.-]*://\S+|[\w.-]+:\d+)$")
_SHOWN_DIFFERENCES = 4


@dataclass(frozen=True)
class Scheduler:
    """Where to grade: a running scheduler's address, or a LocalCluster of `processes` (None: one per core)."""

    address: str | None = None
    processes: int | None = None

    @classmethod
    def parse(cls, text: str) -> Scheduler:
        if text == LOCAL or text.startswith(f"{LOCAL}:"):
            count = text[len(LOCAL) + 1 :]
            if count and not (count.isdigit() and int(count) > 0):
                raise ValueError(
                    f"--scheduler {text}: the number of local worker processes must be a positive "
                    f"integer, as in local:4"
                )
            return cls(processes=int(count) if count else None)
        if not _ADDRESS.match(text):
            raise ValueError(
                f"--scheduler {text!r}: give a Dask scheduler's address (tcp://host:8786) or "
                f"local[:N] for N worker processes on this machine"
            )
        return cls(address=text)

    def grade(
        self, job: batch._Job, todo: list[int], run: batch.BatchRun, progress: bool
    ) -> dict[str, SubmissionResult]:
        """`batch.run`'s grading elsewhere (`batch.Elsewhere`): on this cluster."""
        return grade(job, todo, self, run, progress)


# -- what crosses to a worker and back: bytes -----------------------------------------------------------


def encode_chunk(submissions: list[Submission]) -> bytes:
    return json.dumps([asdict(s) for s in submissions], ensure_ascii=False).encode()


def decode_chunk(payload: bytes) -> list[Submission]:
    submissions = []
    for fields in json.loads(payload):
        problem = fields.pop("problem")
        submissions.append(Submission(**fields, problem=Msg(**problem) if problem else None))
    return submissions


def encode_results(results: list[SubmissionResult]) -> bytes:
    return json.dumps([r.to_dict() for r in results], ensure_ascii=False).encode()


def decode_results(payload: bytes) -> list[SubmissionResult]:
    return [SubmissionResult.from_dict(data) for data in json.loads(payload)]


# -- the workers' side ----------------------------------------------------------------------------------


class WarmSandbox(WorkerPlugin):
    """One warm transport per worker, started when the plugin is set up and closed at teardown; a lock
    lets one chunk at a time use it (and pytest, which is not thread-safe), whatever the worker's threads."""

    idempotent = True  # a second run on the same cluster finds it warm

    def __init__(self, transport_factory: Callable[[], Transport] | None) -> None:
        self.transport_factory = transport_factory
        self.name = f"autograder-transport-{batch.transport_label(transport_factory)}"
        self.transport: Transport | None = None
        self.lock: threading.Lock | None = None

    def setup(self, worker: Worker) -> None:
        self.lock = threading.Lock()
        self.transport = self.transport_factory() if self.transport_factory is not None else InProcess()

    async def teardown(self, worker: Worker) -> None:
        close = getattr(self.transport, "close", None)
        if close is not None:
            await asyncio.to_thread(close)  # the zygote takes a moment to stop its children: not in the event loop


class SameGraders(WorkerPlugin):
    """Admits a worker to grade a run only if it grades with the client's graders: then, and only then,
    the worker gets the resource `name`, which every task of the run asks for."""

    idempotent = True

    def __init__(
        self, assignment: str, transport_factory: Callable[[], Transport] | None, parts: dict[str, str]
    ) -> None:
        self.assignment, self.transport_factory, self.parts = assignment, transport_factory, parts
        self.name = RESOURCE_PREFIX + batch.digest_of(parts)
        self.refusal: str | None = None  # why this worker may not grade the run
        self.ready = False

    async def setup(self, worker: Worker) -> None:
        try:
            mine = await worker.loop.run_in_executor(
                None, own_parts, self.assignment, self.transport_factory, self.parts["salt"]
            )  # seconds on a cold worker: not in the loop
            self.refusal = differences(self.parts, mine)
        except Exception as error:  # noqa: BLE001 - a worker that cannot load the graders is refused, with why
            self.refusal = f"it cannot load the graders ({type(error).__name__}: {error})"
        if self.refusal is not None:
            log.error("this worker may not grade %s: %s", self.assignment, self.refusal)
        else:
            await worker.set_resources(**{self.name: 1})
            if worker.status == Status.running:
                # The scheduler looks again at tasks that wait for a worker that can run them when a worker
                # starts running, not when it gains a resource: without this, a run whose every admitted
                # worker died would wait forever for the ones that join.
                worker.status = Status.paused
                worker.status = Status.running
        self.ready = True

    async def teardown(self, worker: Worker) -> None:
        """Unregistered from a worker that goes on running: it no longer takes this run's tasks."""
        if self.refusal is None and self.ready and worker.status in (Status.running, Status.paused):
            await worker.set_resources(**{self.name: 0})


_OWN_PARTS: dict[tuple[str, str], dict[str, str]] = {}


def own_parts(assignment: str, transport_factory: Callable[[], Transport] | None, salt_sha256: str) -> dict[str, str]:
    """This process's digest parts for an assignment, taken once, as its graders are imported: a file
    changed on disk afterwards is not what this process grades with. The salt's part is the client's
    fingerprint: the salt itself comes with each task, never with the plugin."""
    key = (assignment, batch.transport_label(transport_factory))
    if key not in _OWN_PARTS:
        catalog.for_assignment(assignment)
        _OWN_PARTS[key] = batch.digest_parts(assignment, transport_factory)
    return {**_OWN_PARTS[key], "salt": salt_sha256}


def differences(client: dict[str, str], worker: dict[str, str]) -> str | None:
    """What a worker grades with that the client does not, for a TA to read; None when nothing differs."""
    differ = [name for name in sorted(client.keys() | worker.keys()) if client.get(name) != worker.get(name)]
    if not differ:
        return None
    shown = []
    for name in differ[:_SHOWN_DIFFERENCES]:
        if name.endswith(".py"):
            side = "missing there" if name not in worker else "missing here" if name not in client else "differs"
            shown.append(f"autograder/{name} {side}")
        else:
            shown.append(f"{name} {worker.get(name)} there, {client.get(name)} here")
    more = f" and {len(differ) - _SHOWN_DIFFERENCES} more" if len(differ) > _SHOWN_DIFFERENCES else ""
    return (
        f"its graders differ from this run's ({'; '.join(shown)}{more}): install the same kit there, "
        f"then restart the worker"
    )


def grade_chunk(payload: bytes, graders: str, transport: str, salt: str) -> tuple[str, bytes]:
    """A task: grade a chunk of one assignment's submissions with this worker's warm transport."""
    worker = get_worker()
    admitted = worker.plugins.get(graders)
    # the resource should prevent it
    if not isinstance(admitted, SameGraders) or not admitted.ready or admitted.refusal is not None:
        raise ClusterError(f"worker {worker.address} was given a chunk without grading with this run's graders")
    warm = worker.plugins.get(transport)
    # never grade unconfined because a sandbox did not start
    if not isinstance(warm, WarmSandbox) or warm.transport is None or warm.lock is None:
        raise ClusterError(f"worker {worker.address} has no {transport} (see its log)")
    with warm.lock:
        results = grade_submissions(decode_chunk(payload), warm.transport, salt=salt)
    return worker.address, encode_results(results)


def _pin(cpus: dict[str, int], dask_worker: Worker | None = None) -> None:
    """Run on a local worker: a core of its own for all its threads, as the local pool's workers have."""
    assert dask_worker is not None  # Dask passes the worker it runs on
    for thread in os.listdir("/proc/self/task"):
        with contextlib.suppress(ProcessLookupError):  # a thread that ended meanwhile
            os.sched_setaffinity(int(thread), {cpus[dask_worker.address]})


def _admission(graders: str, dask_worker: Worker | None = None) -> tuple[str, str | None]:
    """Run on a worker by the client: whether it may grade ("admitted", "refused" or "starting"), and why not."""
    assert dask_worker is not None  # Dask passes the worker it runs on
    plugin = dask_worker.plugins.get(graders)
    if not isinstance(plugin, SameGraders) or not plugin.ready:
        return "starting", None
    return ("refused", plugin.refusal) if plugin.refusal is not None else ("admitted", None)


# -- the client's side ----------------------------------------------------------------------------------


@contextlib.contextmanager
def connect(scheduler: Scheduler, jobs: int) -> Iterator[tuple[Client, str]]:
    """A client of the cluster and a description of it for the summary; a LocalCluster lives as long."""
    if scheduler.address is None:
        processes = scheduler.processes or batch._worker_count(None, jobs)
        with LocalCluster(n_workers=processes, threads_per_worker=1, processes=True, dashboard_address=None) as local:
            with Client(local) as client:
                workers = sorted(client.scheduler_info()["workers"])
                cpus = dict(zip(workers, batch._worker_cpus(len(workers)), strict=True))
                if None not in cpus.values():
                    client.run(_pin, cpus)  # before the sandboxes start: their zygotes inherit it
                yield client, f"Dask LocalCluster of {processes} processes at {local.scheduler_address}"
        return
    try:
        client = Client(scheduler.address, timeout="30s")
    except (OSError, TimeoutError) as error:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler.address}: {error}") from None
    with client:
        yield client, f"Dask scheduler {scheduler.address}"


def grade(
    job: batch._Job, todo: list[int], scheduler: Scheduler, run: batch.BatchRun, progress: bool
) -> dict[str, SubmissionResult]:
    """Grade the submissions `todo` (indexes into `job.submissions`) on the cluster, store every result
    as it comes back, and fill in `run`'s cluster, workers and refusals."""
    parts = batch.digest_parts(job.assignment, job.transport_factory, job.salt)
    with connect(scheduler, len(todo)) as (client, described):
        run.cluster = described
        warm = WarmSandbox(job.transport_factory)
        admit = SameGraders(job.assignment, job.transport_factory, parts)
        for plugin in (warm, admit):
            try:
                client.register_plugin(plugin)
            except Exception as error:  # noqa: BLE001 - raised for the first worker that failed; the others have it
                log.warning(
                    "a worker could not take the %s plugin (%s: %s); it will be refused",
                    plugin.name,
                    type(error).__name__,
                    error,
                )
        admitted = _await_admission(client, admit.name, run)
        grading = _Grading(client, job, warm.name, admit.name, run)
        bar = batch._progress_bar(len(todo), job.assignment, progress)
        try:
            for chunk in _chunks(todo, admitted):
                grading.submit(chunk)
            grading.finish(bar)
        finally:
            bar.close()
            run.refused.update(_refused(client, admit.name))
    run.workers = len(run.graded_by)
    return grading.stored


def _await_admission(client: Client, graders: str, run: batch.BatchRun) -> int:
    """Wait until some worker may grade; how many may. Refuses to go on when every worker is refused."""
    deadline = time.monotonic() + ADMISSION_SECONDS
    while True:
        states = _admissions(client, graders)
        admitted = [worker for worker, (state, _) in states.items() if state == "admitted"]
        refused = {worker: why or "" for worker, (state, why) in states.items() if state == "refused"}
        if admitted:
            run.refused.update(refused)
            return len(admitted)
        if refused and len(refused) == len(states):
            raise ClusterError(
                "no worker of the cluster grades with this run's graders; refused: "
                + "; ".join(f"{worker}: {why}" for worker, why in sorted(refused.items()))
            )
        if time.monotonic() > deadline:
            raise ClusterError(
                f"no worker joined the cluster in {ADMISSION_SECONDS:.0f} s "
                f"({len(states)} connected, none ready to grade)"
            )
        time.sleep(0.5)


def _admissions(client: Client, graders: str) -> dict[str, tuple[str, str | None]]:
    """Every worker's `_admission`; a worker that cannot even load the kit is refused, with its error."""
    found = client.run(_admission, graders, on_error="return")
    return {
        worker: ("refused", f"it cannot run the kit ({_error_text(state)})")
        if isinstance(state, BaseException)
        else state
        for worker, state in found.items()
    }


def _error_text(error: BaseException) -> str:
    """A worker's error as Dask hands it over (an error that could not be sent back is a plain Exception
    that carries its repr)."""
    return str(error) if type(error) is Exception else f"{type(error).__name__}: {error}"


def _refused(client: Client, graders: str) -> dict[str, str]:
    with contextlib.suppress(Exception):  # the summary's detail: a cluster going down must not hide the results
        return {
            worker: why or "" for worker, (state, why) in _admissions(client, graders).items() if state == "refused"
        }
    return {}


def _chunks(todo: list[int], workers: int) -> list[list[int]]:
    """Chunks that shrink as the end nears, as the local pool hands them out (few pytest sessions, yet
    the workers finish together)."""
    chunks, start = [], 0
    while start < len(todo):
        size = max(1, min(batch.MAX_CHUNK, math.ceil((len(todo) - start) / (2 * workers))))
        chunks.append(todo[start : start + size])
        start += size
    return chunks


class _Grading:
    """The run's tasks on the cluster; every result is stored here, once, as its chunk comes back."""

    def __init__(self, client: Client, job: batch._Job, transport: str, graders: str, run: batch.BatchRun) -> None:
        self.client, self.job, self.transport, self.graders, self.run = client, job, transport, graders, run
        self.pending: dict = {}  # future -> the chunk it grades
        self.stored: dict[str, SubmissionResult] = {}

    def submit(self, chunk: list[int]) -> None:
        payload = encode_chunk([self.job.submissions[i] for i in chunk])
        future = self.client.submit(
            grade_chunk, payload, self.graders, self.transport, self.job.salt, resources={self.graders: 1}, pure=False
        )
        self.pending[future] = chunk

    def finish(self, bar: tqdm) -> None:
        idle_since = time.monotonic()
        while self.pending:
            try:
                done = wait(list(self.pending), timeout=POLL_SECONDS, return_when="FIRST_COMPLETED").done
            except TimeoutError:
                done = set()
            for future in done:
                self.take(future, self.pending.pop(future), bar)
            if done or self._someone_may_grade():
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > ADMISSION_SECONDS:
                raise ClusterError(
                    f"no worker that may grade is left in the cluster (waited "
                    f"{ADMISSION_SECONDS:.0f} s); run the same command again to go on"
                )

    def take(self, future: Future, chunk: list[int], bar: tqdm) -> None:
        try:
            worker, payload = future.result()
        except KilledWorker:
            if len(chunk) > 1:  # each alone now: only the one that kills workers is lost
                for index in chunk:
                    self.submit([index])
                return
            submission = self.job.submissions[chunk[0]]
            self.store(batch.worker_died(submission, self.job.salt), None)
            bar.update(1)
            return
        except KitError:
            raise
        except Exception as error:  # a worker's grading failed: stop the run with the worker's reason
            raise GraderError(f"a worker of the cluster failed: {type(error).__name__}: {error}") from error
        results = decode_results(payload)
        expected = [self.job.submissions[i].student for i in chunk]
        if [r.student for r in results] != expected:
            raise GraderError(f"worker {worker} answered for {[r.student for r in results]}, not {expected}")
        for result in results:
            self.store(result, self.job.keys[result.student])
        self.run.graded_by[worker] = self.run.graded_by.get(worker, 0) + len(results)
        bar.update(len(results))

    def store(self, result: SubmissionResult, key: str | None) -> None:
        if result.student in self.stored:
            raise GraderError(f"{result.student} came back twice from the cluster")
        self.job.store.save(result, key)
        loaded = self.job.store.load(result.student)
        if loaded is None:
            raise GraderError(f"{result.student}'s result could not be read back from {self.job.store.folder}")
        self.stored[result.student] = loaded[1]

    def _someone_may_grade(self) -> bool:
        workers = self.client.scheduler_info(n_workers=-1).get("workers", {})
        return any(w.get("resources", {}).get(self.graders) for w in workers.values())
