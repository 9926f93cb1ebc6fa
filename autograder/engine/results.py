"""Verdicts as plain data: per check, per exercise, per submission. Formatting lives elsewhere."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from autograder.messages import Msg


@dataclass
class CheckResult:
    name: str
    points: float
    score: float
    message: Msg | None = None  # the check's teaching message, when it failed
    detail: Msg | None = None  # what exactly was wrong

    @property
    def passed(self) -> bool:
        return self.score >= self.points


@dataclass
class ExerciseResult:
    id: str
    heading: str
    title: Msg
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def points(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def score(self) -> float:
        return sum(c.score for c in self.checks)


@dataclass
class SubmissionResult:
    student: str
    assignment: str
    exercises: list[ExerciseResult] = field(default_factory=list)
    problem: Msg | None = None  # the notebook could not be graded at all
    cell_errors: list[dict] = field(default_factory=list)
    path: str = ""
    fingerprint: str = ""
    timestamp: str | None = None
    transport: str = ""
    layers: list[str] = field(default_factory=list)  # isolation layers that were active
    flags: list[str] = field(default_factory=list)  # "timeout", "crash", "locked", ... for a human to look at
    findings: list[dict] = field(default_factory=list)  # {"flag", "cell", "detail"}: where and what, per flag
    late_seconds: float = 0.0  # how late against the assignment's due date (0: on time or no due date)
    late_penalty: float = 0.0  # points taken off by the course's late policy
    salt_sha256: str = ""  # the fingerprint of the salt its inputs were drawn with (`secret`), never the salt

    @property
    def points(self) -> float:
        return sum(e.points for e in self.exercises)

    @property
    def score(self) -> float:
        return sum(e.score for e in self.exercises)

    def exercise(self, exercise_id: str) -> ExerciseResult:
        return next(e for e in self.exercises if e.id == exercise_id)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["score"], data["points"] = self.score, self.points
        return data

    @classmethod
    def from_dict(cls, data: dict) -> SubmissionResult:
        def msg(value: dict | None) -> Msg | None:
            return Msg(**value) if value else None

        exercises = [
            ExerciseResult(
                e["id"],
                e["heading"],
                Msg(**e["title"]),
                [
                    CheckResult(c["name"], c["points"], c["score"], msg(c["message"]), msg(c["detail"]))
                    for c in e["checks"]
                ],
            )
            for e in data["exercises"]
        ]
        fields = {
            k: data[k]
            for k in (
                "student",
                "assignment",
                "cell_errors",
                "path",
                "fingerprint",
                "timestamp",
                "transport",
                "layers",
                "flags",
            )
        }
        fields.update({k: data.get(k, 0.0) for k in ("late_seconds", "late_penalty")})
        fields["findings"] = data.get("findings", [])
        fields["salt_sha256"] = data.get("salt_sha256", "")
        return cls(exercises=exercises, problem=msg(data["problem"]), **fields)
