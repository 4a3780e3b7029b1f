"""Reading a submissions folder without following a link or reading a special file.

Everything under SUBMISSIONS came from students: a notebook may be a symbolic link to the course's
source notebook or to a classmate's, a timestamp.txt a link to /dev/zero, a FIFO that blocks the
reader. Every read here opens with O_NOFOLLOW (a link is refused by the kernel, not by a check that
could race), O_NONBLOCK (a FIFO does not block), checks that what it opened is a regular file, and
reads at most `cap` bytes."""
from __future__ import annotations

import os
import stat
from pathlib import Path

NOTEBOOK_CAP = 20 * 1024 * 1024  # the labs' notebooks with outputs are under 2 MB
SMALL_CAP = 4096  # timestamp.txt, submission_secret.txt


class Refused(OSError):
    """The entry is a link, a special file or larger than its cap: it is not read."""


def kind(path: Path) -> str:
    """'file', 'dir', 'link', 'special' or 'missing', from lstat (a link is never followed)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return "missing"
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "dir"
    return "special"


def read(path: Path, cap: int) -> bytes:
    """The bytes of the regular file at `path`, at most `cap` of them.

    Raises:
        Refused: a link, a special file, or more than `cap` bytes.
        FileNotFoundError: nothing there."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if kind(path) == "link":
            raise Refused(f"{path.name} is a symbolic link: not followed") from None
        raise exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"{path.name} is not a regular file (a device, FIFO or socket): not read")
        if info.st_size > cap:
            raise Refused(f"{path.name} is {info.st_size:,} bytes, over the {cap:,} read here")
        chunks, left = [], cap + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > cap:
            raise Refused(f"{path.name} grew past the {cap:,} bytes read here")
        return data
    finally:
        os.close(fd)


def entries(folder: Path) -> list[tuple[str, str]]:
    """(name, kind) of each entry of `folder`, sorted; [] when it is not a real folder."""
    if kind(folder) != "dir":
        return []
    return sorted((p.name, kind(p)) for p in folder.iterdir())
