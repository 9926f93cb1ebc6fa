"""nbgrader configuration for the "010. PyTorch basic" course.

The course directory is this repository: `source/` (instructor notebooks), `release/` (student
notebooks), `solutions/`, and, once a class runs, `submitted/`, `autograded/`, `feedback/` and
`gradebook.db`. Grading is done by the kit (`python -m autograder grade --assignment A`), which
writes nbgrader's gradebook; see README.md.
"""

import os

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

here = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "pytorch-basic"
c.CourseDirectory.root = os.environ.get("KIT_COURSE_ROOT", here)
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.solution_directory = "solutions"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# The exchange is a folder inside the course so that everything works without root. Point
# KIT_EXCHANGE (or this setting) at a shared folder such as /srv/nbgrader/exchange for a real class.
c.Exchange.root = os.environ.get("KIT_EXCHANGE", os.path.join(c.CourseDirectory.root, "exchange"))

# Check cells print with Korean text; nothing in them may write to stderr, which nbgrader scores 0.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
