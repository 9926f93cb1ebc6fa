"""The course's secret salt: what makes each student's grading inputs unpredictable to anyone without it.

Inputs are drawn from a seed per student, exercise and check (`grade.seed`), and the seed is a hash of
the salt and those names. With a salt that is printed in the kit, anyone who reads the kit could compute
the exact inputs a student will be graded on; so a course grades with a secret of its own:

- `c.Kit.salt` in nbgrader_config.py, where it is set (it wins), else
- the file `c.Kit.salt_file` (default `.autograder-salt` in the course root), made on first use with
  `secrets.token_hex(32)`, mode 0600, created atomically (a complete file linked into place, which fails
  if it exists: two first runs at once agree on one salt).

It must lie outside everything nbgrader hands to students (`source/`, `release/`, `feedback/`, the
exchange). The salt itself never leaves the instructor's processes except to the graders' workers (a
Dask task carries it); results, reports and logs hold only its `fingerprint`, so that a re-grade with
another salt shows as a change. Single notebooks graded outside a course (`grade NOTEBOOK`, practice)
use the kit's public `PRACTICE_SALT`, unless they are given the course's salt file (`--salt-file`, `from_file`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
import stat
import tempfile
import time
from pathlib import Path

from traitlets import Unicode
from traitlets.config import Config, Configurable

from autograder.errors import SaltError

log = logging.getLogger(__name__)

PRACTICE_SALT = "pytorch-basic"  # public: for notebooks graded outside a course, never for a class's grades
SALT_FILE = ".autograder-salt"
MIN_LENGTH = 16
MAX_BYTES = 4096
_DEFAULT_EXCHANGE = "/srv/nbgrader/exchange"  # nbgrader's own default for c.Exchange.root


class Kit(Configurable):
    """The kit's course settings in nbgrader_config.py: `c.Kit.salt`, `c.Kit.salt_file`."""

    salt = Unicode(
        "",
        help="The course's secret salt for the grading inputs (at least 16 characters). Empty: "
        "read salt_file, made on first use. Keep it out of version control (read it "
        "from the environment or a file, not as text in a committed config).",
    ).tag(config=True)
    salt_file = Unicode(
        SALT_FILE,
        help="Where the course's salt is kept when c.Kit.salt is empty, relative to "
        "the course root; made on first use (mode 0600). Back it up with "
        "gradebook.db; never commit it.",
    ).tag(config=True)


class Salt(str):
    """A salt that does not show itself: its repr (in a traceback, a log, a Dask task) is its fingerprint."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<salt sha256:{fingerprint(self)}>"

    def __reduce__(self) -> tuple[type[Salt], tuple[str]]:
        return Salt, (str(self),)


def fingerprint(salt: str) -> str:
    """What results and reports record of a salt: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(str(salt).encode()).hexdigest()[:16]


def of_course(root: str | Path, config: Config) -> Salt:
    """The salt of the course rooted at `root` with nbgrader's `config` (`locate.Course`, or nbgrader's own
    config in `nbgrader autograde`): the configured one, else the salt file's, made if it is missing."""
    settings = Kit(config=config)
    if settings.salt:
        return _checked(settings.salt, "c.Kit.salt in nbgrader_config.py")
    path = Path(root, os.path.expanduser(settings.salt_file))
    _outside_what_students_get(path, Path(root), config)
    return _checked(_read_or_make(path), str(path))


def from_file(path: str | Path) -> Salt:
    """The salt kept in `path`, for notebooks of a course graded one by one (`grade NOTEBOOK --salt-file`: a
    Gradescope autograder carries its course's salt file, which students never see). Never made here: a
    notebook graded with a salt nobody kept could not be graded the same way again."""
    path = Path(os.path.expanduser(path))
    try:
        return _checked(_read(path), str(path))
    except FileNotFoundError:
        raise SaltError(f"there is no salt file {path}: give the course's (c.Kit.salt_file, {SALT_FILE})") from None


def _checked(value: str, where: str) -> Salt:
    value = value.strip()
    if len(value) < MIN_LENGTH:
        raise SaltError(
            f"the course's salt ({where}) is {'empty' if not value else 'too short'}: it must be at "
            f"least {MIN_LENGTH} characters. Restore it from your backup; or delete the salt file to "
            f"make a new one, and every result is graded again with new inputs"
        )
    return Salt(value)


def _outside_what_students_get(path: Path, root: Path, config: Config) -> None:
    """Refuse a salt file inside a folder nbgrader copies to students, or the course's part of the exchange."""
    folders = {
        name: Path(root, config.CourseDirectory.get(f"{name}_directory", name))
        for name in ("source", "release", "feedback")
    }
    folders["exchange"] = Path(
        config.Exchange.get("root", _DEFAULT_EXCHANGE), config.CourseDirectory.get("course_id", "")
    )
    where = path.resolve()
    for name, folder in folders.items():
        if where.is_relative_to(folder.resolve()):
            raise SaltError(
                f"the salt file {path} is inside the course's {name} folder ({folder}), which nbgrader "
                f"hands to students: set c.Kit.salt_file to a path outside it"
            )


def _read_or_make(path: Path) -> str:
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    try:
        _make(path)
    except OSError as error:
        raise SaltError(f"cannot make the course's salt file {path}: {error.strerror or error}") from None
    return _read(path)


def _make(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".salt.", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(handle, "w", encoding="ascii") as stream:
            stream.write(secrets.token_hex(32) + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        with contextlib.suppress(FileExistsError):  # another first run made it: both read the one in place
            _place(temporary, path)
            log.warning(
                "made the course's secret salt %s (mode 0600): back it up with the gradebook and never "
                "commit it; a lost salt means new inputs for every student at the next grading",
                path,
            )
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _place(temporary: str, path: Path) -> None:
    """Put the complete file at `path` unless something is there (FileExistsError): a hard link, or where the
    file system has none, an O_EXCL copy (readers wait for its content, `_read`)."""
    try:
        os.link(temporary, path)
        return
    except FileExistsError:
        raise
    except OSError:
        pass
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    with os.fdopen(handle, "wb") as stream:
        stream.write(Path(temporary).read_bytes())
        stream.flush()
        os.fsync(stream.fileno())


def _read(path: Path, attempts: int = 50) -> str:
    """The salt file's text (FileNotFoundError if there is none). An empty file is waited for a moment
    (another first run may be writing it)."""
    for _ in range(attempts):
        try:  # O_NONBLOCK: a FIFO put there is refused, not waited on
            handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
            status = os.fstat(handle)
            if not stat.S_ISREG(status.st_mode):
                os.close(handle)
                raise SaltError(f"the course's salt file {path} is not a regular file")
            with os.fdopen(handle, "rb") as stream:
                data = stream.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise
        except OSError as error:
            raise SaltError(f"cannot read the course's salt file {path}: {error.strerror or error}") from None
        if len(data) > MAX_BYTES:
            raise SaltError(f"the course's salt file {path} is larger than {MAX_BYTES} bytes: not a salt file")
        if data.strip():
            break
        time.sleep(0.02)
    if status.st_mode & 0o077:
        log.warning(
            "the course's salt file %s can be read by other users (mode %o): chmod 600 it",
            path,
            stat.S_IMODE(status.st_mode),
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SaltError(f"the course's salt file {path} is not UTF-8 text") from None
