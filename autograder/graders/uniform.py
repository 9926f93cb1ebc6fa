"""uniform: seeded torch.rand, float32 values in [0, 1) that anyone can reproduce from the seed."""

import torch

from autograder import inputs
from autograder.expect import expect, expect_tensor, expect_type
from autograder.messages import Msg
from autograder.spec import Alternative, Exercise, Mutant, check

EXERCISE = Exercise(
    id="uniform",
    assignment="a01_tensors",
    heading="Tensor 생성",
    title=Msg(ko="seed 를 고정한 균등분포 난수", en="Seeded uniform random numbers"),
    order=7,
    mutants=(
        Mutant("randn", kills=("float32_in_unit_interval",), says="[0, 1)", source='''
def uniform(shape, seed):
    torch.manual_seed(seed)
    return torch.randn(shape)
'''),
        Mutant("unseeded", kills=("matches_seeded_rand",), says="manual_seed", source='''
def uniform(shape, seed):
    return torch.rand(shape)
'''),
        Mutant("numpy_rng", kills=("matches_seeded_rand",), says="manual_seed", source='''
def uniform(shape, seed):
    np.random.seed(seed)
    return torch.from_numpy(np.random.rand(*shape)).float()
'''),
        Mutant("float64", kills=("float32_in_unit_interval",), says="float32", source='''
def uniform(shape, seed):
    torch.manual_seed(seed)
    return torch.rand(shape, dtype=torch.float64)
'''),
    ),
    alternatives=(
        Alternative("own_generator", '''
def uniform(shape, seed):
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(shape, generator=generator)
'''),
        Alternative("unpacked_shape", '''
def uniform(shape, seed):
    torch.manual_seed(seed)
    return torch.rand(*shape)
'''),
    ),
)


def _seed(rng) -> int:
    return inputs.integer(rng, 1, 2**31 - 1)


def _expect_seeded(student, shape: tuple, seed: int) -> None:
    call = student(shape, seed)
    expected = torch.rand(shape, generator=torch.Generator().manual_seed(seed))
    expect_tensor(call, call.value, expected, inputs=f"shape={shape}, seed={seed}")


@check(points=2, ko="torch.manual_seed(seed) 다음 torch.rand(shape) 과 같은 값이어야 합니다. seed 를 고정하지 않거나 "
                    "NumPy 난수를 쓰면 값이 달라집니다.",
       en="The values must equal torch.manual_seed(seed) followed by torch.rand(shape); without the seed, or "
          "with NumPy's generator, they differ.")
def test_matches_seeded_rand(student, rng):
    for ndim in (1, 2):
        _expect_seeded(student, inputs.shape(rng, ndim, 2, 6), _seed(rng))


@check(points=2, ko="결과는 [0, 1) 범위의 float32 값이어야 합니다. randn 은 정규분포이고, "
                    "dtype=torch.float64 는 쓰지 마세요.",
       en="The result must hold float32 values in [0, 1); randn draws from a "
          "normal distribution, and dtype=torch.float64 is not asked for.")
def test_float32_in_unit_interval(student, rng):
    shape = (inputs.integer(rng, 80, 120), 100)
    call = student(shape, _seed(rng))
    value = call.value
    expect_type(value, torch.Tensor)
    expect(value.dtype == torch.float32 and tuple(value.shape) == shape,
           f"결과가 shape {shape} 의 float32 여야 하는데 {tuple(value.shape)} 의 {value.dtype} 입니다.",
           f"The result should be float32 of shape {shape}, but it is {value.dtype} of shape {tuple(value.shape)}.")
    low, high = float(value.min()), float(value.max())
    expect(0 <= low and high < 1,
           f"값이 [0, 1) 범위를 벗어납니다: 최소 {low:.3f}, 최대 {high:.3f}.",
           f"The values are not in [0, 1): min {low:.3f}, max {high:.3f}.")


@check(points=1, ko="어떤 shape 이든 (3차원, 크기 0 인 차원 포함) 같은 규칙을 따라야 합니다.",
       en="Any shape must work the same way, 3-D ones and ones with a zero-size dimension included.")
def test_any_shape(student, rng):
    for shape in (inputs.shape(rng, 3, 1, 4), (inputs.integer(rng, 1, 4), 0)):
        _expect_seeded(student, shape, _seed(rng))
