"""nbgrader configuration for the "010. PyTorch basic" course.

The course directory is the directory nbgrader (or `python -m autograder`) runs in, as nbgrader
decides by default: this repository, or a course folder of your own whose nbgrader_config.py loads
this file with `load_subconfig("/path/to/kit/nbgrader_config.py")` and may set `c.CourseDirectory.root`
and the folder names. It holds `source/` (instructor notebooks), `release/` (student notebooks),
`solutions/`, and, once a class runs, `submitted/`, `autograded/`, `feedback/` and `gradebook.db`.
After `nbgrader collect A`, the kit grades and writes nbgrader's gradebook with
`python -m autograder gradebook A` (or `nbgrader autograde A`, or the formgrader's autograde button,
which run the kit's graders instead of a Jupyter kernel), so the formgrader, `generate_feedback`,
`release_feedback` and `export` show the kit's scores.

The exchange is `exchange/` in the course directory unless KIT_EXCHANGE (or `c.Exchange.root`) names
another. For a real class on a shared machine (JupyterHub), make the exchange a folder every student
can reach, e.g. `KIT_EXCHANGE=/srv/nbgrader/exchange` (see the README on hardening it), and give
students a config with the same two settings, e.g. in `/etc/jupyter/nbgrader_config.py`:

    c = get_config()
    c.CourseDirectory.course_id = "pytorch-basic"
    c.Exchange.root = "/srv/nbgrader/exchange"

Their Assignment List (JupyterLab, "Nbgrader > Assignment List") then fetches and submits there.
"""

import os
import sys

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

here = os.path.dirname(os.path.abspath(__file__))
if os.path.isdir(os.path.join(here, "autograder")) and here not in sys.path:
    sys.path.insert(0, here)  # nbgrader imports the kit's preprocessors below from here

c.CourseDirectory.course_id = "pytorch-basic"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.solution_directory = "solutions"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# The exchange is a folder inside the course (where nbgrader runs) so that everything works without root.
# Point KIT_EXCHANGE (or this setting) at a shared folder such as /srv/nbgrader/exchange for a real class.
c.Exchange.root = os.environ.get("KIT_EXCHANGE") or os.path.abspath("exchange")
# `nbgrader collect` copies folders and regular files only and never follows a link a student left in the
# exchange (nbgrader's own would copy what it points to, with the instructor's rights).
c.ExchangeFactory.collect = "autograder.classroom.plugin.KitCollect"

# Check cells print with Korean text; nothing in them may write to stderr, which nbgrader scores 0.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Grading: `nbgrader autograde` runs the kit's hidden graders (sandboxed) in place of a Jupyter
# kernel. KitGrade writes each check cell's feedback and score as its outputs; nbgrader's own
# SaveAutoGrades and AssignLatePenalties then record them in the gradebook. A manual grade given
# in the formgrader always wins over the auto score and is never overwritten by a re-grade.
c.Autograde.autograde_preprocessors = [
    "autograder.classroom.plugin.KitGrade",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# A notebook nbgrader cannot read (not JSON, not a notebook) is graded 0 with a message, not skipped.
c.Autograde.exporter_class = "autograder.classroom.plugin.SubmissionExporter"
# generate_feedback writes the kit's page (scores per check, what to fix, the notes to reread);
# release_feedback and the students' fetch_feedback deliver it unchanged.
c.GenerateFeedback.exporter_class = "autograder.classroom.plugin.KitFeedbackExporter"
# The formgrader's submission page prints the student id and names without escaping them: the kit's
# step escapes them first. (KitGrade has already made the notebook's student markup inert.)
c.HTMLExporter.preprocessors = ["autograder.classroom.plugin.EscapeStudentNames"]
# A check cell the student deleted comes back, so every exercise gets its score.
c.OverwriteCells.add_missing_cells = True

# Late submissions: the due date is the assignment's (`nbgrader db assignment add A --duedate=...`
# or the formgrader); each started day late costs 10 % of the notebook's score, at most all of it.
# Use "nbgrader.plugins.LateSubmissionPlugin" with `c.LateSubmissionPlugin.penalty_method = "zero"`
# (or "none") for nbgrader's built-in policies.
c.AssignLatePenalties.plugin_class = "autograder.classroom.plugin.LatePenaltyPerDay"
c.LatePenaltyPerDay.percent_per_day = 10.0

# `nbgrader export` writes every field quoted, and text a spreadsheet would evaluate as a formula (an id
# or a name starting with = + - @) prefixed with a single quote (OWASP's advice against CSV injection).
c.ExportApp.plugin_class = "autograder.classroom.plugin.KitCsvExport"

# `nbgrader zip_collect A`: notebooks downloaded from an LMS into downloaded/A/archive/ (zip files
# or loose notebooks), named the Canvas way: <student>_[LATE_]<user id>_<submission id>_<A>.ipynb.
# Their feedback goes back through the LMS: `nbgrader release_feedback` needs an exchange submission,
# so leave them out with --CourseDirectory.student_id_exclude=s1,s2 (the kit's course.release_feedback does).
c.FileNameCollectorPlugin.named_regexp = r".*/(?P<student_id>[^/]+?)_(?:LATE_)?\d+_\d+_(?P<file_id>[^/]+\.ipynb)$"
