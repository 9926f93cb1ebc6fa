"""Read a file from a student's submission folder without trusting what the file is.

`submitted/` holds whatever `nbgrader collect`, an LMS download or a TA's copy put there, and the kit reads
it as a user who can read more than any student (often root). So a file is opened without following a
link (`O_NOFOLLOW`: a link to a classmate's notebook, a solution or `/etc/shadow` is refused, and what it
points to is never opened) and without blocking (`O_NONBLOCK`: a FIFO would wait for a writer forever);
`fstat` on the open descriptor then decides, before a byte is read, that it is a regular file of a size
the kit reads. A refusal carries its reason for the student and the TA.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from autograder.messages import Msg

_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_KINDS = (
    (stat.S_ISDIR, "a directory", "디렉터리"),
    (stat.S_ISFIFO, "a FIFO (named pipe)", "FIFO(이름 있는 파이프)"),
    (stat.S_ISSOCK, "a socket", "소켓"),
    (stat.S_ISCHR, "a character device", "문자 장치"),
    (stat.S_ISBLK, "a block device", "블록 장치"),
)


class Refused(Exception):
    """A file of a submission that the kit will not read; `reason` says why, in both languages."""

    def __init__(self, reason: Msg) -> None:
        super().__init__(reason.en)
        self.reason = reason


def read_bytes(path: str | Path, limit: int, what: Msg = Msg(ko="파일", en="The file")) -> bytes:
    """The whole file, at most `limit` bytes; raises `Refused` for a link, anything but a regular file,
    a larger file, or one that cannot be opened. `what` names the file in the reason."""
    try:
        descriptor = os.open(path, _FLAGS)
    except OSError as error:
        raise Refused(_unopenable(path, error, what)) from None
    with os.fdopen(descriptor, "rb", buffering=0) as handle:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            en, ko = next(
                ((en, ko) for test, en, ko in _KINDS if test(status.st_mode)), ("not a regular file", "특수 파일")
            )
            raise Refused(
                Msg(
                    ko=f"{what.ko}: 일반 파일이 아니라 {ko}입니다. 읽지 않았습니다.",
                    en=f"{what.en} is {en}, not a regular file: it was not read.",
                )
            )
        if status.st_size > limit:
            raise Refused(too_large(what, limit))
        data = handle.read(limit + 1)  # a file that grows after fstat is still cut at the limit
    if len(data) > limit:
        raise Refused(too_large(what, limit))
    return data


def too_large(what: Msg, limit: int) -> Msg:
    size = f"{limit / (1 << 20):g} MiB" if limit >= 1 << 20 else f"{limit} bytes"
    return Msg(
        ko=f"{what.ko}: 너무 큽니다 ({size} 초과). 읽지 않았습니다.",
        en=f"{what.en} is larger than {size}: it was not read.",
    )


def is_regular(path: str | Path) -> bool:
    """A regular file that is not a link (nothing is opened)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _unopenable(path: str | Path, error: OSError, what: Msg) -> Msg:
    if error.errno == errno.ELOOP and os.path.islink(path):
        return Msg(
            ko=f"{what.ko}: 심볼릭 링크입니다. 링크는 따라가지 않으므로 제출물로 채점하지 않습니다.",
            en=f"{what.en} is a symbolic link: links are not followed, so it is not graded as a submission.",
        )
    return Msg(ko=f"{what.ko}: 읽을 수 없습니다 ({error.strerror}).", en=f"{what.en} cannot be read: {error.strerror}")
