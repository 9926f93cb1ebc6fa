"""standardize: z-scores with torch's default sample std (n - 1), which differs from NumPy's np.std (n)."""

import torch

from autograder.authoring import (
    Alternative,
    Edge,
    Exercise,
    Msg,
    Mutant,
    Promise,
    check,
    close,
    expect,
    expect_tensor,
    expect_type,
    expect_unchanged,
    inputs,
    show,
)

EXERCISE = Exercise(
    id="standardize",
    assignment="a03_operations",
    heading="기타",
    title=Msg(ko="표준화 (평균 0, 표준편차 1)", en="Standardize (mean 0, standard deviation 1)"),
    contract=(
        Promise(
            "centered",
            en="centered: t.mean() is subtracted, so the result has mean 0",
            ko="t.mean() 을 빼서 결과의 평균이 0",
        ),
        Promise(
            "scaled",
            en="scaled by torch's default sample std (divides by n - 1, correction=1), not np.std's "
            "(divides by n): the result's std() is 1",
            ko="torch 의 기본 표본 표준편차 (n - 1 로 나눔, correction=1) 로 나눔, np.std (n 으로 나눔) 가 아님: "
            "결과의 std() 는 1",
        ),
        Promise("unchanged", en="t is not modified", ko="t 를 바꾸지 않음"),
    ),
    edges=(
        Edge("a 1-D tensor", lambda t: t.dim() == 1),
        Edge("a transpose (not contiguous)", lambda t: not t.is_contiguous()),
        Edge("negative values", lambda t: bool((t < 0).any())),
        Edge("few elements (n - 1 and n differ a lot)", lambda t: t.numel() <= 4),
    ),
    mutants=(
        Mutant(
            "population_std",
            violates="scaled",
            says="n - 1",
            source="""
def standardize(t):
    return (t - t.mean()) / t.std(unbiased=False)
""",
        ),
        Mutant(
            "numpy_std",
            violates="scaled",
            says="np.std",
            source="""
def standardize(t):
    return (t - t.mean()) / float(np.std(t.numpy()))
""",
        ),
        Mutant(
            "no_mean",
            violates="centered",
            says="subtract",
            source="""
def standardize(t):
    return t / t.std()
""",
        ),
        Mutant(
            "in_place",
            violates="unchanged",
            says="modif",
            source="""
def standardize(t):
    return t.sub_(t.mean()).div_(t.std())
""",
        ),
    ),
    alternatives=(
        Alternative(
            "correction_keyword",
            """
def standardize(t):
    return (t - torch.mean(t)) / torch.std(t, correction=1)
""",
        ),
        Alternative(
            "by_hand",
            """
def standardize(t):
    centered = t - t.sum() / t.numel()
    return centered / torch.sqrt((centered ** 2).sum() / (t.numel() - 1))
""",
        ),
    ),
)


def _input(rng, transposed: bool | None = None, size: int | None = None):
    """A float32 tensor that is not constant: 1-D of 3 to 12 elements, or a non-contiguous 2-D transpose (if
    asked, else sometimes)."""
    if not (inputs.integer(rng, 0, 1) if transposed is None else transposed):
        t = inputs.tensor(rng, (size or inputs.integer(rng, 3, 12),), torch.float32, -50, 50)
    else:
        t = inputs.transposed(rng, inputs.integer(rng, 2, 3), inputs.integer(rng, 2, 4))
    t[0] = t[0] + 60.0  # never constant
    return t


def _result(call, t):
    value = call.value
    expect_type(value, torch.Tensor)
    expect(
        value.dtype == torch.float32 and value.shape == t.shape,
        f"결과는 입력과 같은 shape {tuple(t.shape)} 의 float32 텐서여야 합니다.",
        f"The result must be a float32 tensor of the input's shape {tuple(t.shape)}.",
    )
    return value


def _expected(t):
    t64 = t.double()
    return ((t64 - t64.mean()) / t64.std()).float()


@check(
    points=2,
    enforces=("centered", "scaled"),
    ko="결과는 (t - t.mean()) / t.std() 이어야 합니다 (float32, 입력과 같은 shape).",
    en="The result must be (t - t.mean()) / t.std() (float32, with the input's shape).",
)
def test_values(student, rng):
    for t in (_input(rng, False, inputs.integer(rng, 3, 4)), _input(rng, True), _input(rng)):
        call = student(t)
        expect_tensor(call, call.value, _expected(t), computed_in=torch.float32, inputs=f"t={show(t)}")


@check(
    points=1,
    enforces="centered",
    ko="표준화한 결과의 평균은 0 이어야 합니다: 표준편차로 나누기 전에 평균을 빼세요 (subtract the mean).",
    en="The standardized values must have mean 0: subtract the mean before dividing by the standard deviation.",
)
def test_mean_zero(student, rng):
    t = _input(rng)
    mean = float(_result(student(t), t).double().mean())
    expect(close(mean, 0.0, torch.float32), f"결과의 평균이 {mean:.4f} 입니다.", f"Your result has mean {mean:.4f}.")


@check(
    points=2,
    enforces="scaled",
    ko="torch.std 는 기본으로 n - 1 로 나누는 표본 표준편차 (unbiased, correction=1) 이고, np.std 는 기본으로 n 으로 나눕니다. t.std() 의 기본값을 "
    "쓰세요: 결과의 t.std() 가 1 이어야 합니다.",
    en="torch.std divides by n - 1 by default (the sample std: unbiased, correction=1), while np.std divides by n. "
    "Use t.std()'s default, so that your result's std() is 1.",
)
def test_sample_std_one(student, rng):
    t = _input(rng)
    std = float(_result(student(t), t).double().std())
    expect(
        close(std, 1.0, torch.float32),
        f"결과의 표본 표준편차가 {std:.4f} 입니다 (n = {t.numel()}).",
        f"Your result's sample standard deviation is {std:.4f} (n = {t.numel()}).",
    )


@check(
    points=1,
    enforces="unchanged",
    requires="values",
    ko="입력 텐서를 바꾸면 안 됩니다 (sub_ 같은 in-place 연산을 쓰지 마세요).",
    en="The input tensor must not be modified (no in-place operations such as sub_).",
)
def test_input_unchanged(student, rng):
    t = _input(rng)
    call = student(t.clone())
    _result(call, t)
    expect_unchanged(t, call.args[0])
