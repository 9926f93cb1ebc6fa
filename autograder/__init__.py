"""PyTorch basics kit: hidden graders, a sandboxed grading engine and reports.

The public API is small: find exercises, read notebooks, grade them.
"""

from autograder.engine.catalog import exercises
from autograder.engine.extract import read_notebook
from autograder.engine.grade import grade as grade_submissions
from autograder.engine.results import SubmissionResult
from autograder.messages import Msg

__all__ = ["Msg", "SubmissionResult", "exercises", "grade_submissions", "read_notebook"]
