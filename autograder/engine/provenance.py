"""Whether a class's submission is the student's own: one that carries the instructor's material earns nothing.

nbgrader's exchange lets a student leave a symbolic link in the inbound folder, and `nbgrader collect`,
running with the instructor's rights, copies what it points to: the instructor's `source/` notebook is
then handed in as the student's work. Students never see nbgrader's delimiters (`### BEGIN SOLUTION`,
hidden tests, mark schemes: generate_assignment removes them) nor the source's solution cells, so a
submission that holds either came from the instructor's files. It is flagged for a human and not credited.
"""

from __future__ import annotations

from autograder.engine.instructor import Instructor
from autograder.engine.sanitize import comparable, grade_id
from autograder.messages import Msg

INSTRUCTOR = "instructor"  # the finding's flag
MAX_LINE = 120
REFUSED = Msg(
    ko="제출한 노트북에 강사만 가진 자료(정답 구분 줄, 숨은 테스트, source/ 의 정답 셀)가 들어 있어 점수를 "
    "주지 않습니다. 조교가 확인합니다.",
    en="The submitted notebook contains material only the instructor has (solution delimiters, hidden "
    "tests, source/'s solution cells), so it earns no points; a TA will look at it.",
)


def findings(cells: list[dict], instructor: Instructor) -> list[dict]:
    """One finding per submitted cell (as `sanitize.submitted_cell` gives) that carries the instructor's material."""
    released_lines = {line for c in instructor.released.cells for line in c["source"].split("\n")}
    released = {comparable(c["source"]) for c in instructor.released.cells}
    source_cells = instructor.source.cells if instructor.source else ()
    solutions = {
        comparable(c["source"]): grade_id(c) or "?"
        for c in source_cells
        if comparable(c["source"]) and comparable(c["source"]) not in released
    }
    found = []
    for number, cell in enumerate(cells, start=1):
        where = grade_id(cell) or f"#{number}"
        marked = next(
            (
                line
                for line in cell["source"].split("\n")
                if line not in released_lines and any(delimiter in line for delimiter in instructor.delimiters)
            ),
            None,
        )
        if marked is not None:
            found.append(
                {"flag": INSTRUCTOR, "cell": where, "detail": f"instructor's delimiter: {marked.strip()[:MAX_LINE]}"}
            )
        elif comparable(cell["source"]) in solutions:
            found.append(
                {
                    "flag": INSTRUCTOR,
                    "cell": where,
                    "detail": f"identical to source/'s cell {solutions[comparable(cell['source'])]}",
                }
            )
    return found
