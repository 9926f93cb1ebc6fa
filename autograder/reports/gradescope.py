"""Gradescope's results.json schema for one graded submission, one test per check."""

from __future__ import annotations

from autograder.engine.results import SubmissionResult


def results_json(result: SubmissionResult, lang: str | None = None) -> dict:
    tests = []
    for exercise in result.exercises:
        for check in exercise.checks:
            output = (
                "" if check.passed else "\n".join(m.text(lang) for m in (check.message, check.detail) if m is not None)
            )
            tests.append(
                {
                    "name": f"{exercise.id}: {check.name}",
                    "score": check.score,
                    "max_score": check.points,
                    "status": "passed" if check.passed else "failed",
                    "output": output,
                    "visibility": "visible",
                }
            )
    summary = result.problem.text(lang) if result.problem else ""
    return {
        "score": result.score,
        "max_score": result.points,
        "output": summary,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        # for the course staff (Gradescope shows extra_data to no student): which salt drew the inputs, and
        # what a TA should look at
        "extra_data": {"salt_sha256": result.salt_sha256, "flags": result.flags},
    }
