"""The kit's own failures, one family, caught once by the command line with a clear message.

These are faults of the kit, the machine or the course set-up, never of a submission: what a student's
code does becomes a verdict instead (`boundary.StudentError`, `expect.CheckFailed`,
`transport.TransportFailure`, `intake.Refused` for a submission's file), and one student's failure never
stops a class.

    KitError
    ├── GraderError            the graders themselves failed (a bug in the kit)
    ├── TransportUnavailable   programs cannot be started at all
    │   └── SandboxError       the sandbox itself could not start
    ├── StoreBusy              another batch holds the assignment's results
    ├── CourseError            the course directory cannot be used as asked
    │   ├── NoSubmissions      nothing collected where nbgrader keeps submissions
    │   ├── NothingGraded      no graded assignment for the term report
    │   ├── InstructorError    the instructor's release/ or source/ notebook is missing or broken
    │   └── SaltError          the course's secret salt cannot be read, made or used
    ├── GradebookError         nbgrader could not record some submissions
    ├── KitGradeError          the course's notebooks and the kit's graders disagree
    ├── PublishError           nbgrader refused to build an assignment
    ├── ClusterError           the Dask cluster cannot grade a run (unreachable, no worker with its graders)
    └── StepFailed             an nbgrader step of a class run failed
"""

from __future__ import annotations


class KitError(RuntimeError):
    """A failure of the kit, the machine or the course set-up; `exit_code` is what the CLI exits with."""

    exit_code = 1


class GraderError(KitError):
    """The graders themselves failed (a bug in the kit, not in a submission)."""


class TransportUnavailable(KitError):
    """The transport cannot start a program at all: a fault of the machine or the kit, never of a
    submission, so grading stops with this reason instead of failing students for it."""


class SandboxError(TransportUnavailable):
    """The sandbox itself could not start: a problem of the machine or the kit, not of a submission."""


class StoreBusy(KitError):
    """Another batch is grading the same assignment of the same course right now."""


class CourseError(KitError):
    """The course directory cannot be used as asked (nothing was written)."""


class NoSubmissions(CourseError):
    """An assignment has no collected submission where nbgrader keeps them."""


class NothingGraded(CourseError):
    """The course has no graded assignment for the term report to read (nothing was written)."""


class InstructorError(CourseError):
    """The instructor's notebook that submissions are read against is missing or broken."""


class SaltError(CourseError):
    """The course's secret salt (`secret`) cannot be read, made or used where it is."""


class GradebookError(KitError):
    """nbgrader could not record some submissions; the message carries its log."""


class KitGradeError(KitError):
    """The course's notebooks and the kit's graders disagree (a bug in the kit, not a submission)."""


class PublishError(KitError):
    """nbgrader refused to build an assignment; the message carries its log."""


class ClusterError(KitError):
    """The Dask cluster cannot grade this run: unreachable, or no worker grades with the client's graders."""


class StepFailed(KitError):
    """An nbgrader step failed; the message carries its log."""
