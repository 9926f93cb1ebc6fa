"""Grading on a Dask cluster (`--scheduler`): the local pool's verdicts, from workers that may die or differ.

A class of a02_shapes submissions (honest, broken and hostile) is graded by the local pool and on a
LocalCluster, and every stored result must agree. Real `dask scheduler` and `dask worker` processes, each
worker running a copy of the kit, grade through `--scheduler tcp://...` while one of them is killed, or
while a worker whose graders differ asks to join.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import psutil
import pytest

from autograder.engine import batch, cluster, extract, secret
from autograder.engine.cluster import Scheduler
from autograder.messages import Msg
from tests import slow
from tests.engine.test_batch import (
    ASSIGNMENT,
    EXERCISE,
    MUTANT,
    SOLVED,
    build_class,
    copy_kit,
    grade_course,
    result,
    snapshot,
    stored,
    submit,
    with_answer,
)

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ("kill_the_grader", "os_exit", "ctypes_segfault", "eq_always_true")  # each kills or fools its own child
MIXED_CLASS = ("alice", "bob", "carol", "dave", *HOSTILE)
SHARED_SALT = "one salt for every course of the mixed class"  # the same inputs, so the same verdicts


def build_mixed_class(course: Path) -> None:
    """test_batch's class (solution, stub, a mistake, a damaged file) and hostile notebooks of the red team,
    in a course whose salt is SHARED_SALT."""
    build_class(course)
    (course / secret.SALT_FILE).write_text(SHARED_SALT + "\n", encoding="utf-8")
    for name in HOSTILE:
        notebook = (ROOT / "tests" / "redteam" / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8")
        submit(course, name, notebook)


def build_honest_class(course: Path, size: int) -> list[str]:
    students = [f"s{i:02d}" for i in range(size)]
    for index, student in enumerate(students):
        submit(course, student, SOLVED if index % 2 else with_answer(SOLVED, EXERCISE.id, MUTANT.source))
    return students


def without_path(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["path"]
    return data


@pytest.fixture(scope="module")
@slow.fixture
def pool_and_local_cluster(tmp_path_factory):
    """The mixed class graded twice from one copy of the kit: by the local pool, and on `local:2`, in two
    courses that share a salt (the same inputs, so the same verdicts)."""
    kit = copy_kit(tmp_path_factory.mktemp("kit"))
    pool, local = tmp_path_factory.mktemp("pool"), tmp_path_factory.mktemp("local")
    build_mixed_class(pool)
    build_mixed_class(local)
    return SimpleNamespace(
        kit=kit,
        pool=pool,
        local=local,
        pool_done=grade_course(kit, pool, "--workers", "2"),
        local_done=grade_course(kit, local, "--scheduler", "local:2"),
    )


@pytest.mark.slow
def test_a_local_cluster_stores_what_the_local_pool_stores_for_every_submission(pool_and_local_cluster):
    graded = pool_and_local_cluster
    assert sorted(stored(graded.local)) == sorted(stored(graded.pool)) == sorted(MIXED_CLASS)
    for student in MIXED_CLASS:  # scores, checks, messages, flags, isolation layers and the grading key
        assert without_path(stored(graded.local)[student]) == without_path(stored(graded.pool)[student]), student
    alice, bob = result(graded.local, "alice"), result(graded.local, "bob")
    assert alice.score == alice.points > 0 and bob.score == 0
    assert {result(graded.local, s).salt_sha256 for s in MIXED_CLASS} == {secret.fingerprint(SHARED_SALT)}
    assert SHARED_SALT not in graded.local_done.stdout + graded.local_done.stderr
    assert "not valid JSON" in result(graded.local, "dave").problem.en
    assert all(result(graded.local, name).score < alice.score for name in HOSTILE)


@pytest.mark.slow
def test_the_summary_names_the_local_cluster_and_its_workers(pool_and_local_cluster):
    graded = pool_and_local_cluster
    out = graded.local_done.stdout
    assert f"{ASSIGNMENT}: {len(MIXED_CLASS)} submissions, {len(MIXED_CLASS)} graded and 0 unchanged" in out
    cluster_line = next(line for line in out.splitlines() if line.startswith("cluster: "))
    assert cluster_line.startswith("cluster: Dask LocalCluster of 2 processes at tcp://127.0.0.1:")
    workers = cluster_line.split("; workers: ")[1].split(", ")
    assert 1 <= len(workers) <= 2 and all(w.startswith("tcp://127.0.0.1:") for w in workers)
    assert sum(int(w.rsplit("(", 1)[1].rstrip(")")) for w in workers) == len(MIXED_CLASS)

    def the_rest(summary: str) -> list[str]:  # scores, problems, flags, isolation
        return [
            line for line in summary.splitlines() if not line.startswith(("cluster: ", f"{ASSIGNMENT}: ", "results: "))
        ]

    assert the_rest(out) == the_rest(graded.pool_done.stdout)


@pytest.mark.slow
def test_results_stored_by_the_local_pool_are_not_graded_again_on_a_cluster(pool_and_local_cluster, tmp_path):
    course = shutil.copytree(pool_and_local_cluster.pool, tmp_path / "course")
    before = snapshot(course)
    done = grade_course(pool_and_local_cluster.kit, course, "--scheduler", "local:1")
    assert f"{len(MIXED_CLASS)} submissions, 0 graded and {len(MIXED_CLASS)} unchanged" in done.stdout
    assert snapshot(course) == before


# -- a cluster of real `dask scheduler` and `dask worker` processes ------------------------------------


def dask(*arguments: str, kit: Path, log: Path) -> subprocess.Popen:
    """A `dask` command run from a copy of the kit, its output in a log file (read when a test fails).

    A folder without `autograder/` stands for a machine where the kit is not installed: Python starts without
    `site` (`-S`), so the kit's editable install (a finder that `site` loads from a .pth file) is not seen either,
    and only the environment's packages are on the path."""
    without_kit = not (kit / "autograder").is_dir()
    packages = sysconfig.get_path("purelib")
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
        "PYTHONPATH": packages if without_kit else str(kit),
        "LANG": "C.UTF-8",
    }
    python = [sys.executable, "-S"] if without_kit else [sys.executable]
    with open(log, "wb") as output:
        return subprocess.Popen(
            [*python, "-m", "dask", *arguments],
            cwd=kit,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@contextlib.contextmanager
def dask_cluster(folder: Path, kits: list[Path]):
    """A scheduler on localhost and one worker (one thread, no nanny) per kit copy; stopped on exit."""
    scheduler_file = folder / "scheduler.json"
    processes = [
        dask(
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(scheduler_file),
            kit=kits[0],
            log=folder / "scheduler.log",
        )
    ]
    try:
        deadline = time.monotonic() + 120
        while not scheduler_file.is_file() and time.monotonic() < deadline:
            assert processes[0].poll() is None, (folder / "scheduler.log").read_text()
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        workers = [
            dask(
                "worker",
                address,
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
                "--name",
                f"worker{index}",
                kit=kit,
                log=folder / f"worker{index}.log",
            )
            for index, kit in enumerate(kits)
        ]
        processes += workers
        addresses = wait_for_workers(address, workers, folder)
        yield SimpleNamespace(address=address, workers=workers, addresses=addresses)
    finally:
        for process in reversed(processes):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_for_workers(address: str, workers: list[subprocess.Popen], folder: Path) -> dict[int, str]:
    """pid -> address of every worker, once all have joined the scheduler."""
    from distributed import Client

    with Client(address, timeout="60s") as client:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            joined = {pid: worker for worker, pid in client.run(os.getpid).items()}
            if set(joined) >= {w.pid for w in workers}:
                return joined
            for index, worker in enumerate(workers):
                assert worker.poll() is None, (folder / f"worker{index}.log").read_text()[-3000:]
            time.sleep(0.2)
    raise AssertionError("the workers did not join the scheduler")


def executing(address: str) -> dict[str, list[str]]:
    """Worker -> the keys of the tasks it is running now."""
    from distributed import Client

    def running(dask_worker=None):
        return [str(task.key) for task in dask_worker.state.executing]

    with Client(address, timeout="30s") as client:
        return client.run(running)


class StoreWatch(threading.Thread):
    """Every file each student's result was written as (an atomic save is a new inode) while it runs."""

    def __init__(self, folder: Path) -> None:
        super().__init__(daemon=True)
        self.folder, self.seen, self.stopped = folder, {}, threading.Event()
        self.start()

    def run(self) -> None:
        while not self.stopped.is_set():
            with contextlib.suppress(FileNotFoundError):
                for entry in os.scandir(self.folder):
                    if entry.name.endswith(".json") and not entry.name.startswith("."):
                        with contextlib.suppress(FileNotFoundError):
                            self.seen.setdefault(entry.name[:-5], set()).add(entry.inode())
            time.sleep(0.002)

    def stop(self) -> dict[str, set[int]]:
        self.stopped.set()
        self.join()
        return self.seen


@pytest.mark.slow
def test_a_dask_worker_killed_mid_chunk_costs_nothing_and_every_result_is_stored_once(tmp_path):
    kit = copy_kit(tmp_path / "kit")
    course = tmp_path / "course"
    students = build_honest_class(course, 16)
    with dask_cluster(tmp_path, [kit, kit]) as dask_cluster_:
        watch = StoreWatch(course / "graded" / ASSIGNMENT)
        running = grade_course(kit, course, "--scheduler", dask_cluster_.address, wait=False)
        victim, deadline = None, time.monotonic() + 300
        while victim is None and running.poll() is None and time.monotonic() < deadline:
            busy = [
                worker
                for worker, keys in executing(dask_cluster_.address).items()
                if any(key.startswith("grade_chunk") for key in keys)
            ]
            if busy and stored(course):  # grading has begun, and a worker is in the middle of a chunk
                victim = next(p for p, a in dask_cluster_.addresses.items() if a == busy[0])
            else:
                time.sleep(0.05)
        assert victim is not None, "no worker was caught grading"
        left_behind = psutil.Process(victim).children(recursive=True)  # its sandbox: zygote and children
        os.kill(victim, signal.SIGKILL)
        out, err = running.communicate(timeout=600)
        seen = watch.stop()
        survivor = next(a for p, a in dask_cluster_.addresses.items() if p != victim)
        assert all(w.poll() is None for w in dask_cluster_.workers if w.pid != victim)
    assert running.returncode == 0, out + err
    assert f"{len(students)} submissions, {len(students)} graded and 0 unchanged" in out
    assert sorted(stored(course)) == students
    assert {student: len(inodes) for student, inodes in seen.items()} == {s: 1 for s in students}
    for index, student in enumerate(students):
        graded = result(course, student)
        assert not graded.flags and graded.problem is None, student
        assert (graded.score == graded.points) == bool(index % 2), student
    assert survivor in out.split("; workers: ")[1]
    assert not psutil.wait_procs(left_behind, timeout=30)[1], "the killed worker's sandbox outlived it"


@pytest.mark.slow
def test_a_worker_with_other_graders_is_refused_and_hostile_notebooks_do_not_kill_a_worker(
    tmp_path, pool_and_local_cluster
):
    kit = copy_kit(tmp_path / "kit")
    other = copy_kit(tmp_path / "other-kit")
    grader = other / "autograder" / "graders" / f"{EXERCISE.id}.py"
    grader.write_text(grader.read_text(encoding="utf-8") + "\n# changed on one worker only\n", encoding="utf-8")
    no_kit = tmp_path / "no-kit"  # a worker started where the kit is not installed at all
    no_kit.mkdir()
    course = tmp_path / "course"
    build_mixed_class(course)
    with dask_cluster(tmp_path, [kit, kit, other, no_kit]) as dask_cluster_:
        done = grade_course(kit, course, "--scheduler", dask_cluster_.address)
        assert all(w.poll() is None for w in dask_cluster_.workers), "a worker died"
        assert wait_for_workers(dask_cluster_.address, dask_cluster_.workers, tmp_path) == dask_cluster_.addresses
        other_graders, without_kit = (dask_cluster_.addresses[w.pid] for w in dask_cluster_.workers[2:])
    assert (
        f"  refused  {other_graders}: its graders differ from this run's (autograder/graders/{EXERCISE.id}.py "
        f"differs): install the same kit there" in done.stdout
    )
    assert f"  refused  {without_kit}: it cannot run the kit (ModuleNotFoundError" in done.stdout, done.stdout
    assert "No module named 'autograder'" in done.stdout
    graded_by = done.stdout.split("; workers: ")[1].splitlines()[0]
    assert other_graders not in graded_by and without_kit not in graded_by
    for student in MIXED_CLASS:
        assert without_path(stored(course)[student]) == without_path(stored(pool_and_local_cluster.pool)[student])
    logs = [log.read_text(encoding="utf-8", errors="replace") for log in tmp_path.glob("*.log")]
    assert len(logs) == 5 and not [log for log in logs if SHARED_SALT in log]  # it travelled with the tasks


@pytest.mark.slow
def test_every_worker_refused_stops_the_run_with_why_and_writes_nothing(tmp_path):
    kit = copy_kit(tmp_path / "kit")
    other = copy_kit(tmp_path / "other-kit")
    grader = other / "autograder" / "graders" / f"{EXERCISE.id}.py"
    grader.write_text(grader.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    course = tmp_path / "course"
    build_class(course)
    with dask_cluster(tmp_path, [other]) as dask_cluster_:
        done = grade_course(kit, course, "--scheduler", dask_cluster_.address, expect=1)
    assert "no worker of the cluster grades with this run's graders" in done.stderr
    assert f"autograder/graders/{EXERCISE.id}.py differs" in done.stderr
    assert not stored(course)


@pytest.mark.slow
def test_a_cluster_run_killed_on_the_client_resumes_and_leaves_no_worker_behind(tmp_path):
    kit = copy_kit(tmp_path / "kit")
    course = tmp_path / "course"
    students = build_honest_class(course, 12)
    running = grade_course(kit, course, "--scheduler", "local:2", wait=False)
    descendants, deadline = [], time.monotonic() + 300
    while not stored(course) and running.poll() is None and time.monotonic() < deadline:
        descendants = psutil.Process(running.pid).children(recursive=True) or descendants
        time.sleep(0.02)
    os.kill(running.pid, signal.SIGKILL)
    running.communicate()
    assert descendants, "the run started no worker"
    assert not psutil.wait_procs(descendants, timeout=60)[1], "a worker outlived its client"
    finished = snapshot(course)
    assert 0 < len(finished) < len(students), "the kill did not land mid-run"
    done = grade_course(kit, course, "--scheduler", "local:2")
    left = len(students) - len(finished)
    assert f"{len(students)} submissions, {left} graded and {len(finished)} unchanged" in done.stdout
    after = snapshot(course)
    assert sorted(after) == students
    assert {s: after[s] for s in finished} == finished


@pytest.mark.slow
def test_a_notebook_that_kills_every_worker_it_meets_is_flagged_and_the_rest_are_graded(tmp_path):
    """Unsandboxed, a notebook's os._exit ends the Dask worker itself: its chunk is split, and the notebook
    that kills a worker alone is stored as failed, as the local pool does (allowed-failures 0 keeps it short)."""
    kit = copy_kit(tmp_path / "kit")
    course = tmp_path / "course"
    build_class(course)
    submit(course, "erin", with_answer(SOLVED, EXERCISE.id, "import os\nos._exit(3)\n"))
    done = grade_course(
        kit,
        course,
        "--no-sandbox",
        "--scheduler",
        "local:2",
        env={"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"},
    )
    assert f"{ASSIGNMENT}: 5 submissions, 5 graded" in done.stdout
    erin = result(course, "erin")
    assert erin.score == 0 and "crash" in erin.flags and "grading process stopped" in erin.problem.en
    assert json.loads(stored(course)["erin"].read_text())["grading_key"] is None  # tried again next run
    assert result(course, "alice").score == result(course, "alice").points


@pytest.mark.slow
def test_gradebook_on_a_local_cluster_records_the_class_in_nbgraders_gradebook(tmp_path):
    from autograder.classroom import gradebook  # nbgrader is slow to import

    course = tmp_path / "course"
    shutil.copytree(ROOT / "source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nload_subconfig({str(ROOT / 'nbgrader_config.py')!r})\n", encoding="utf-8"
    )
    env = {
        "HOME": str(tmp_path),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "LANG": "C.UTF-8",
        "KIT_LANG": "en",
    }
    generated = subprocess.run(
        ["nbgrader", "generate_assignment", ASSIGNMENT],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert generated.returncode == 0, generated.stderr[-3000:]
    submit(course, "ana", SOLVED)
    submit(course, "bo", with_answer(SOLVED, EXERCISE.id, MUTANT.source))
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "gradebook", ASSIGNMENT, "--scheduler", "local:1"],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    entries = gradebook.read(course, ASSIGNMENT)
    assert {s: e.raw_score for s, e in entries.items()} == {s: result(course, s).score for s in ("ana", "bo")}
    assert entries["ana"].raw_score > entries["bo"].raw_score
    assert (course / "reports" / ASSIGNMENT / "report.html").is_file()


# -- the parts ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("local", Scheduler(processes=None)),
        ("local:3", Scheduler(processes=3)),
        ("tcp://10.1.2.3:8786", Scheduler(address="tcp://10.1.2.3:8786")),
        ("tls://scheduler.example.org:8786", Scheduler(address="tls://scheduler.example.org:8786")),
        ("grading-head:8786", Scheduler(address="grading-head:8786")),
    ],
)
def test_a_scheduler_is_an_address_or_a_local_cluster(text, expected):
    assert Scheduler.parse(text) == expected


@pytest.mark.parametrize("text", ["local:0", "local:two", "local:-1", "tcp://", "somewhere", "a b:1"])
def test_a_malformed_scheduler_is_refused_before_anything_is_read(text, tmp_path):
    build_class(tmp_path)
    done = grade_course(ROOT, tmp_path, "--scheduler", text, expect=2)
    assert f"--scheduler {text}" in done.stderr.replace("'", "")
    assert not (tmp_path / "graded").exists()


@pytest.mark.parametrize(
    "arguments", [["--workers", "2", "--scheduler", "local:2"], ["some.ipynb", "--scheduler", "local:2"]]
)
def test_scheduler_is_refused_beside_options_it_cannot_go_with(arguments):
    command = [sys.executable, "-m", "autograder", "grade", *arguments]
    if "some.ipynb" not in arguments:
        command += ["--assignment", ASSIGNMENT]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}, timeout=120)
    assert done.returncode == 2 and ("not with --scheduler" in done.stderr or "only with" in done.stderr)


def test_a_chunk_crosses_as_bytes_and_comes_back_whole():
    submissions = [
        extract.from_source("def f():\n    return 1\n", "ana", ASSIGNMENT),
        extract.Submission(
            "bo",
            ASSIGNMENT,
            problem=Msg(ko="손상", en="damaged"),
            path="/x/bo.ipynb",
            fingerprint="ab",
            timestamp="2026-03-10 09:00:00 UTC",
            grade_ids=["g"],
        ),
    ]
    payload = cluster.encode_chunk(submissions)
    assert isinstance(payload, bytes)
    assert cluster.decode_chunk(payload) == submissions


def test_chunks_cover_every_submission_once_and_shrink_towards_the_end():
    todo = list(range(500))
    chunks = cluster._chunks(todo, 2)
    assert [i for chunk in chunks for i in chunk] == todo
    sizes = [len(chunk) for chunk in chunks]
    assert max(sizes) == batch.MAX_CHUNK and sizes == sorted(sizes, reverse=True) and sizes[-1] == 1


def test_what_differs_between_two_kits_is_named():
    mine = batch.digest_parts(ASSIGNMENT, batch.default_transport)
    theirs = {**mine, "torch": "2.12.0", f"graders/{EXERCISE.id}.py": "0" * 64}
    del theirs["engine/grade.py"]
    assert cluster.differences(mine, dict(mine)) is None
    said = cluster.differences(mine, theirs)
    assert "autograder/engine/grade.py missing there" in said and f"autograder/graders/{EXERCISE.id}.py differs" in said
    assert f"torch 2.12.0 there, {mine['torch']} here" in said


# -- the README's cluster examples and the worker image ------------------------------------------------


def readme_block(first_line: str) -> str:
    """The README's Python block that begins with `first_line`."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(f"```python\n{first_line}\n") + len("```python\n")
    return text[start : text.index("```", start)]


@pytest.mark.slow
def test_the_readme_slurm_example_writes_a_job_script_whose_worker_joins_and_grades(tmp_path):
    example = readme_block("# slurm_cluster.py: SLURM jobs of one worker each, running the kit's environment.")
    where = 'KIT = "/shared/pytorch-basic-kit"'
    assert where in example
    build_class(tmp_path / "course")
    script = tmp_path / "run_slurm_example.py"
    script.write_text(
        example.replace(where, f"KIT = {str(ROOT)!r}")
        + f"""
import json, os, signal, subprocess
from autograder.engine import batch
from autograder.engine.cluster import Scheduler
job = {str(tmp_path / "job.sh")!r}
open(job, "w").write(cluster.job_script())
worker = subprocess.Popen(["bash", job], start_new_session=True)  # what sbatch would run on a compute node
try:
    run = batch.run({str(tmp_path / "course")!r}, {ASSIGNMENT!r}, scheduler=Scheduler.parse(cluster.scheduler_address))
    print(json.dumps({{"summary": run.summary("en"), "scores": {{r.student: r.score for r in run.results}}}}))
finally:
    os.killpg(worker.pid, signal.SIGTERM)
    worker.wait(60)
    cluster.close()
""",
        encoding="utf-8",
    )
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "LANG": "C.UTF-8",
        "DASK_JOBQUEUE__SLURM__SCHEDULER_OPTIONS": "{'host': '127.0.0.1', 'dashboard_address': None}",
    }
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    job = (tmp_path / "job.sh").read_text()
    assert "#SBATCH -p cpu" in job and "#SBATCH -A course-ta" in job and "--nthreads 1" in job
    assert f"{ROOT}/.venv/bin/python -m distributed.cli.dask_worker tcp://127.0.0.1:" in job
    graded = json.loads(done.stdout.strip().splitlines()[-1])
    assert "cluster: Dask scheduler tcp://127.0.0.1:" in graded["summary"]
    assert (
        graded["scores"]["alice"] > 0
        and graded["scores"]["bob"] == 0
        and sorted(graded["scores"]) == sorted(["alice", "bob", "carol", "dave"])
    )


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined: (INSTRUCTION, arguments)."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    return [tuple(line.split(None, 1)) for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_the_worker_image_copies_files_that_exist_and_installs_the_pinned_requirements():
    instructions = dockerfile()
    copied = [source for kind, arguments in instructions if kind == "COPY" for source in arguments.split()[:-1]]
    assert "requirements.txt" in copied and "autograder/" in copied and "pyproject.toml" in copied
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    for source in copied:
        assert (ROOT / source).exists(), source
        assert f"!{source}" in ignored, f"{source} is left out of the build context"
    runs = " && ".join(arguments for kind, arguments in instructions if kind == "RUN")
    assert "pip install -r requirements.txt" in runs and "pip install --no-deps -e ." in runs
    for name in ("dask", "distributed"):
        assert any(line.startswith(f"{name}==") for line in (ROOT / "requirements.txt").read_text().splitlines())
    base = next(arguments for kind, arguments in instructions if kind == "FROM")
    assert base.startswith(f"python:{sys.version_info.major}.{sys.version_info.minor}-")


def test_the_readme_kubernetes_example_runs_the_images_worker_command():
    example = readme_block("# kube_cluster.py: a DaskCluster of worker pods from the kit's image.")
    compile(example, "kube_cluster.py", "exec")
    command = json.loads(next(arguments for kind, arguments in dockerfile() if kind == "CMD"))
    assert f"worker_command={json.dumps(command)}" in example.replace("'", '"')
    image = example.split('IMAGE = "')[1].split(":")[0]
    assert f"docker build -t {image}:" in (ROOT / "README.md").read_text(encoding="utf-8")
