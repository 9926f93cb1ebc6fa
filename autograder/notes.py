"""The course notes "010. PyTorch basic", as far as the kit needs them: their sections, in order.

The notes themselves are not part of the kit. Every exercise names the section it belongs to
(`Exercise.heading`), and the coverage table, the feedback pages and the reports follow these
sections; so the headings live here, once, exactly as the notes write them (trailing spaces aside).
Two are easy to take for typos and are not: `tensor 생성` and `Tensor 생성` are different sections,
and `기타` ("misc.") is empty in the notes. `BUILDS_ON` says, beside them, which earlier sections each
section uses, so that the term report can tell who is missing a foundation that later sections need.
"""

from __future__ import annotations

from typing import NamedTuple

TITLE = "010. PyTorch basic"


class Section(NamedTuple):
    heading: str
    level: int  # 2 for "##", 3 for "###" in the notes


SECTIONS = tuple(
    Section(heading, level)
    for level, heading in (
        (2, "Tensor Data Types"),
        (3, "torch.tensor 함수"),
        (2, "1D Tensor Operation"),
        (3, "tensor 생성"),
        (3, "Tensor Type 변환"),
        (3, "Tensor 생성"),
        (2, "Tensor 의 shape & dimension (rank)"),
        (2, "reshape"),
        (2, "numpy 와 tensor 간의 호환성"),
        (2, "Scalar value"),
        (2, "pandas 및 python list 와의 호환성"),
        (2, "Tensor 의 indexing & slicing"),
        (2, "Basic Operations - numpy 와 동일"),
        (2, "기타"),
        (2, "torch.linspace 와 np.linspace 비교"),
        (2, "torch.arange 와 np.arange 비교"),
        (2, "2D Tensor Operation"),
        (2, "matrix 간의 연산"),
        (2, "matrix multiplication"),
        (3, "Concatenation"),
        (3, "torch.sum, torch.max, torch.min, torch.argmax, torch.argmin"),
        (2, "TORCH.AUTOGRAD를 이용한 자동 미분"),
        (2, "편미분"),
        (2, "backpropagation"),
        (3, "Gradient 계산"),
        (3, "그라디언트 추적 비활성화"),
        (3, "CUDA Tensors"),
    )
)
HEADINGS = tuple(section.heading for section in SECTIONS)

# Which earlier sections each section uses: a student who has not mastered a section that later ones
# build on is at risk in those later ones (the term report lists them). Every name is a heading above.
BUILDS_ON: dict[str, tuple[str, ...]] = {
    "torch.tensor 함수": ("Tensor Data Types",),
    "1D Tensor Operation": ("torch.tensor 함수",),
    "tensor 생성": ("Tensor Data Types", "torch.tensor 함수"),
    "Tensor Type 변환": ("Tensor Data Types",),
    "Tensor 생성": ("Tensor Data Types",),
    "Tensor 의 shape & dimension (rank)": ("torch.tensor 함수",),
    "reshape": ("Tensor 의 shape & dimension (rank)",),
    "numpy 와 tensor 간의 호환성": ("Tensor Data Types", "torch.tensor 함수"),
    "Scalar value": ("Tensor 의 shape & dimension (rank)",),
    "pandas 및 python list 와의 호환성": ("numpy 와 tensor 간의 호환성",),
    "Tensor 의 indexing & slicing": ("Tensor 의 shape & dimension (rank)", "reshape"),
    "Basic Operations - numpy 와 동일": ("Tensor Data Types", "Tensor 의 shape & dimension (rank)"),
    "기타": ("Basic Operations - numpy 와 동일",),
    "torch.linspace 와 np.linspace 비교": ("tensor 생성", "numpy 와 tensor 간의 호환성"),
    "torch.arange 와 np.arange 비교": ("1D Tensor Operation", "numpy 와 tensor 간의 호환성"),
    "2D Tensor Operation": ("Tensor 의 shape & dimension (rank)", "Tensor 의 indexing & slicing"),
    "matrix 간의 연산": ("2D Tensor Operation", "Basic Operations - numpy 와 동일"),
    "matrix multiplication": ("matrix 간의 연산",),
    "Concatenation": ("2D Tensor Operation",),
    "torch.sum, torch.max, torch.min, torch.argmax, torch.argmin": ("2D Tensor Operation",),
    "TORCH.AUTOGRAD를 이용한 자동 미분": ("Tensor Data Types", "Basic Operations - numpy 와 동일"),
    "편미분": ("TORCH.AUTOGRAD를 이용한 자동 미분",),
    "backpropagation": ("편미분", "matrix multiplication"),
    "Gradient 계산": ("backpropagation",),
    "그라디언트 추적 비활성화": ("TORCH.AUTOGRAD를 이용한 자동 미분",),
    "CUDA Tensors": ("Tensor Type 변환",),
}


def later_sections(heading: str) -> tuple[str, ...]:
    """The sections that build on `heading` directly, in the notes' order."""
    return tuple(h for h in HEADINGS if heading in BUILDS_ON.get(h, ()))


FOUNDATIONS = tuple(h for h in HEADINGS if later_sections(h))  # sections that later sections build on


def position(heading: str) -> int:
    """Where a section stands in the notes (0 for the first); ValueError for a heading they do not have."""
    try:
        return HEADINGS.index(heading)
    except ValueError:
        raise ValueError(
            f"{heading!r} is not a heading of the notes {TITLE!r}; "
            f"see autograder/notes.py for the {len(HEADINGS)} headings"
        ) from None
