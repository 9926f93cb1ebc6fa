"""The student's side of the boundary when it runs in the grader's own process (InProcess, `--no-sandbox`)."""

from __future__ import annotations

import random
import warnings

import numpy as np
import torch

from autograder.boundary import child, codec

MEDDLER = """
import warnings
warnings.simplefilter("ignore")
def meddle():
    warnings.resetwarnings()
    warnings.simplefilter("error")
    return 1
"""


def test_student_code_leaves_the_graders_warning_filters_as_they_were():
    before = list(warnings.filters)
    program = child.StudentProgram([{"index": 0, "source": MEDDLER}])
    header, decoded = codec.decode(program.call("meddle", [], {}))
    assert decoded.value["value"] == 1 and header["error"] is None
    assert warnings.filters == before


def test_student_code_runs_under_default_warning_filters_whatever_the_host_set():
    source = "import warnings\ndef warn():\n    warnings.warn('careful')\n    return 2\n"
    program = child.StudentProgram([{"index": 0, "source": source}])
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("error")  # as pytest's filterwarnings=error does
        header, decoded = codec.decode(program.call("warn", [], {}))
    assert header["error"] is None and decoded.value["value"] == 2  # under "error" the warning would raise


def test_a_process_without_a_usable_gpu_offers_cpu_and_meta():
    devices, withheld = child.usable_devices()
    if not torch.cuda.is_available():
        assert (devices, withheld) == (["cpu", "meta"], {})
    else:
        assert "cuda" in devices or withheld["cuda"]


def test_a_program_told_there_is_no_gpu_never_offers_one_and_says_why():
    program = child.StudentProgram([], no_gpu="no GPU here")
    header, _ = codec.decode(program.ready())
    assert header["devices"] == ["cpu", "meta"] and header["withheld"] == {"cuda": "no GPU here"}


RESEEDER = """
import random, numpy as np, torch
random.seed(123); np.random.seed(123); torch.manual_seed(123); random.gauss(0, 1)
torch.set_default_dtype(torch.float64)
def draw(reseed):
    values = [random.random(), random.gauss(0, 1), float(np.random.rand()), float(torch.rand(())),
              str(torch.ones(1).dtype)]
    random.seed(reseed); np.random.seed(reseed); torch.manual_seed(reseed); torch.set_default_dtype(torch.float16)
    return values
"""


def test_every_call_starts_from_the_same_seeds_and_defaults_whatever_earlier_code_changed():
    program = child.StudentProgram([{"index": 0, "source": RESEEDER}])
    first, second = (codec.decode(program.call("draw", [seed], {}))[1].value["value"] for seed in (1, 2))
    child.reset_global_state()
    expected = [random.random(), random.gauss(0, 1), float(np.random.rand()), float(torch.rand(())), "torch.float32"]
    assert first == second == expected
