"""The term so far: what each student has mastered, section by section of the notes, over every graded assignment.

Mastery of a section is the share of its points earned: the scores of the section's exercises (`Exercise.heading`)
in every assignment graded so far, over their points. An assignment a student did not hand in counts as no
points; a section with no graded exercise yet has no mastery (blank, not zero). Scores are before late penalties:
mastery is about what a student can do, not when they handed it in.

A student is at risk when their mastery of a section that later sections build on (`notes.BUILDS_ON`) is below
`RISK_BELOW`. The report (`reports/term/report.html`) holds the students x sections heatmap, the class's mastery
of each section with the exercises behind it, and the students at risk; `reports/term/mastery.csv` the same numbers.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import matplotlib
import numpy as np

from autograder import notes
from autograder.engine import catalog, locate
from autograder.engine.results import SubmissionResult
from autograder.engine.store import ResultStore
from autograder.errors import NothingGraded
from autograder.messages import language
from autograder.reports import plots, spreadsheet
from autograder.reports.render import render

RISK_BELOW = 0.5  # mastery under this, on a section later sections build on, puts a student at risk
FOLDER = "term"


@dataclass
class Risk:
    student: str
    weak: list[tuple[str, float]]  # (foundation section, mastery), in the notes' order
    endangered: list[str]  # later sections that build on the weak ones, in the notes' order


@dataclass
class Term:
    """Scores by student and exercise over the graded assignments, and what follows from them."""

    assignments: list[str]
    students: list[str]
    exercises: dict[str, list[str]]  # section -> graded exercise ids, notebook order
    points: dict[str, float]  # exercise -> points
    scores: dict[tuple[str, str], float] = field(default_factory=dict)  # (student, exercise) -> score

    def mastery(self, student: str, section: str) -> float | None:
        ids = self.exercises.get(section, [])
        possible = sum(self.points[i] for i in ids)
        return sum(self.scores.get((student, i), 0.0) for i in ids) / possible if possible else None

    def class_mastery(self, section: str) -> float | None:
        found = [m for s in self.students if (m := self.mastery(s, section)) is not None]  # all or none: same points
        return statistics.fmean(found) if found else None

    def exercise_mastery(self, exercise: str) -> float:
        return statistics.fmean(self.scores.get((s, exercise), 0.0) / self.points[exercise] for s in self.students)

    def risks(self) -> list[Risk]:
        """Students below `RISK_BELOW` on a foundation, the most weak foundations first."""
        found = []
        for student in self.students:
            weak = [
                (section, m)
                for section in notes.FOUNDATIONS
                if (m := self.mastery(student, section)) is not None and m < RISK_BELOW
            ]
            if weak:
                names = {section for section, _ in weak}
                endangered = [h for h in notes.HEADINGS if names & set(notes.BUILDS_ON.get(h, ()))]
                found.append(Risk(student, weak, endangered))
        return sorted(found, key=lambda r: (-len(r.weak), r.student))


def load(course: str | Path | locate.Course) -> dict[str, list[SubmissionResult]]:
    """Every graded assignment's results: `reports/<A>/results.json` (written after grading, with the
    gradebook's late penalties), else the verdicts kept in `graded/<A>/`."""
    course = locate.course(course)
    found = {}
    for assignment in catalog.ASSIGNMENTS:
        path = course.reports_folder(assignment) / "results.json"
        try:
            found[assignment] = [SubmissionResult.from_dict(d) for d in json.loads(path.read_text(encoding="utf-8"))]
            continue
        except (OSError, ValueError, KeyError, TypeError):
            pass
        stored = ResultStore(course.root, assignment).results()
        if stored:
            found[assignment] = stored
    return found


def term(graded: dict[str, list[SubmissionResult]]) -> Term:
    exercises = [e for e in catalog.exercises() if e.assignment in graded]
    by_section: dict[str, list[str]] = {}
    for exercise in exercises:
        by_section.setdefault(exercise.heading, []).append(exercise.id)
    summary = Term(
        list(graded),
        sorted({r.student for results in graded.values() for r in results}),
        by_section,
        {e.id: e.points for e in exercises},
    )
    known = set(summary.points)
    for results in graded.values():
        for result in results:
            for scored in result.exercises:
                if scored.id in known:
                    summary.scores[(result.student, scored.id)] = scored.score
    return summary


def heatmap(summary: Term, lang: str) -> str:
    """Students (rows) x sections (columns, the notes' order): share of points earned; grey where no
    exercise of the section is graded yet."""
    korean = lang == "ko"
    values = np.array(
        [[np.nan if (m := summary.mastery(s, h)) is None else m for h in notes.HEADINGS] for s in summary.students],
        dtype=float,
    ).reshape(len(summary.students), len(notes.HEADINGS))
    colours = matplotlib.colormaps["RdYlGn"].with_extremes(bad="#d0d7de")
    with plots.cjk_fonts():
        figure, axis = plots.figure(12, 3.5 + 0.24 * len(summary.students))
        image = axis.imshow(
            np.ma.masked_invalid(values), cmap=colours, vmin=0, vmax=1, aspect="auto", interpolation="nearest"
        )
        axis.set_xticks(
            range(len(notes.HEADINGS)),
            [f"{i + 1}. {h}" for i, h in enumerate(notes.HEADINGS)],
            rotation=60,
            ha="right",
            fontsize=8,
        )
        axis.set_yticks(range(len(summary.students)), summary.students, fontsize=8, parse_math=False)  # ids: text
        axis.set_title("절별 숙달도 (얻은 점수 비율)" if korean else "Mastery by section (share of points earned)")
        figure.colorbar(image, ax=axis, fraction=0.025, pad=0.01, label="숙달도" if korean else "Mastery")
        return plots.png(figure)


def term_report(summary: Term, lang: str | None = None) -> str:
    lang = language(lang)
    sections = [
        {
            "number": i + 1,
            "heading": h,
            "level": notes.SECTIONS[i].level,
            "builds_on": notes.BUILDS_ON.get(h, ()),
            "mastery": summary.class_mastery(h),
            "exercises": [(e, summary.exercise_mastery(e)) for e in summary.exercises.get(h, [])],
        }
        for i, h in enumerate(notes.HEADINGS)
    ]
    return render(
        "term_report.html.j2",
        lang,
        summary=summary,
        sections=sections,
        risks=summary.risks(),
        risk_below=RISK_BELOW,
        title=notes.TITLE,
        heatmap=heatmap(summary, lang) if summary.students else None,
    )


def write_csv(summary: Term, path: Path) -> Path:
    """The page's numbers, shares in [0, 1] under each section's heading (empty where nothing is graded yet):
    the class's mastery first, then each graded exercise's class mean under its section (`name`: its id),
    then one row per student (`name`: the student id) with `at_risk` naming their weak foundations.
    Written through `spreadsheet`: the ids are the students' text."""

    def share(value: float | None) -> str:
        return "" if value is None else f"{value:.4f}"

    weak = {r.student: ";".join(section for section, _ in r.weak) for r in summary.risks()}
    rows = [["class", "", *(share(summary.class_mastery(h)) for h in notes.HEADINGS), ""]]
    rows += [
        [
            "exercise",
            exercise,
            *(share(summary.exercise_mastery(exercise)) if h == section else "" for h in notes.HEADINGS),
            "",
        ]
        for section, exercises in summary.exercises.items()
        for exercise in exercises
    ]
    rows += [
        ["student", student, *(share(summary.mastery(student, h)) for h in notes.HEADINGS), weak.get(student, "")]
        for student in summary.students
    ]
    return spreadsheet.write(path, ["scope", "name", *notes.HEADINGS, "at_risk"], rows)


class Written(NamedTuple):
    term: Term
    report: Path
    csv: Path


def write_term_report(course: str | Path | locate.Course | None, lang: str | None = None) -> Written:
    """`reports/term/report.html` and `reports/term/mastery.csv` for every assignment graded so far."""
    course = locate.course(course)
    graded = load(course)
    if not graded:
        raise NothingGraded(
            f"no graded assignment in {course.root}: looked for reports/<assignment>/results.json "
            f"and graded/<assignment>/ (grade one first: python -m autograder gradebook A)"
        )
    summary = term(graded)
    folder = course.root / "reports" / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    html = folder / "report.html"
    html.write_text(term_report(summary, lang), encoding="utf-8")
    return Written(summary, html, write_csv(summary, folder / "mastery.csv"))
