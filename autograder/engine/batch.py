"""Grade every collected submission of an assignment: in parallel, resumably, one stored result each.

nbgrader collects notebooks into `<course>/submitted/<student>/<assignment>/<assignment>.ipynb` (beside a
`timestamp.txt`). This process reads and fingerprints them, imports torch, pytest and the graders once,
and forks worker processes from itself; each worker opens its own transport (a `Sandbox` by default),
grades the chunks of submissions it is handed in one pytest session (`grade.grade_stream`) and stores
every result as soon as it is decided (`store.ResultStore`). A submission whose stored result was graded
under the same key (notebook fingerprint, grader code, kit and library versions, transport, the course's
salt) is not graded again, so a run that was interrupted, even killed, resumes where it stopped, and a
change to the graders or the salt re-grades.

    results = grade_class("/srv/course", "a02_shapes", workers=2)

With `scheduler=` the same run grades on a Dask cluster instead of forked workers (`cluster`); what is
read, keyed and stored, and by whom, does not change.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import hashlib
import importlib.metadata
import logging
import math
import multiprocessing
import os
import signal
import statistics
import sys
import time
import tomllib
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy
import pandas
import torch

from autograder import kit
from autograder.boundary.transport import Transport
from autograder.engine import catalog, extract, instructor, intake, locate, secret
from autograder.engine.grade import DEFAULT_SALT, PROCESS_FAILURES, GraderError, grade, grade_stream
from autograder.engine.results import SubmissionResult
from autograder.engine.store import ResultStore
from autograder.messages import Msg
from autograder.reports import terminal
from autograder.sandbox import linux

if TYPE_CHECKING:
    from tqdm import tqdm

    from autograder.sandbox.session import Sandbox

log = logging.getLogger(__name__)
KIT_ROOT = kit.ROOT
KIT_DIR = kit.PACKAGE
MAX_CHUNK = 32  # most submissions handed to a worker at once (a worker that dies leaves them to retry one by one)
WORKER_DIED = Msg(
    ko="이 노트북을 채점하던 채점 프로세스가 멈췄습니다. 조교가 확인해야 합니다.",
    en="The grading process stopped while grading this notebook; a TA must look at it.",
)
_PR_SET_PDEATHSIG = 1
TIMESTAMP_FILE = Msg(ko="제출 시각 파일 timestamp.txt", en="The submission time file timestamp.txt")
MAX_TIMESTAMP_BYTES = 4096
_KIT_VERSION = "kit version"
_INSTRUCTOR = "instructor notebooks"
_NOT_FILES = (_KIT_VERSION, "torch", "numpy", "pandas", "transport", "salt", _INSTRUCTOR)  # digested as text


def default_transport() -> Sandbox:
    from autograder.sandbox.session import Sandbox  # each worker starts its own, after the fork

    return Sandbox()


default_transport.name = "sandbox"  # type: ignore[attr-defined]  # its label (`transport_label`)


def collect(
    course: str | Path | locate.Course, assignment: str, reference: instructor.Instructor | None = None
) -> list[extract.Submission]:
    """Every student's submitted notebook of an assignment, by student id, read against the course's
    release and source (`reference`, found in the course when not given); unreadable ones carry a problem."""
    course = locate.course(course)
    reference = reference or instructor.of_course(course.coursedir, assignment)
    return [read_submitted(submitted, assignment, reference) for submitted in course.submissions(assignment)]


def read_submitted(
    submitted: locate.Submitted, assignment: str, reference: instructor.Instructor | None = None
) -> extract.Submission:
    """A submission's notebook and the time nbgrader recorded beside it, each read through `intake`.

    A `timestamp.txt` that is there but refused (a link, a FIFO, too large, not text) refuses the whole
    submission: its lateness cannot be told. A missing one means no time, as for nbgrader."""
    if submitted.refused is not None:
        return extract.Submission(
            submitted.student, assignment, problem=submitted.refused, path=str(submitted.notebook)
        )
    submission = extract.read_notebook(submitted.notebook, submitted.student, assignment, reference)
    timestamp = submitted.folder / locate.TIMESTAMP
    if os.path.lexists(timestamp):
        try:
            submission.timestamp = intake.read_bytes(timestamp, MAX_TIMESTAMP_BYTES, TIMESTAMP_FILE).decode().strip()
        except intake.Refused as refused:
            submission.problem = refused.reason
        except UnicodeDecodeError:
            submission.problem = Msg(
                ko=f"{TIMESTAMP_FILE.ko}: UTF-8 텍스트가 아닙니다.", en=f"{TIMESTAMP_FILE.en} is not UTF-8 text."
            )
        submission.timestamp = submission.timestamp or None
    return submission


def graders_digest(
    assignment: str,
    transport_factory: Callable[[], Transport] | None = None,
    salt: str = DEFAULT_SALT,
    reference: instructor.Instructor | None = None,
) -> str:
    """What a verdict depends on besides the notebook, as one digest: the kit's part (`digest_parts`) and
    the instructor's notebooks the submissions are read against."""
    return digest_of(
        {**digest_parts(assignment, transport_factory, salt), _INSTRUCTOR: reference.digest if reference else ""}
    )


def digest_parts(
    assignment: str, transport_factory: Callable[[], Transport] | None = None, salt: str = DEFAULT_SALT
) -> dict[str, str]:
    """What a verdict depends on in the kit: its code (engine and this assignment's graders, file by
    file), its version, the library versions, the transport and the seed salt (its fingerprint: the parts
    are shown where two machines differ). Kept apart so that two machines whose kits differ can say where
    (`cluster`)."""
    own_graders = {catalog.grader_file(e) for e in catalog.for_assignment(assignment)}
    files = sorted(
        p
        for p in KIT_DIR.rglob("*.py")
        if p.parent != catalog.GRADERS_DIR or p in own_graders or p.name == "__init__.py"
    )
    parts = {str(path.relative_to(KIT_DIR)): hashlib.sha256(path.read_bytes()).hexdigest() for path in files}
    parts.update(
        {
            _KIT_VERSION: _kit_version(),
            "torch": torch.__version__,
            "numpy": numpy.__version__,
            "pandas": pandas.__version__,
            "transport": transport_label(transport_factory),
            "salt": secret.fingerprint(salt),
        }
    )
    return parts


def digest_of(parts: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name, value in parts.items():
        if name in _NOT_FILES:
            digest.update(f"\0{value}".encode())
        else:
            digest.update(f"{name}\0".encode())
            digest.update(bytes.fromhex(value))
    return digest.hexdigest()


def grading_key(submission: extract.Submission, digest: str) -> str:
    """What a stored verdict holds for: the notebook, the student, when it came and why it was refused."""
    problem = submission.problem.en if submission.problem is not None else ""
    return hashlib.sha256(
        f"{submission.fingerprint}\0{submission.student}\0{submission.timestamp}\0{problem}\0{digest}".encode()
    ).hexdigest()


def transport_label(factory: Callable[..., object] | None) -> str:
    """A stable name for a transport factory (a class, a function or a functools.partial of one)."""
    if factory is None:
        return "in-process"
    if isinstance(factory, functools.partial):
        arguments = [*map(repr, factory.args), *(f"{k}={v!r}" for k, v in sorted(factory.keywords.items()))]
        return f"{transport_label(factory.func)}({', '.join(arguments)})"
    return getattr(factory, "name", None) or f"{factory.__module__}.{factory.__qualname__}"


@dataclass
class BatchRun:
    """One run over an assignment: every submission's result and what this run had to do for it."""

    assignment: str
    results: list[SubmissionResult] = field(default_factory=list)  # every submission, by student id
    graded: list[str] = field(default_factory=list)  # students graded by this run
    reused: list[str] = field(default_factory=list)  # students whose stored result was still valid
    workers: int = 0
    seconds: float = 0.0
    store: Path | None = None
    cluster: str = ""  # the Dask cluster that graded, when one did (`cluster`)
    graded_by: dict[str, int] = field(default_factory=dict)  # its workers -> submissions each graded
    refused: dict[str, str] = field(default_factory=dict)  # its workers that were not let grade -> why
    salt: str = ""  # the fingerprint of the salt this run drew inputs with
    resalted: dict[str, str] = field(default_factory=dict)  # students graded again because their stored
    # result's inputs came from another salt -> that salt's fingerprint

    def summary(self, lang: str | None = None) -> str:
        """The batch for the TA: how many, how they scored, who needs a look, how it was isolated."""
        results = self.results
        lines = [
            f"{self.assignment}: {len(results)} submissions, {len(self.graded)} graded and "
            f"{len(self.reused)} unchanged, in {self.seconds:.1f} s with {self.workers} worker(s)"
        ]
        if self.cluster:
            lines.append(
                f"cluster: {self.cluster}; workers: "
                + (", ".join(f"{w} ({n})" for w, n in sorted(self.graded_by.items())) or "none graded")
            )
            lines += [f"  refused  {worker}: {why}" for worker, why in sorted(self.refused.items())]
        if results:
            scores = [r.score for r in results]
            lines.append(
                f"score: mean {statistics.fmean(scores):.2f}, median {statistics.median(scores):g} "
                f"of {max(r.points for r in results):g} points"
            )
        for result in results:
            if result.problem is not None:
                lines.append(
                    f"  problem  {terminal.clean(result.student)}: {terminal.clean(result.problem.text(lang))}"
                )
        for kind in (*PROCESS_FAILURES, *sorted({f for r in results for f in r.flags} - set(PROCESS_FAILURES))):
            flagged = [r.student for r in results if kind in r.flags]
            if flagged:
                lines.append(f"  {kind:<8} {len(flagged)}: {', '.join(map(terminal.clean, flagged))}")
        if self.resalted:
            lines.append(
                f"  {'salt':<8} {len(self.resalted)}: {', '.join(map(terminal.clean, sorted(self.resalted)))} "
                f"(graded before with another salt: {resalt_note(self.resalted, self.salt)})"
            )
        for result in results:
            for finding in result.findings:
                first, *detail = terminal.finding_lines(finding, lang)
                lines += [f"  {terminal.clean(result.student)}: {first}", *(f"    {line}" for line in detail)]
        layer_sets = [r.layers for r in results if r.problem is None]
        if layer_sets:  # only where some student's code ran
            common = [layer for layer in layer_sets[0] if all(layer in s for s in layer_sets)]
            transports = sorted({r.transport for r in results if r.transport})
            isolation = ", ".join(common) if common else "NONE: the students' code ran unconfined"
            lines.append(f"isolation ({', '.join(transports) or 'none'}): {isolation}")
            if any(s != layer_sets[0] for s in layer_sets):
                lines.append("  (the results were graded with different isolation; --force grades them all again)")
        if self.salt:
            lines.append(f"inputs: the course's salt, sha256 {self.salt}")
        if self.store is not None:
            lines.append(f"results: {self.store}/<student>.json")
        return "\n".join(lines)


def grade_now(
    submissions: list[extract.Submission], sandboxed: bool = True, salt: str = DEFAULT_SALT
) -> list[SubmissionResult]:
    """Grade a few submissions in this process, each child in a sandbox (unconfined only for trusted notebooks):
    `grade NOTEBOOK...` (with the public practice salt) and nbgrader's autograde through `KitGrade` (with the
    course's), where a pool of workers would cost more than it saves."""
    if not sandboxed:
        return grade(submissions, salt=salt)
    with default_transport() as transport:
        return grade(submissions, transport, salt=salt)


class Elsewhere(Protocol):
    """Where a run grades instead of the local pool of forked workers: `cluster.Scheduler`, a Dask cluster.
    Callers parse it (`cluster.Scheduler.parse`), so that this module never imports Dask."""

    def grade(self, job: _Job, todo: list[int], run: BatchRun, progress: bool) -> dict[str, SubmissionResult]: ...


def grade_class(
    course: str | Path | locate.Course,
    assignment: str,
    workers: int | None = None,
    force: bool = False,
    transport_factory: Callable[[], Transport] | None = default_transport,
    salt: str | None = None,
    progress: bool = False,
    scheduler: Elsewhere | None = None,
) -> list[SubmissionResult]:
    """Grade what changed since the last run and return every submission's result, by student id."""
    return run(
        course,
        assignment,
        workers=workers,
        force=force,
        transport_factory=transport_factory,
        salt=salt,
        progress=progress,
        scheduler=scheduler,
    ).results


def run(
    course: str | Path | locate.Course | None,
    assignment: str,
    *,
    workers: int | None = None,
    force: bool = False,
    transport_factory: Callable[[], Transport] | None = default_transport,
    salt: str | None = None,
    progress: bool = False,
    scheduler: Elsewhere | None = None,
) -> BatchRun:
    """Grade an assignment's submissions (see the module docstring) in the course `locate.course`
    finds, with inputs drawn from the course's salt (`secret.of_course`, unless `salt` is given);
    `transport_factory=None` runs the notebooks unconfined in the workers, for trusted notebooks only.
    `scheduler` grades elsewhere instead of in forked workers (`cluster.Scheduler`, a Dask cluster).
    Raises `locate.NoSubmissions`, having written nothing, when there is nothing to grade."""
    started = time.perf_counter()
    course = locate.course(course)
    catalog.for_assignment(assignment)  # an unknown assignment fails here, before anything is written
    reference = instructor.of_course(course.coursedir, assignment)
    submissions = collect(course, assignment, reference)
    if not submissions:
        raise locate.no_submissions(course, assignment)
    salt = secret.Salt(salt) if salt is not None else secret.of_course(course.root, course.config)
    store = ResultStore(course.root, assignment)
    digest = graders_digest(assignment, transport_factory, salt, reference)
    keys = [grading_key(s, digest) for s in submissions]
    batch = BatchRun(assignment, store=store.folder, salt=secret.fingerprint(salt))
    with store.lock():
        stored: dict[str, SubmissionResult] = {}
        todo = []
        for index, (submission, key) in enumerate(zip(submissions, keys, strict=True)):
            found = None if force else store.load(submission.student)
            if found is not None and found[0] == key:
                stored[submission.student] = found[1]
            else:
                todo.append(index)
                if found is not None and found[1].salt_sha256 != batch.salt:
                    batch.resalted[submission.student] = found[1].salt_sha256
        if batch.resalted:
            log.warning(
                "%s: %d stored result(s) were graded with another salt (%s); they are graded again "
                "with new inputs, so their scores may change",
                assignment,
                len(batch.resalted),
                resalt_note(batch.resalted, batch.salt),
            )
        batch.reused = sorted(stored)
        if todo:
            job = _Job(
                assignment,
                submissions,
                {s.student: k for s, k in zip(submissions, keys, strict=True)},
                store,
                transport_factory,
                salt,
            )
            if scheduler is None:
                batch.workers = _worker_count(workers, len(todo))
                stored.update(_Pool(job, batch.workers).grade(todo, progress))
            else:
                stored.update(scheduler.grade(job, todo, batch, progress))
            batch.graded = [submissions[i].student for i in todo]
    batch.results = [stored[s.student] for s in submissions]
    batch.seconds = time.perf_counter() - started
    return batch


def resalt_note(resalted: dict[str, str], salt: str) -> str:
    """Which salts the earlier results came from, and the one now in use, by fingerprint."""
    before = ", ".join(sorted({f"sha256 {old}" if old else "a salt not recorded" for old in resalted.values()}))
    return f"{before}; now sha256 {salt}"


def _worker_count(requested: int | None, jobs: int) -> int:
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(requested or available, jobs))


def _kit_version() -> str:
    """The version in the checkout's pyproject.toml, else that of the installed kit (a worker's image)."""
    try:
        return tomllib.loads((KIT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        try:
            return importlib.metadata.version("pytorch-basic-kit")
        except importlib.metadata.PackageNotFoundError:
            return "unknown"


# -- the workers ---------------------------------------------------------------------------------------


@dataclass
class _Job:
    """What every worker inherits through the fork: nothing of it is sent over a pipe."""

    assignment: str
    submissions: list[extract.Submission]
    keys: dict[str, str]  # student -> grading key
    store: ResultStore
    transport_factory: Callable[[], Transport] | None
    salt: str


class _Worker:
    def __init__(self, context: multiprocessing.context.ForkContext, job: _Job, cpu: int | None) -> None:
        self.cpu = cpu
        self.connection, theirs = context.Pipe()
        self.process = context.Process(
            target=_work, args=(theirs, job, os.getpid(), cpu), daemon=True, name="grading worker"
        )
        self.process.start()
        theirs.close()
        self.busy = False  # from sending a chunk until the worker says it is done with it
        self.chunk: list[int] = []  # submissions sent and not yet stored


class _Queue:
    """Submissions waiting for a worker, handed out in chunks that shrink as the end nears (guided
    scheduling: few pytest sessions, yet the workers finish together). Notebooks that were on a worker
    when it died go first, each alone."""

    def __init__(self, todo: list[int], workers: int) -> None:
        self.waiting = deque(todo)
        self.alone: deque[int] = deque()
        self.workers = workers

    def __bool__(self) -> bool:
        return bool(self.waiting or self.alone)

    def take(self) -> list[int]:
        if self.alone:
            return [self.alone.popleft()]
        size = max(1, min(MAX_CHUNK, math.ceil(len(self.waiting) / (2 * self.workers))))
        return [self.waiting.popleft() for _ in range(min(size, len(self.waiting)))]


class _Pool:
    """Forked workers fed chunks of submissions; a worker that dies costs only the notebook it was on."""

    def __init__(self, job: _Job, workers: int) -> None:
        self.job = job
        self.workers = workers
        self.student_index = {s.student: i for i, s in enumerate(job.submissions)}
        self.context = multiprocessing.get_context("fork")

    def grade(self, todo: list[int], progress: bool) -> dict[str, SubmissionResult]:
        pending = _Queue(todo, self.workers)
        done: set[int] = set()
        _prepare_fork(self.job.assignment)
        try:
            workers = [_Worker(self.context, self.job, cpu) for cpu in _worker_cpus(self.workers)]
        finally:
            gc.unfreeze()
        bar = _progress_bar(len(todo), self.job.assignment, progress)
        try:
            while pending or any(w.busy for w in workers):
                for worker in workers:
                    if not worker.busy and pending:
                        worker.chunk, worker.busy = pending.take(), True
                        worker.connection.send(worker.chunk)
                waiting: dict[Connection | int, _Worker] = {}  # its connection and its process's sentinel
                for worker in workers:
                    if worker.busy:
                        waiting[worker.connection] = waiting[worker.process.sentinel] = worker
                for ready in wait(list(waiting)):
                    worker = waiting[ready]  # type: ignore[index]  # one of the objects it was given
                    if worker in workers and not self._receive(worker, done, bar):
                        workers.remove(worker)
                        self._lost(worker, pending, done, bar)
                        if pending or not workers:
                            workers.append(_Worker(self.context, self.job, worker.cpu))
        except BaseException:
            for worker in workers:
                worker.process.kill()
            raise
        finally:
            bar.close()
            for worker in workers:
                with contextlib.suppress(OSError, ValueError):
                    worker.connection.send(None)
            for worker in workers:
                worker.process.join(timeout=30)
                if worker.process.is_alive():
                    worker.process.kill()
        found = {}
        for index in todo:
            student = self.job.submissions[index].student
            loaded = self.job.store.load(student)
            if loaded is None:
                raise GraderError(f"no result was stored for {student}")
            found[student] = loaded[1]
        return found

    def _receive(self, worker: _Worker, done: set[int], bar: tqdm) -> bool:
        """Take in what a worker reported; False when it is gone."""
        try:
            while worker.connection.poll():
                kind, *detail = worker.connection.recv()
                if kind == "stored":
                    index = self.student_index[detail[0]]
                    done.add(index)
                    worker.chunk = [i for i in worker.chunk if i != index]
                    bar.update(1)
                elif kind == "idle":
                    if worker.chunk:
                        missing = self.job.submissions[worker.chunk[0]].student
                        raise GraderError(f"a worker stored no result for {missing}")
                    worker.busy = False
                elif kind == "error":
                    raise GraderError(detail[0])
        except (EOFError, OSError):
            return False
        return worker.process.is_alive()

    def _lost(self, worker: _Worker, pending: _Queue, done: set[int], bar: tqdm) -> None:
        """A worker died: retry its unfinished notebooks one by one; a notebook that kills a worker on its
        own is stored as failed (without a key, so that the next run tries it again)."""
        worker.process.join(timeout=5)
        unfinished = [i for i in worker.chunk if i not in done]
        if len(unfinished) > 1:
            pending.alone.extend(unfinished)
            return
        for index in unfinished:
            self.job.store.save(worker_died(self.job.submissions[index], self.job.salt), None)
            done.add(index)
            bar.update(1)


def worker_died(submission: extract.Submission, salt: str) -> SubmissionResult:
    """The result of a notebook that killed every worker that graded it: zero, flagged for a TA. It is
    stored without a key, so that the next run tries it again."""
    result = grade([replace(submission, problem=WORKER_DIED)], salt=salt)[0]
    result.flags = sorted({*result.flags, "crash"})
    return result


def _worker_cpus(workers: int) -> Sequence[int | None]:
    """A core of its own for each worker, where there are enough: a worker, its sandbox and the child
    it is talking to then wake each other on one core, which on a virtual machine costs a fraction of
    a wake-up across cores, and the workers do not compete. One worker is not pinned: its sandbox
    forks the next child on another core while it grades."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if workers < 2 or workers > len(cpus):
        return [None] * workers
    return cpus[:workers]


def _work(connection: Connection, job: _Job, parent: int, cpu: int | None) -> None:
    """A worker: grade the chunks the parent sends, store each result, report it; stop on None."""
    _die_with(parent)
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})  # before its sandbox starts: the zygote and children inherit it
    linux.batch_scheduling()  # as do they this
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what an interrupt stops
    torch.set_num_threads(1)  # one worker per core; verdicts do not depend on the thread count
    transport = None

    def store(result: SubmissionResult) -> None:
        job.store.save(result, job.keys[result.student])
        connection.send(("stored", result.student))

    def chunks() -> Iterator[list[extract.Submission]]:
        """The parent's chunks, each asked for once the one before it is graded; None ends the stream."""
        while (chunk := connection.recv()) is not None:
            yield [job.submissions[i] for i in chunk]
            connection.send(("idle",))

    try:
        transport = job.transport_factory() if job.transport_factory is not None else None
        grade_stream(job.assignment, chunks(), transport, salt=job.salt, on_result=store)
    except EOFError:
        pass
    except Exception as error:  # noqa: BLE001 - a broken grader or transport stops the batch, with its reason
        with contextlib.suppress(OSError):
            connection.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        close = getattr(transport, "close", None)
        if close is not None:
            close()


def _prepare_fork(assignment: str) -> None:
    """Do once, before forking, what every worker would otherwise do on its own: import the graders and
    what they import lazily (`torch.testing.assert_close` pulls in torch.distributed, sympy included),
    then freeze the heap so that the workers' garbage collector leaves its pages shared."""
    catalog.for_assignment(assignment)
    torch.testing.assert_close(torch.zeros(1), torch.zeros(1))
    gc.collect()
    gc.freeze()


def _die_with(parent: int) -> None:
    """A worker must not outlive a parent killed with SIGKILL: it would go on writing results."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _progress_bar(total: int, assignment: str, shown: bool) -> tqdm:
    from tqdm import tqdm  # only a run that grades something shows one

    tqdm.monitor_interval = 0  # no monitor thread: this process forks replacement workers
    return tqdm(
        total=total, desc=assignment, unit="nb", disable=None if shown else True, file=sys.stderr, dynamic_ncols=True
    )
