"""The names course configurations written before the kit had subpackages give nbgrader.

`c.Autograde.preprocessors = ['autograder.nbgrader_plugin.KitGrade', ...]` keeps working: these are the very
classes of `autograder.classroom.plugin`, where new configurations name them."""

from autograder.classroom.plugin import (
    EscapeStudentNames,
    KitCollect,
    KitCsvExport,
    KitFeedbackExporter,
    KitGrade,
    LatePenaltyPerDay,
    SubmissionExporter,
)

__all__ = [
    "EscapeStudentNames",
    "KitCollect",
    "KitCsvExport",
    "KitFeedbackExporter",
    "KitGrade",
    "LatePenaltyPerDay",
    "SubmissionExporter",
]
