"""Which submissions of an assignment share more answer code than independent work explains.

Each exercise's answer cell (grade id `<exercise>_answer`) is read from every submitted notebook and
reduced to the code the student wrote:

1. tokens, with comments, layout and the contents of strings dropped, and every name the student chose
   (variables, parameters, helper functions) written as `V`: a renamed or reformatted copy reads the same.
   Keywords, operators, numbers, attributes (`.view`), builtins and imported modules (`torch`, `np`) are kept;
2. less what every student received: the tokens of the released stub of that cell (matched in order), and
   every fragment found anywhere in the released notebook (its locked cells included).

Fragments are runs of `NOISE_TOKENS` tokens, fingerprinted with copydetect's k-gram hashing (its winnowing
with a window of one: every run is kept, so that which fragments count never depends on Python's
per-process string hashes, and the numbers are the same on every run).
A fragment shared by a pair is evidence only where independent work does not explain it: never when it
is in the kit's own answers to the exercise (the model solution, the known correct alternatives and the
known mistakes, which students reach independently), nor when more than `MOST_HOLDERS` submissions hold
it (what many students write alike). A fragment held by n submissions counts 1/(n-1) for each pair.

similarity(a, b) = (tokens of a covered by such fragments + the same for b) / (a's own tokens + b's),
summed over the exercises, each token counted once at the weight of its heaviest fragment: in [0, 1],
1 for two submissions that are copies of each other in every line the students wrote. Pairs are written
to `reports/<A>/similarity.csv`; the class report shows the top ones side by side.
"""

from __future__ import annotations

import builtins
import difflib
import io
import json
import keyword
import re
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import numpy as np
from copydetect.utils import get_copied_slices, get_document_fingerprints

from autograder import kit
from autograder.engine import catalog, intake, locate
from autograder.engine.extract import MAX_NOTEBOOK_BYTES
from autograder.reports import spreadsheet

NOISE_TOKENS = 10  # shortest shared run that counts: longer than a one-line `return t.view(-1)`
MOST_HOLDERS = 3  # a fragment held by more submissions than this is what students write alike
REVIEW_AT = 0.15  # pairs at or above this are shown side by side for a person to judge (chance pairs of the
#                   sample class stay under 0.08, a pair sharing two of ten answers reaches 0.2)
TOP_PAIRS = 5
SHOWN_EXERCISES = 3  # exercises of a pair shown side by side: those where it shares the most code
MIN_GIVEN_RUN = 3  # a run of the stub's tokens shorter than this in an answer is the student's own
MAX_CELL_CHARS = 100_000  # an answer cell is read up to this many characters
KIT_ROOT = kit.ROOT
CSV_COLUMNS = ("student_a", "student_b", "exercises", "similarity")
_DROPPED = {
    tokenize.NEWLINE,
    tokenize.NL,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.COMMENT,
    tokenize.ENCODING,
    tokenize.ENDMARKER,
}
_STRING_PARTS = {tokenize.STRING, *(getattr(tokenize, n) for n in ("FSTRING_MIDDLE",) if hasattr(tokenize, n))}
_KEPT_NAMES = frozenset(dir(builtins))


@dataclass(frozen=True)
class Token:
    text: str  # normalised
    start: int  # where it stands in the cell's source
    end: int


@dataclass
class Answer:
    """One student's answer to one exercise: its source and the tokens they wrote."""

    source: str
    own: list[Token]
    hashes: set = field(default_factory=set)
    where: dict = field(default_factory=dict)  # fingerprint -> indexes in `own` where its run starts


@dataclass(frozen=True)
class Pair:
    student_a: str
    student_b: str
    similarity: float
    exercises: tuple[str, ...]  # where they share code independent work does not explain, notebook order


@dataclass(frozen=True)
class Shown:
    """One exercise of a pair, side by side: each source cut into (text, shared) segments."""

    exercise: str
    a: list[tuple[str, bool]]
    b: list[tuple[str, bool]]


@dataclass
class Analysis:
    assignment: str
    students: list[str]
    pairs: list[Pair]  # every pair with similarity > 0, most similar first
    unreadable: list[str]  # students whose notebook could not be read (not compared)
    answers: dict = field(default_factory=dict, repr=False)  # (student, exercise) -> Answer
    shared: dict = field(default_factory=dict, repr=False)  # (a, b) -> {exercise: {fingerprint: weight}}

    def top(self, at_least: float = REVIEW_AT, most: int = TOP_PAIRS) -> list[Pair]:
        return [p for p in self.pairs if p.similarity >= at_least][:most]

    def side_by_side(self, pair: Pair, most: int = SHOWN_EXERCISES) -> list[Shown]:
        """The exercises where a pair shares the most code (at most `most`, in notebook order), each
        answer with the shared regions marked."""
        shared = self.shared[(pair.student_a, pair.student_b)]
        amount = {
            e: sum(_covered(self.answers[(s, e)], shared[e]).sum() for s in (pair.student_a, pair.student_b))
            for e in pair.exercises
        }
        chosen = sorted(pair.exercises, key=lambda e: -amount[e])[:most]
        return [
            Shown(e, *(_segments(self.answers[(s, e)], shared[e]) for s in (pair.student_a, pair.student_b)))
            for e in pair.exercises
            if e in chosen
        ]


# -- reading what the students wrote -------------------------------------------------------------------


def answer_cells(notebook: dict) -> dict[str, str]:
    """{exercise id: source} of the answer cells (nbgrader grade id `<id>_answer`) of a parsed notebook."""
    found = {}
    for cell in notebook.get("cells", []) if isinstance(notebook, dict) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        metadata = cell.get("metadata")
        nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
        grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
        source = cell.get("source", "")
        source = "".join(s for s in source if isinstance(s, str)) if isinstance(source, list) else source
        if isinstance(grade_id, str) and grade_id.endswith("_answer") and isinstance(source, str):
            found[grade_id.removesuffix("_answer")] = source[:MAX_CELL_CHARS]
    return found


def code_cells(notebook: dict) -> list[str]:
    sources = [
        c.get("source", "") for c in notebook.get("cells", []) if isinstance(c, dict) and c.get("cell_type") == "code"
    ]
    return [
        "".join(s for s in source if isinstance(s, str)) if isinstance(source, list) else str(source)
        for source in sources
    ]


def read_notebook(path: Path) -> dict | None:
    try:
        data = json.loads(intake.read_bytes(path, MAX_NOTEBOOK_BYTES).decode("utf-8-sig"))
    except (intake.Refused, ValueError, RecursionError):  # a link, a FIFO, too large...: never read
        return None
    return data if isinstance(data, dict) and isinstance(data.get("cells"), list) else None


def imported_names(sources: list[str]) -> frozenset[str]:
    """Names bound by import statements (`torch`, `np`): library names, kept as written."""
    names = set()
    for source in sources:
        for match in re.finditer(r"^[ \t]*(?:from[ \t]+\S+[ \t]+)?import[ \t]+([^\n#;]+)", source, re.MULTILINE):
            for part in match.group(1).strip("()\\ \t").split(","):
                words = part.split()
                if words:
                    names.add(words[-1] if len(words) == 3 and words[1] == "as" else words[0].split(".")[0])
    return frozenset(names)


def tokens(source: str, kept: frozenset[str] = frozenset()) -> list[Token]:
    """The cell's tokens, normalised: names the student chose become `V`, strings `S`; keywords, operators,
    numbers, attributes, keyword arguments and the `kept` names stay as written; layout and comments are
    dropped. Code that does not tokenize to the end keeps the tokens before the error."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", source)]  # tokenize's rows end at "\n" only
    raw = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source, newline="\n").readline):
            if token.type not in _DROPPED and token.string.strip():
                raw.append(token)
    except (tokenize.TokenError, SyntaxError):
        pass
    found, depth = [], 0
    for index, token in enumerate(raw):
        text = token.string
        depth += (text in "([{") - (text in ")]}") if token.type == tokenize.OP else 0
        if token.type == tokenize.NAME and not (
            keyword.iskeyword(text)
            or text in kept
            or (index and raw[index - 1].string == ".")
            or (depth > 0 and index + 1 < len(raw) and raw[index + 1].string == "=")
        ):
            text = "V"
        elif token.type in _STRING_PARTS:
            text = "S"
        found.append(
            Token(
                text,
                *(line_starts[min(row, len(line_starts)) - 1] + column for row, column in (token.start, token.end)),
            )
        )
    return found


def own_tokens(answer: list[Token], stub: list[Token], given: set) -> list[Token]:
    """The answer's tokens less what the student received: the runs it shares, in order, with the released
    stub of its cell, then every token inside a fragment found in the released notebook (`given`)."""
    matcher = difflib.SequenceMatcher(None, [t.text for t in stub], [t.text for t in answer], autojunk=False)
    received = {
        i
        for block in matcher.get_matching_blocks()
        if block.size >= MIN_GIVEN_RUN
        for i in range(block.b, block.b + block.size)
    }
    rest = [t for i, t in enumerate(answer) if i not in received]
    hashes, where = fingerprints([t.text for t in rest])
    received = {i + j for fingerprint in hashes & given for i in where[fingerprint] for j in range(NOISE_TOKENS)}
    return [t for i, t in enumerate(rest) if i not in received]


def fingerprints(texts: list[str]) -> tuple[set, dict]:
    if len(texts) < NOISE_TOKENS:
        return set(), {}
    hashes, where = get_document_fingerprints(tuple(texts), NOISE_TOKENS, 1)
    return hashes, where


def kit_answers(assignment: str) -> dict[str, list[str]]:
    """The kit's own answers to each exercise: model solution, correct alternatives, known mistakes."""
    found: defaultdict[str, list[str]] = defaultdict(list)
    source = read_notebook(KIT_ROOT / "source" / assignment / f"{assignment}.ipynb")
    for exercise_id, code in answer_cells(source or {}).items():
        found[exercise_id].append(re.sub(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*$", "", code, flags=re.MULTILINE))
    for exercise in catalog.for_assignment(assignment):
        found[exercise.id] += [a.source for a in exercise.alternatives] + [m.source for m in exercise.mutants]
    return found


# -- comparing ------------------------------------------------------------------------------------------


def compare(notebooks: dict[str, Path], released: Path, assignment: str) -> Analysis:
    """Every pair of the submitted notebooks ({student: path}) of an assignment, against its release."""
    release = read_notebook(released) or {}
    given_code = code_cells(release)
    kept = _KEPT_NAMES | imported_names(given_code)
    stubs = {e: tokens(s, kept) for e, s in answer_cells(release).items()}
    given = set().union(*(fingerprints([t.text for t in tokens(cell, kept)])[0] for cell in given_code))

    def written(source: str, exercise: str, names: frozenset[str]) -> list[Token]:
        return own_tokens(tokens(source, names), stubs.get(exercise, []), given)

    explained = set().union(
        *(
            fingerprints([t.text for t in written(code, exercise, kept)])[0]
            for exercise, sources in kit_answers(assignment).items()
            for code in sources
        )
    )

    analysis = Analysis(assignment, sorted(notebooks), [], [])
    holders: dict[tuple[str, int], list[str]] = defaultdict(list)  # (exercise, fingerprint) -> students
    size: dict[str, int] = defaultdict(int)
    for student in analysis.students:
        notebook = read_notebook(notebooks[student])
        if notebook is None:
            analysis.unreadable.append(student)
            continue
        cells = answer_cells(notebook)
        names = kept | imported_names(code_cells(notebook))
        for exercise, source in cells.items():
            own = written(source, exercise, names)
            hashes, where = fingerprints([t.text for t in own])
            answer = Answer(source, own, hashes - explained, where)
            analysis.answers[(student, exercise)] = answer
            size[student] += len(own)
            for fingerprint in answer.hashes:
                holders[(exercise, fingerprint)].append(student)

    for (exercise, fingerprint), students in holders.items():
        if 2 <= len(students) <= MOST_HOLDERS:
            for a, b in combinations(students, 2):
                analysis.shared.setdefault((a, b), {}).setdefault(exercise, {})[fingerprint] = 1 / (len(students) - 1)

    order = {e.id: i for i, e in enumerate(catalog.for_assignment(assignment))}
    for (a, b), by_exercise in analysis.shared.items():
        covered = sum(_covered(analysis.answers[(s, e)], f).sum() for e, f in by_exercise.items() for s in (a, b))
        similarity = float(covered / (size[a] + size[b]))
        exercises = tuple(sorted(by_exercise, key=lambda e: order.get(e, 99)))
        analysis.pairs.append(Pair(a, b, round(similarity, 4), exercises))
    analysis.pairs.sort(key=lambda p: (-p.similarity, p.student_a, p.student_b))
    return analysis


def _covered(answer: Answer, weights: dict) -> np.ndarray:
    """Per own token: the weight of the heaviest shared fragment that covers it (0: none)."""
    covered = np.zeros(len(answer.own))
    for fingerprint, weight in weights.items():
        for start in answer.where.get(fingerprint, ()):
            np.maximum(covered[start : start + NOISE_TOKENS], weight, out=covered[start : start + NOISE_TOKENS])
    return covered


def _segments(answer: Answer, weights: dict) -> list[tuple[str, bool]]:
    """The answer's source cut into (text, shared) pieces: shared where a fragment of the pair covers it."""
    starts = [i for fingerprint in weights for i in answer.where.get(fingerprint, ())]
    slices = get_copied_slices(np.array(starts, dtype=int), NOISE_TOKENS)
    pieces, at = [], 0
    for first, last in zip(*slices, strict=True):
        begin, end = answer.own[int(first)].start, answer.own[int(last) - 1].end
        if begin > at:
            pieces.append((answer.source[at:begin], False))
        pieces.append((answer.source[begin:end], True))
        at = end
    if at < len(answer.source):
        pieces.append((answer.source[at:], False))
    return pieces


# -- a course -------------------------------------------------------------------------------------------


def released_notebook(course: locate.Course, assignment: str) -> Path:
    """The notebook the students were given: the course's release, else the kit's own."""
    coursedir = course.coursedir
    path = Path(coursedir.format_path(coursedir.release_directory, ".", assignment)) / f"{assignment}.ipynb"
    return path if path.is_file() else KIT_ROOT / "release" / assignment / f"{assignment}.ipynb"


def analyse_course(course: str | Path | locate.Course, assignment: str) -> Analysis:
    course = locate.course(course)
    notebooks = {s.student: s.notebook for s in course.submissions(assignment) if s.refused is None}
    return compare(notebooks, released_notebook(course, assignment), assignment)


def write_csv(analysis: Analysis, path: Path) -> Path:
    """One row per pair, through `spreadsheet` (the ids are the students' text)."""
    return spreadsheet.write(
        path,
        CSV_COLUMNS,
        (
            [pair.student_a, pair.student_b, ";".join(pair.exercises), f"{pair.similarity:.4f}"]
            for pair in analysis.pairs
        ),
    )
