"""Run the hidden pytest graders over submissions and turn test outcomes into verdicts.

One pytest session grades a whole list of submissions: every check is parametrized over them, the
`student` fixture reaches each submission's program through a transport, and a submission's
result is emitted as soon as its last check has run. Verdicts are made here, in the trusted process.
"""

from __future__ import annotations

import hashlib
import inspect
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Literal, NamedTuple, NoReturn

import pytest
import torch

from autograder.authoring.expect import CheckFailed
from autograder.authoring.spec import Exercise
from autograder.boundary import scan
from autograder.boundary.parent import Program, Student, StudentRaised
from autograder.boundary.transport import InProcess, Transport
from autograder.engine import catalog, secret
from autograder.engine.extract import Submission
from autograder.engine.results import CheckResult, ExerciseResult, SubmissionResult
from autograder.errors import GraderError, TransportUnavailable
from autograder.messages import Msg

DEFAULT_SALT = secret.PRACTICE_SALT  # public: notebooks graded outside a course; a class grades with its own
PROCESS_FAILURES = ("timeout", "crash", "exit", "memory", "protocol")
NEEDS_CORRECT_RESULT = Msg(
    ko="이 검사는 결과가 맞아야 점수를 받습니다: 먼저 위의 검사를 통과하세요.",
    en="This check earns points only beside a correct result: pass the checks above first.",
)
NOT_RUN = Msg(ko="검사를 실행하지 못했습니다.", en="The check could not run.")

# The grading session loads only what grading needs. Notably: no assertion rewriting (with it, every module
# imported during the session, sympy included, was rewritten: seconds per session), no third-party plugins,
# and no plugins whose per-check hooks or end-of-session `gc.collect` cost time and add nothing here.
_UNUSED_PLUGINS = (
    "assertion",
    "cacheprovider",
    "capture",
    "debugging",
    "doctest",
    "faulthandler",
    "junitxml",
    "legacypath",
    "logging",
    "monkeypatch",
    "pastebin",
    "setuponly",
    "setupplan",
    "stepwise",
    "subtests",
    "terminal",
    "threadexception",
    "tmpdir",
    "unittest",
    "unraisableexception",
    "warnings",
)
_PYTEST_ARGS = [
    "-c",
    os.devnull,
    "-o",
    "python_functions=test_*",
    "--disable-plugin-autoload",
    *(arg for name in _UNUSED_PLUGINS for arg in ("-p", f"no:{name}")),
]


def seed(salt: str, student: str, exercise_id: str, check: str) -> int:
    """Per student, exercise and check: a re-grade draws the same inputs, classmates do not, and nobody
    without the course's salt (`secret`) can compute them."""
    digest = hashlib.sha256(f"{str(salt)}\0{student}\0{exercise_id}\0{check}".encode()).digest()
    return int.from_bytes(digest[:8], "little") & ((1 << 63) - 1)


def grade(
    submissions: Iterable[Submission],
    transport: Transport | None = None,
    *,
    salt: str = DEFAULT_SALT,
    on_result: Callable[[SubmissionResult], None] | None = None,
) -> list[SubmissionResult]:
    """Grade submissions (of any assignments); results come back in the order given."""
    transport = transport or InProcess()
    submissions = list(submissions)
    results: dict[int, SubmissionResult] = {}
    by_assignment: dict[str, list[tuple[int, Submission]]] = defaultdict(list)
    for index, submission in enumerate(submissions):
        by_assignment[submission.assignment].append((index, submission))

    def emit(index: int, result: SubmissionResult) -> None:
        results[index] = result
        if on_result is not None:
            on_result(result)

    for assignment, group in by_assignment.items():
        plugin = _Grading(group, catalog.for_assignment(assignment), transport, salt, emit)
        _grade_with(plugin, run_checks=any(submission.problem is None for _, submission in group))
    return [results[i] for i in range(len(submissions))]


def grade_stream(
    assignment: str,
    batches: Iterable[list[Submission]],
    transport: Transport | None = None,
    *,
    salt: str = DEFAULT_SALT,
    on_result: Callable[[SubmissionResult], None],
) -> None:
    """Grade batches of one assignment's submissions as they come (a worker's chunks), all in one pytest
    session: starting one and collecting the graders cost some 50 ms, more than two submissions take.
    A batch is taken only once the one before it is graded. Graders with a check that needs pytest's own
    protocol are collected once per batch instead, as `grade` does."""
    transport = transport or InProcess()
    batches = iter(batches)
    plugin = _Grading(
        [], catalog.for_assignment(assignment), transport, salt, lambda index, result: on_result(result), stream=batches
    )
    _grade_with(plugin)
    if plugin.unstreamable:  # no batch was taken: that session only collected
        for batch in batches:
            grade(batch, transport, salt=salt, on_result=on_result)


def _grade_with(plugin: _Grading, run_checks: bool = True) -> None:
    """One pytest session over the plugin's submissions, then a result for each that has none yet."""
    try:
        if run_checks:
            plugin.transport.prepare({feature for exercise in plugin.exercises for feature in exercise.warm_up})
            _run_checks(plugin)
        plugin.finish_all()
    except TransportUnavailable as broken:  # the results emitted so far stand; the rest are not graded
        raise GraderError(f"grading stopped: {broken}") from broken


def _run_checks(plugin: _Grading) -> None:
    files = [str(catalog.grader_file(e)) for e in plugin.exercises]
    code = pytest.main(
        [*_PYTEST_ARGS, "--rootdir", str(Path(catalog.GRADERS_DIR).parents[1]), *files], plugins=[plugin]
    )
    if plugin.broken is not None:
        raise plugin.broken
    if plugin.collect_errors or code not in (
        pytest.ExitCode.OK,
        pytest.ExitCode.TESTS_FAILED,
        pytest.ExitCode.NO_TESTS_COLLECTED,
    ):
        raise GraderError(f"pytest exited with {code!r}: {'; '.join(plugin.collect_errors)[:2000]}")


class _Target(NamedTuple):
    """What one check grades: a submission (by its key in the batch, or ANY_SUBMISSION), an exercise, a check."""

    key: str
    exercise: str
    check: str


ANY_SUBMISSION = "*"  # the target of a plain check's one item, which the engine calls for every submission
_OWN_FIXTURES = {"student", "rng", "target"}


def _target(item: pytest.Item) -> _Target | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("target") if callspec is not None else None


def _plain_check(metafunc: pytest.Metafunc) -> bool:
    """A check that needs nothing from pytest: only the kit's fixtures, no marks (parametrize included)."""
    return (
        set(metafunc.fixturenames) <= _OWN_FIXTURES
        and not any(metafunc.definition.iter_markers())
        and not inspect.iscoroutinefunction(metafunc.function)
    )


class _Grading:
    """The pytest plugin that binds checks to submissions and collects their outcomes."""

    def __init__(
        self,
        group: list[tuple[int, Submission]],
        exercises: tuple[Exercise, ...],
        transport: Transport,
        salt: str,
        emit: Callable[[int, SubmissionResult], None],
        stream: Iterator[list[Submission]] | None = None,
    ) -> None:
        self.submissions = {str(index): submission for index, submission in group}
        self.stream = stream  # batches yet to come, for `grade_stream`
        self.unstreamable: set = set()  # check functions a stream cannot grade: they need an item per submission
        self.exercises = exercises
        self.transport = transport
        self.salt = salt
        self.emit = emit
        self.programs: dict[str, Program] = {}
        self.outcomes: dict[tuple[str, str, str], list[Msg | None]] = defaultdict(list)
        self.flags: dict[str, set[str]] = defaultdict(set)
        self.remaining: Counter[str] = Counter()
        self.collect_errors: list[str] = []
        self.done: set[str] = set()
        self.items: dict[str, pytest.Function] = {}
        self.direct: dict[pytest.Function, _Target] = {}  # plain checks' items (their target: ANY_SUBMISSION)
        self.direct_arguments: dict[pytest.Function, tuple[str, ...]] = {}  # ... and their argument names
        self.through_pytest: dict[str, list[pytest.Function]] = defaultdict(list)  # other checks' items, by key
        self.broken: TransportUnavailable | None = None  # why the transport stopped working, if it did

    # -- binding checks to submissions ---------------------------------------------------------

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """A plain check gets one item, which `pytest_runtestloop` calls for every submission: an item per
        submission and check cost pytest some 50 us each to collect, more than many checks take to run.
        Any other check gets an item per submission and runs through pytest's own protocol."""
        if "target" in metafunc.fixturenames:
            exercise, check = metafunc.module.EXERCISE.id, metafunc.function.kit_check.name
            plain = _plain_check(metafunc)
            if not plain and self.stream is not None:
                self.unstreamable.add(metafunc.function)
            keys = [ANY_SUBMISSION] if plain or self.stream is not None else self.gradable()
            metafunc.parametrize("target", [_Target(k, exercise, check) for k in keys], ids=keys)

    def gradable(self) -> list[str]:
        return [k for k, s in self.submissions.items() if s.problem is None]

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collect_errors.append(f"{report.nodeid}: {report.longreprtext[-1500:]}")

    def pytest_collection_modifyitems(self, items: list[pytest.Function]) -> None:
        for item in items:
            self.items[item.nodeid] = item
            target = _target(item)
            if target is None or item.function in self.unstreamable:
                continue
            if target.key == ANY_SUBMISSION:
                self.direct[item] = target
                self.direct_arguments[item] = tuple(inspect.signature(item.function).parameters)
            else:
                self.through_pytest[target.key].append(item)
        for key in self.gradable():
            self.remaining[key] = len(self.direct) + len(self.through_pytest[key])

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        """Submission by submission, every check: its program starts at its first call and ends with its
        last check, when its result is emitted."""
        if session.testsfailed and not session.config.option.continue_on_collection_errors:
            raise session.Interrupted(f"{session.testsfailed} errors during collection")
        if session.config.option.collectonly or self.unstreamable:
            return True
        for keys in self.batches():
            others = [item for key in keys for item in self.through_pytest[key]]
            following = dict(zip(others, [*others[1:], None], strict=False))  # none follows an empty batch
            for key in keys:
                if self.submissions[key].problem is None:
                    for item, target in self.direct.items():
                        self.call_directly(item, target._replace(key=key))
                    for item in self.through_pytest[key]:
                        item.config.hook.pytest_runtest_protocol(item=item, nextitem=following[item])
                        if session.shouldfail:
                            raise session.Failed(session.shouldfail)
                        if session.shouldstop:
                            raise session.Interrupted(session.shouldstop)
                if key not in self.done:  # a notebook that could not be read, or graders without checks
                    self.finish_or_stop(key)
        return True

    def batches(self) -> Iterator[list[str]]:
        """The keys of the submissions to grade, a batch at a time: those given, or a stream's as they come."""
        if self.stream is None:
            yield list(self.submissions)
            return
        for batch in self.stream:
            keys = [str(len(self.submissions) + offset) for offset in range(len(batch))]
            for key, submission in zip(keys, batch, strict=True):
                self.submissions[key] = submission
                self.remaining[key] = len(self.direct)
            yield keys

    # The fixtures take what they need from `target`, not from `request`: pytest builds a new fixture
    # definition (with `inspect.signature`) every time `request` is asked for, several per check.
    @pytest.fixture
    def student(self, target: _Target) -> Student:
        return self.make_student(target)

    @pytest.fixture
    def rng(self, target: _Target) -> torch.Generator:
        return self.make_rng(target)

    def make_student(self, target: _Target) -> Student:
        return Student(self.program(target.key), target.exercise)

    def make_rng(self, target: _Target) -> torch.Generator:
        generator = torch.Generator()
        generator.manual_seed(seed(self.salt, self.submissions[target.key].student, target.exercise, target.check))
        return generator

    def program(self, key: str) -> Program:
        if key not in self.programs:
            self.programs[key] = Program(self.transport, self.submissions[key].cells)
        return self.programs[key]

    # -- collecting outcomes ---------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Function, call: pytest.CallInfo[None]) -> pytest.TestReport:
        """A report without pytest's formatted traceback, which costs milliseconds per failed check and
        which nobody reads: the verdict comes from the exception itself (see `explain`)."""
        excinfo = call.excinfo
        outcome: Literal["passed", "failed", "skipped"]
        longrepr: None | str | tuple[str, int, str]
        if excinfo is None:
            outcome, longrepr = "passed", None
        elif isinstance(excinfo.value, pytest.skip.Exception):
            outcome, longrepr = "skipped", (str(item.path), 0, str(excinfo.value))
        else:
            outcome, longrepr = "failed", excinfo.exconly()[:2000]
        when = call.when
        assert when != "collect"  # a run-test hook: setup, call or teardown
        report = pytest.TestReport(
            item.nodeid,
            item.location,
            {},
            outcome,
            longrepr,
            when,
            duration=call.duration,
            start=call.start,
            stop=call.stop,
        )
        self.record(item, call, report)
        return report

    def record(self, item: pytest.Function, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
        target = _target(item)
        if target is None or (report.when != "call" and not report.failed):
            return
        key = target.key
        check = (key, item.module.EXERCISE.id, item.function.kit_check.name)
        error = call.excinfo.value if call.excinfo is not None else None
        if isinstance(error, TransportUnavailable):
            self.stop(error)
        self.outcomes[check].append(None if report.passed else self.explain(key, error))

    def stop(self, broken: TransportUnavailable) -> NoReturn:
        """End the session: no submission is failed for a transport that cannot run programs."""
        self.broken = broken
        pytest.exit(str(broken))

    def explain(self, key: str, error: BaseException | None) -> Msg:
        if isinstance(error, StudentRaised):
            if error.error.type in PROCESS_FAILURES:
                self.flags[key].add(error.error.type)
            return error.feedback
        if isinstance(error, CheckFailed):
            return error.feedback
        if isinstance(error, AssertionError):
            text = str(error).split("\n")[0][:300]
            return Msg(ko=text, en=text)
        if error is None:
            return NOT_RUN
        text = f"{type(error).__name__}: {str(error)[:200]}"
        return Msg(
            ko=f"결과를 검사하는 중 문제가 생겼습니다 (반환값의 형태가 예상과 다릅니다): {text}",
            en=f"Your result could not be checked (it is not of the expected form): {text}",
        )

    def call_directly(self, item: pytest.Function, target: _Target) -> None:
        """Call a plain check (only `student` and `rng`, no marks, no other fixtures) itself: pytest's
        three phases, each with fixture resolution, hooks and a report, cost more than most checks do."""
        make: dict[str, Callable[[_Target], object]] = {
            "student": self.make_student,
            "rng": self.make_rng,
            "target": lambda t: t,
        }
        outcome = None
        try:
            item.function(**{name: make[name](target) for name in self.direct_arguments[item]})
        except (KeyboardInterrupt, pytest.exit.Exception):
            raise
        except TransportUnavailable as broken:
            self.stop(broken)
        except BaseException as raised:  # noqa: BLE001 - whatever a check raises fails it, as in pytest
            outcome = self.explain(target.key, raised)  # only the message: the exception's traceback holds
            # the check's frame and its calls' answers, which then go as soon as the check has
        self.outcomes[target].append(outcome)
        self.checked(target.key)

    def pytest_runtest_logfinish(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        target = _target(self.items[nodeid])
        if target is not None:
            self.checked(target.key)

    def checked(self, key: str) -> None:
        """A submission's result is emitted as soon as its last check has run."""
        self.remaining[key] -= 1
        if self.remaining[key] == 0:
            self.finish_or_stop(key)

    def finish_or_stop(self, key: str) -> None:
        try:
            self.finish(key)
        except TransportUnavailable as broken:  # the layers of a transport that never started
            self.stop(broken)

    def finish_all(self) -> None:
        for key in self.submissions:
            if key not in self.done:
                self.finish(key)

    def finish(self, key: str) -> None:
        self.done.add(key)
        submission = self.submissions[key]
        program = self.programs.pop(key, None)
        if program is not None:
            program.close()
        reached = (
            program.findings
            if program is not None
            else (scan.code(submission.cells) if submission.problem is None else [])
        )
        findings = [*submission.findings, *(f.to_dict() for f in reached)]
        result = SubmissionResult(
            student=submission.student,
            assignment=submission.assignment,
            problem=submission.problem,
            cell_errors=program.cell_errors if program else [],
            path=submission.path,
            fingerprint=submission.fingerprint,
            timestamp=submission.timestamp,
            transport=self.transport.name,
            layers=list(self.transport.layers()),
            flags=sorted({*self.flags.pop(key, ()), *(f["flag"] for f in findings)}),
            findings=findings,
            salt_sha256=secret.fingerprint(self.salt),
        )
        for exercise in self.exercises:
            checks: dict[str, CheckResult] = {}
            for spec in exercise.checks:
                failures = self.outcomes.pop((key, exercise.id, spec.name), [NOT_RUN])
                detail = next((f for f in failures if f is not None), None)
                if any(not checks[r].passed for r in spec.requires if r in checks):
                    detail = NEEDS_CORRECT_RESULT
                if submission.problem is not None:
                    detail = submission.problem
                checks[spec.name] = CheckResult(
                    spec.name,
                    spec.points,
                    0.0 if detail else spec.points,
                    message=spec.msg if detail else None,
                    detail=detail,
                )
            result.exercises.append(
                ExerciseResult(exercise.id, exercise.heading, exercise.title, list(checks.values()))
            )
        self.emit(int(key), result)
