"""uniform: seeded torch.rand, float32 values in [0, 1) that anyone can reproduce from the seed."""

import torch

from autograder.authoring import (
    Alternative,
    Edge,
    Exercise,
    Msg,
    Mutant,
    Promise,
    check,
    expect,
    expect_tensor,
    expect_type,
    inputs,
)

EXERCISE = Exercise(
    id="uniform",
    assignment="a01_tensors",
    heading="Tensor 생성",
    title=Msg(ko="seed 를 고정한 균등분포 난수", en="Seeded uniform random numbers"),
    contract=(
        Promise("float32", en="dtype torch.float32, values in [0, 1)", ko="dtype torch.float32, 값은 [0, 1) 범위"),
        Promise(
            "seeded",
            en="exactly the values torch.manual_seed(seed) then torch.rand(shape) give",
            ko="torch.manual_seed(seed) 다음 torch.rand(shape) 이 주는 값과 똑같음",
        ),
        Promise(
            "shapes", en="any shape: 1-D, 3-D, and sizes that are 0", ko="어떤 shape 이든: 1차원, 3차원, 크기 0 포함"
        ),
    ),
    edges=(
        Edge("a 1-D shape", lambda shape, seed: len(shape) == 1),
        Edge("a 3-D shape", lambda shape, seed: len(shape) == 3),
        Edge("a size that is 0", lambda shape, seed: 0 in shape),
    ),
    mutants=(
        Mutant(
            "randn",
            violates="float32",
            says="[0, 1)",
            source="""
def uniform(shape, seed):
    torch.manual_seed(seed)
    return torch.randn(shape)
""",
        ),
        Mutant(
            "float64",
            violates="float32",
            says="float32",
            source="""
def uniform(shape, seed):
    torch.manual_seed(seed)
    return torch.rand(shape, dtype=torch.float64)
""",
        ),
        Mutant(
            "unseeded",
            violates="seeded",
            says="manual_seed",
            source="""
def uniform(shape, seed):
    return torch.rand(shape)
""",
        ),
        Mutant(
            "numpy_rng",
            violates="seeded",
            says="manual_seed",
            source="""
def uniform(shape, seed):
    np.random.seed(seed)
    return torch.from_numpy(np.random.rand(*shape)).float()
""",
        ),
        Mutant(
            "rows_and_columns",
            violates="shapes",
            says="shape",
            source="""
def uniform(shape, seed):
    torch.manual_seed(seed)
    return torch.rand(shape[0], shape[1])
""",
        ),
    ),
    alternatives=(
        Alternative(
            "own_generator",
            """
def uniform(shape, seed):
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(shape, generator=generator)
""",
        ),
        Alternative(
            "unpacked_shape",
            """
def uniform(shape, seed):
    torch.manual_seed(seed)
    return torch.rand(*shape)
""",
        ),
    ),
)


def _seed(rng) -> int:
    return inputs.integer(rng, 1, 2**31 - 1)


def _expect_seeded(student, shape: tuple, seed: int) -> None:
    call = student(shape, seed)
    expected = torch.rand(shape, generator=torch.Generator().manual_seed(seed))
    expect_tensor(call, call.value, expected, inputs=f"shape={shape}, seed={seed}")


@check(
    points=2,
    enforces="float32",
    ko="결과는 [0, 1) 범위의 float32 값이어야 합니다. randn 은 정규분포이고, dtype=torch.float64 는 쓰지 마세요.",
    en="The result must hold float32 values in [0, 1); randn draws from a "
    "normal distribution, and dtype=torch.float64 is not asked for.",
)
def test_float32_in_unit_interval(student, rng):
    shape = (inputs.integer(rng, 80, 120), 100)
    call = student(shape, _seed(rng))
    value = call.value
    expect_type(value, torch.Tensor)
    expect(
        value.dtype == torch.float32 and tuple(value.shape) == shape,
        f"결과가 shape {shape} 의 float32 여야 하는데 {tuple(value.shape)} 의 {value.dtype} 입니다.",
        f"The result should be float32 of shape {shape}, but it is {value.dtype} of shape {tuple(value.shape)}.",
    )
    low, high = float(value.min()), float(value.max())
    expect(
        0 <= low and high < 1,
        f"값이 [0, 1) 범위를 벗어납니다: 최소 {low:.3f}, 최대 {high:.3f}.",
        f"The values are not in [0, 1): min {low:.3f}, max {high:.3f}.",
    )


@check(
    points=2,
    enforces="seeded",
    requires="float32_in_unit_interval",
    ko="torch.manual_seed(seed) 다음 torch.rand(shape) 과 같은 값이어야 합니다. seed 를 고정하지 않거나 "
    "NumPy 난수를 쓰면 값이 달라집니다.",
    en="The values must equal torch.manual_seed(seed) followed by torch.rand(shape); without the seed, or "
    "with NumPy's generator, they differ.",
)
def test_matches_seeded_rand(student, rng):
    for _ in range(2):
        _expect_seeded(student, inputs.shape(rng, 2, 2, 6), _seed(rng))


@check(
    points=1,
    enforces="shapes",
    requires="matches_seeded_rand",
    ko="어떤 shape 이든 (1차원, 3차원, 크기 0 인 차원 포함) 같은 규칙을 따라야 합니다.",
    en="Any shape must work the same way, 1-D and 3-D ones and ones with a zero-size dimension included.",
)
def test_any_shape(student, rng):
    for shape in (inputs.shape(rng, 1, 1, 6), inputs.shape(rng, 3, 1, 4), (inputs.integer(rng, 1, 4), 0)):
        _expect_seeded(student, shape, _seed(rng))
