"""PyTorch basics kit: hidden graders, a sandboxed grading engine and reports.

The public API is small: find exercises, read notebooks, grade them.
"""

from autograder.catalog import exercises
from autograder.extract import read_notebook
from autograder.grade import grade as grade_submissions
from autograder.messages import Msg
from autograder.results import SubmissionResult

__all__ = ["Msg", "SubmissionResult", "exercises", "grade_submissions", "read_notebook"]
