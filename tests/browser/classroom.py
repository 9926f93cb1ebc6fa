"""A real class in miniature: an instructor's course that releases an assignment into an exchange, and
a student's JupyterLab (with nbgrader's extensions) on loopback, pointed at the same exchange."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
COURSE_ID = "pytorch-basic"
BIN = Path(sys.executable).parent
LAB_SETTINGS = {
    # No pop-up asking to fetch news from the internet.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    # Every cell in the DOM, so that a locator never meets a cell that is not rendered yet.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


@dataclass(frozen=True)
class Classroom:
    course: Path
    exchange: Path
    student: Path

    @property
    def inbound(self) -> Path:
        return self.exchange / COURSE_ID / "inbound"


@dataclass(frozen=True)
class Lab:
    url: str
    classroom: Classroom


def jupyter_env(home: Path) -> dict[str, str]:
    """The venv's tools first on PATH (nbgrader calls alembic), Korean messages, and the Jupyter and
    IPython state of this run kept in `home`, away from the user's own."""
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "KIT_LANG": "ko",
        "JUPYTER_CONFIG_DIR": str(home / "jupyter-config"),
        "JUPYTER_DATA_DIR": str(home / "jupyter-data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
    }
    env.pop("KIT_EXCHANGE", None)
    return env


def nbgrader_config(course_root: Path, exchange: Path) -> str:
    """The course id and the shared exchange; the cache (where nbgrader remembers a student's submissions)
    beside the exchange, not in the user's home."""
    return (
        f"c = get_config()\nc.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.CourseDirectory.root = {str(course_root)!r}\nc.Exchange.root = {str(exchange)!r}\n"
        f"c.Exchange.cache = {str(exchange.parent / 'cache')!r}\n"
    )


def release(assignment: str, base: Path) -> Classroom:
    """The instructor releases the repository's `release/<assignment>` with `nbgrader release_assignment`."""
    classroom = Classroom(base / "course", base / "exchange", base / "student")
    for folder in (classroom.course, classroom.exchange, classroom.student):
        folder.mkdir()
    shutil.copytree(ROOT / "release" / assignment, classroom.course / "release" / assignment)
    (classroom.course / "nbgrader_config.py").write_text(nbgrader_config(classroom.course, classroom.exchange))
    (classroom.student / "nbgrader_config.py").write_text(nbgrader_config(classroom.student, classroom.exchange))
    done = subprocess.run(
        [str(BIN / "nbgrader"), "release_assignment", assignment],
        cwd=classroom.course,
        env=jupyter_env(base),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (classroom.exchange / COURSE_ID / "outbound" / assignment / f"{assignment}.ipynb").exists(), done.stderr
    return classroom


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {server.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"JupyterLab did not answer within {timeout} s:\n{log.read_text()[-4000:]}")


@contextmanager
def jupyterlab(classroom: Classroom, home: Path):
    """The student's JupyterLab, in the student's folder, on a free loopback port; stopped with SIGTERM
    (which also shuts its kernels down). Its log is kept in the test artefacts."""
    settings = home / "settings"
    for name, values in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "jupyterlab.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                str(BIN / "jupyter"),
                "lab",
                "--no-browser",
                "--ip=127.0.0.1",
                f"--port={port}",
                "--ServerApp.port_retries=0",
                "--IdentityProvider.token=",
                "--allow-root",
                f"--ServerApp.root_dir={classroom.student}",
                f"--LabApp.user_settings_dir={settings}",
                f"--LabApp.workspaces_dir={home / 'workspaces'}",
            ],
            cwd=classroom.student,
            env=jupyter_env(home),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(url, server, log)
        yield Lab(url, classroom)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@dataclass(frozen=True)
class Formgrader:
    """A Jupyter server on a course directory, with nbgrader's formgrader, as a TA logs in to it."""

    url: str
    token: str

    def ask(self, method: str, path: str, body: dict | None = None):
        """One JSON request to the server's API, authenticated by the token."""
        data = json.dumps(body).encode() if body is not None else (b"" if method in ("POST", "PUT") else None)
        request = urllib.request.Request(f"{self.url}{path}", method=method, data=data, headers=self.headers())
        with urllib.request.urlopen(request, timeout=300) as response:
            return json.loads(response.read())

    def headers(self) -> dict[str, str]:
        """What logs a TA's browser in, on every request its pages make."""
        return {"Authorization": f"token {self.token}"}


@contextmanager
def formgrader(root: Path, env: dict[str, str]):
    """`jupyter server` in the course directory (where nbgrader reads the course's config), on a free
    loopback port; stopped with SIGTERM."""
    port, token = free_port(), "kit-test-token"
    command = [
        str(BIN / "jupyter"),
        "server",
        f"--ServerApp.port={port}",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--ServerApp.open_browser=False",
        f"--ServerApp.root_dir={root}",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    server = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    running = Formgrader(f"http://127.0.0.1:{port}", token)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                running.ask("GET", "/api/status")
                break
            except OSError:
                assert server.poll() is None, "the Jupyter server stopped"
                assert time.monotonic() < deadline, "the Jupyter server did not answer within 180 s"
                time.sleep(0.5)
        yield running
    finally:
        server.terminate()
        server.wait(timeout=30)
