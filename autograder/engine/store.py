"""Where a batch keeps its verdicts: one JSON file per submission, written so that no crash can tear it.

`<course>/graded/<assignment>/<student>.json` holds `SubmissionResult.to_dict()` plus the `grading_key` it
was graded under (notebook fingerprint, graders, kit and library versions); an id that is not a plain
file name is hashed into one (`file_stem`). A result whose key still matches is reused instead of
re-graded. Files are written to a temporary name and renamed over the old one, so a reader (or a run
resumed after SIGKILL) sees either the old result or the new one. They reach the disk when the batch lets go
of the store (`lock`): an fsync per file kept the grading core idle for milliseconds a submission. After a
power cut in the middle of a batch, a result not yet on disk may be missing or empty: unreadable, so graded
again by the next run.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from autograder.engine.results import SubmissionResult
from autograder.errors import StoreBusy

KEY_FIELD = "grading_key"
_LOCK_NAME = ".lock"
_TEMP_SUFFIX = ".tmp"
_PLAIN = "_.@+-"
_MAX_PLAIN_BYTES = 128


def file_stem(student: str) -> str:
    """A file name for a student id, bounded and collision-free: the id itself where it is short and made
    of letters, digits and `_.@+-` (not starting with a dot), else its safe characters, cut short, then `~`
    and a hash of the whole id. Ids may hold anything a folder name may (`*`, `[`, a newline, 255 bytes)."""
    if (
        len(student.encode()) <= _MAX_PLAIN_BYTES
        and not student.startswith(".")
        and all(c.isalnum() or c in _PLAIN for c in student)
    ):
        return student
    readable = "".join(c if c.isalnum() or c in _PLAIN else "_" for c in student).lstrip(".")
    readable = readable.encode()[: _MAX_PLAIN_BYTES // 2].decode(errors="ignore")
    return f"{readable}~{hashlib.sha256(student.encode()).hexdigest()[:32]}"


class ResultStore:
    def __init__(self, course_root: str | Path, assignment: str) -> None:
        self.folder = Path(course_root) / "graded" / assignment

    def path(self, student: str) -> Path:
        return self.folder / f"{file_stem(student)}.json"

    def load(self, student: str) -> tuple[str | None, SubmissionResult] | None:
        """The stored result and the key it was graded under; None when there is none, it is unreadable
        or it is another student's."""
        try:
            data = json.loads(self.path(student).read_text(encoding="utf-8"))
            result = SubmissionResult.from_dict(data)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return (data.get(KEY_FIELD), result) if result.student == student else None

    def results(self) -> list[SubmissionResult]:
        """Every stored result, by file name; a file that is unreadable or not where its student's result
        would be kept (`path`) is left out."""
        found = []
        for file in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
            try:
                result = SubmissionResult.from_dict(json.loads(file.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if self.path(result.student) == file:
                found.append(result)
        return found

    def save(self, result: SubmissionResult, key: str | None) -> Path:
        """Write atomically; a result saved with no key is never reused (it is graded again next run)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps({KEY_FIELD: key, **result.to_dict()}, ensure_ascii=False, indent=1)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".result.", suffix=_TEMP_SUFFIX)
        try:
            os.fchmod(handle, 0o644)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, self.path(result.student))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        return self.path(result.student)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the assignment's store for one batch; temporary files left by a killed run are removed, and
        what the batch wrote is on disk when it lets go."""
        self.folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.folder / _LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreBusy(f"another grading run holds {self.folder}; wait for it to finish") from None
            for leftover in self.folder.glob(f".*{_TEMP_SUFFIX}"):
                with contextlib.suppress(OSError):
                    leftover.unlink()
            try:
                yield
            finally:
                os.sync()  # once per batch, not once per result
        finally:
            os.close(descriptor)
