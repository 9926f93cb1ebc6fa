"""The course notes "010. PyTorch basic", as far as the kit needs them: their sections, in order.

The notes themselves are not part of the kit. Every exercise names the section it belongs to
(`Exercise.heading`), and the coverage table, the feedback pages and the reports follow these
sections; so the headings live here, once, exactly as the notes write them (trailing spaces aside).
Two are easy to take for typos and are not: `tensor 생성` and `Tensor 생성` are different sections,
and `기타` ("misc.") is empty in the notes.
"""

from __future__ import annotations

from typing import NamedTuple

TITLE = "010. PyTorch basic"


class Section(NamedTuple):
    heading: str
    level: int  # 2 for "##", 3 for "###" in the notes


SECTIONS = tuple(Section(heading, level) for level, heading in (
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
))
HEADINGS = tuple(section.heading for section in SECTIONS)


def position(heading: str) -> int:
    """Where a section stands in the notes (0 for the first); ValueError for a heading they do not have."""
    try:
        return HEADINGS.index(heading)
    except ValueError:
        raise ValueError(f"{heading!r} is not a heading of the notes {TITLE!r}; "
                         f"see autograder/notes.py for the {len(HEADINGS)} headings") from None
