#!/usr/bin/env bash
# The kit's GPU checks, in one run on a lent GPU machine (an NVIDIA H200 with Python 3.12 and torch's CUDA build):
#
#   bash scripts/device_check.sh        # from anywhere in the repository; carry the ignored folder .whl
#
# CI and the kit's own machines have no GPU: tests/sandbox/test_cuda.py skips there, and this is how it runs. The script
# installs the carried wheels the GPU image lacks (.whl/*.whl: pytest as pinned, pyseccomp where libseccomp
# exists), prints the machine's facts, then runs pytest in phases, each under a timeout, all within
# DEVICE_CHECK_SECONDS (default 380):
#   cuda      tests/sandbox/test_cuda.py: CUDA tensors across the boundary, the device exercises' graders, the sandbox
#   cpu       the CPU tests of the same code: test_codec, test_exercises (device exercises), test_grade_protocol
#   sandbox   tests/sandbox/test_sandbox.py: the sandbox's layers and limits with torch's CUDA build
# The whole log goes to $OUT/device_log.txt and each phase's results to $OUT/junit-<phase>.xml. Without $OUT (a
# dry run elsewhere) they go to a new temporary folder. PYTHON picks the interpreter (default python3).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

PYTHON=${PYTHON:-python3}
OUT=${OUT:-$(mktemp -d -t device-check-XXXXXX)}
BUDGET=${DEVICE_CHECK_SECONDS:-380}
DEADLINE=$((SECONDS + BUDGET))
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
export PYTEST_DISABLE_PLUGIN_AUTOLOAD=1  # the image's pytest plugins are not the kit's: load none, as CI has none
failed=0

install_wheels() {
    local wheels=() wheel
    for wheel in .whl/*.whl; do
        [[ -e $wheel ]] || continue
        if [[ $(basename "$wheel") == pyseccomp-* ]] &&
            ! "$PYTHON" -c 'import ctypes.util, sys; sys.exit(ctypes.util.find_library("seccomp") is None)'; then
            echo "no libseccomp here: pyseccomp left out (it would stop the sandbox from starting at all)"
            continue
        fi
        wheels+=("$wheel")
    done
    if ((${#wheels[@]} == 0)); then
        echo "no wheels to install"
        return
    fi
    local pip=("$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade)
    # Into the interpreter's own environment: the sandbox's zygote runs `python -I`, which ignores PYTHONPATH.
    if "${pip[@]}" "${wheels[@]}"; then
        echo "installed into $("$PYTHON" -c 'import sysconfig; print(sysconfig.get_path("purelib"))'): ${wheels[*]}"
    elif "${pip[@]}" --target /tmp/site "${wheels[@]}"; then
        export PYTHONPATH=/tmp/site
        echo "installed into /tmp/site (PYTHONPATH; the zygote will not see pyseccomp): ${wheels[*]}"
    else
        echo "the carried wheels did not install"
        failed=1
    fi
}

facts() {
    echo "== the machine"
    uname -srm
    echo "cpus: $(nproc); memory: $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
    echo "LSMs: $(cat /sys/kernel/security/lsm 2>/dev/null)"
    echo "cgroup fs: $(stat -fc %T /sys/fs/cgroup 2>/dev/null); GPU device files: $(echo /dev/nvidia*)"
    ldconfig -p 2>/dev/null | grep -E 'libseccomp\.so|libcuda\.so\.1' | sed 's/^\s*/library: /'
    timeout 30 nvidia-smi || echo "nvidia-smi failed"
    timeout 120 "$PYTHON" - <<'EOF'
import importlib.metadata
import os
import sys
import time


def status():
    fields = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
    return ", ".join(f"{key} {' '.join(fields[key].split())}" for key in ("VmSize", "VmRSS", "Threads"))


def version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "missing"


print(f"python {sys.version.split()[0]} at {sys.executable}")
print(", ".join(f"{name} {version(name)}" for name in (
    "torch", "numpy", "pandas", "pytest", "pluggy", "iniconfig", "packaging", "pygments", "psutil", "pyseccomp")))
started = time.perf_counter()
import torch  # noqa: E402

print(f"import torch ({torch.__version__}, CUDA {torch.version.cuda}): {time.perf_counter() - started:.1f} s; "
      f"{status()}")
started = time.perf_counter()
available = torch.cuda.is_available()
print(f"torch.cuda.is_available() = {available}: {time.perf_counter() - started:.1f} s; {status()}")
if available:
    child = os.fork()  # what the sandbox's zygote does after its warm-up asked the same question
    if child == 0:
        try:
            torch.ones(1, device="cuda")
            print("a process forked after is_available() can use cuda")
        except Exception as error:  # noqa: BLE001
            print(f"a process forked after is_available(): is_available() = {torch.cuda.is_available()}, "
                  f"in bad fork = {torch.cuda._is_in_bad_fork()}, cuda fails: {type(error).__name__}: {error}")
        os._exit(0)
    os.waitpid(child, 0)
    torch.ones(1, device="cuda")
    print(f"{torch.cuda.get_device_name()} {torch.cuda.get_device_capability()}; after a first CUDA tensor: {status()}")
sys.path.insert(0, ".")
from autograder.sandbox import landlock  # noqa: E402

print(f"Landlock ABI {landlock.abi()}; running as uid {os.geteuid()}")
EOF
}

phase() {  # phase NAME CAP_SECONDS DIRECTORY PYTEST_ARGUMENTS...
    local name=$1 cap=$2 directory=$3
    shift 3
    local left=$((DEADLINE - SECONDS - 5))
    if ((left < 30)); then
        echo "== $name: skipped, only ${left} s left"
        failed=1
        return
    fi
    local limit=$((cap < left ? cap : left))
    echo "== $name: pytest $* (at most ${limit} s)"
    (cd "$directory" && timeout -k 10 "$limit" "$PYTHON" -m pytest -p no:cacheprovider -q \
        -o faulthandler_timeout=100 -o junit_logging=all --junitxml="$OUT/junit-$name.xml" "$@")
    local code=$?
    echo "== $name: exit $code$( ((code == 124 || code == 137)) && echo ", killed at its ${limit} s limit")"
    ((code == 0)) || failed=1
}

main() {
    echo "== device check: $(date -u +%FT%TZ), budget ${BUDGET} s, results in $OUT"
    install_wheels
    facts
    phase cuda 200 . -rA tests/sandbox/test_cuda.py
    phase cpu 90 . -ra tests/boundary/test_codec.py tests/boundary/test_grade_protocol.py tests/authoring/test_exercises.py \
        -k "not test_exercises or to_device or add_on_device"
    phase sandbox 100 . -ra tests/sandbox/test_sandbox.py
    echo "== device check done in ${SECONDS} s: $( ((failed)) && echo "something failed" || echo "all passed")"
    return "$failed"
}

mkdir -p "$OUT"
main 2>&1 | tee "$OUT/device_log.txt"
exit "${PIPESTATUS[0]}"
