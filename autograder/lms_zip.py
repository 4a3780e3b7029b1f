"""What is in an LMS's "download all submissions" zip: each entry named as its LMS names it, read
within its caps, or refused with the reason (autograder/collect.py cites how each LMS names them).

Nothing is unpacked blindly: link entries (the Unix mode in external_attr), special files, paths out
of the folder, encrypted entries, a file over FILE_CAP or a zip past ZIP_CAP (zip bombs; a header that
understates the size is caught by reading at most FILE_CAP + 1 bytes) are refused. An uploaded .zip
is opened one level deep for its one notebook."""
from __future__ import annotations

import io
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from autograder.grade.safe_files import NOTEBOOK_CAP

FILE_CAP = NOTEBOOK_CAP  # bytes one file (a notebook, an uploaded zip) may unpack to
ZIP_CAP = 1024 * 1024 * 1024  # bytes a whole download zip may unpack to
CANVAS = re.compile(r"^(?P<name>[^/]*?)(?:_(?P<late>LATE|late))?_(?P<user>\d+)_(?P<attachment>\d+)_(?P<display>[^/]+)$")
CANVAS_TEXT = re.compile(r"^(?P<name>[^/]*?)(?:_(?P<late>LATE|late))?_(?P<user>\d+)_(?P<kind>text|link)\.html$")
MOODLE = re.compile(r"^(?P<name>[^_/]+)_(?P<user>\d+)_assignsubmission_(?P<plugin>[a-z]+)"
                    r"(?:_?/(?P<path>.+)|_(?P<flat>[^/]+))$")
PATTERNS = {"canvas": CANVAS, "moodle": MOODLE}
JUNK = ("__MACOSX/", ".DS_Store", ".ipynb_checkpoints/")  # what zip tools and Jupyter add


@dataclass
class Candidate:
    """One notebook from a zip, before it is placed."""
    where: str
    user: str  # the LMS's user: Canvas user id, Moodle participant id
    label: str  # how the LMS names them in the zip
    display: str  # the file's name as uploaded
    order: int  # Canvas's attachment id (later uploads are larger); 0 for Moodle
    late_marker: bool
    data: bytes
    lab: str | None = None
    by_name: bool = False  # the lab came from the file name (not metadata or --lab)


def _mode(info: zipfile.ZipInfo) -> int:
    return info.external_attr >> 16  # the Unix mode, where the zip was made on Unix


def _refusal(info: zipfile.ZipInfo) -> str | None:
    """Why an entry is not read at all, or None."""
    path = PurePosixPath(info.filename)
    if path.is_absolute() or ".." in path.parts or "\\" in info.filename:
        return "a path outside the submission: refused"
    mode = _mode(info)
    if stat.S_ISLNK(mode):
        return "a symbolic link: refused (never followed)"
    if stat.S_IFMT(mode) and not stat.S_ISREG(mode):
        return "a special file (device, FIFO or socket): refused"
    if info.flag_bits & 0x1:
        return "encrypted: refused"
    if info.file_size > FILE_CAP:
        return f"unpacks to {info.file_size:,} bytes, over the {FILE_CAP:,} a file may: refused"
    return None


class _Reader:
    """Reads entries of one download zip, counting what it unpacks against ZIP_CAP."""

    def __init__(self, name: str):
        self.name, self.total = name, 0

    def read(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[bytes | None, str]:
        why = _refusal(info)
        if why:
            return None, why
        if self.total + info.file_size > ZIP_CAP:
            return None, f"the zip unpacks past {ZIP_CAP:,} bytes: refused"
        try:
            with archive.open(info) as src:
                data = src.read(FILE_CAP + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            return None, f"cannot be unpacked ({exc}): refused"
        self.total += len(data)
        if len(data) > FILE_CAP:  # the header said less: a lie
            return None, f"unpacks past the {FILE_CAP:,} bytes a file may: refused"
        return data, ""


def _is_junk(member: str) -> bool:
    return any(part in member for part in JUNK)


def _parse(lms_name: str, member: str) -> dict | None:
    if lms_name == "canvas":
        m = CANVAS_TEXT.match(member) or CANVAS.match(member)
        return m.groupdict() if m else None
    m = MOODLE.match(member)
    if not m:
        return None
    g = m.groupdict()
    g["display"] = PurePosixPath(g["path"] or g["flat"]).name
    return g


def candidates(path: Path, lms_name: str, result) -> list[Candidate]:
    """The notebooks of one zip (uploaded zips opened); every other entry listed in result.unplaced,
    every notebook counted in result.notebooks (result: collect.Collected)."""
    found = []
    reader = _Reader(path.name)
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            member, where = info.filename, f"{path.name}:{info.filename}"
            if info.is_dir():
                continue
            is_notebook = member.lower().endswith(".ipynb")
            if _is_junk(member):
                result.unplaced.append((where, "added by a zip tool or Jupyter, not a submission"))
                continue
            result.notebooks += is_notebook
            why = _refusal(info)
            if why:
                result.unplaced.append((where, why))
                continue
            g = _parse(lms_name, member)
            if g is None:
                result.unplaced.append((where, f"not named as {lms_name.title()} names submissions"))
                continue
            if g.get("kind") or g.get("plugin", "file") != "file":
                result.unplaced.append((where, "an online text submission: not graded, read it in the LMS"))
                continue
            suffix = PurePosixPath(g["display"]).suffix.lower()
            if suffix not in (".ipynb", ".zip"):
                result.unplaced.append((where, f"an attachment ({suffix or 'no extension'}), not a notebook: not graded"))
                continue
            data, why = reader.read(archive, info)
            if data is None:
                result.unplaced.append((where, why))
                continue
            base = dict(user=g["user"], label=" ".join(g["name"].split()), order=int(g.get("attachment") or 0),
                        late_marker=bool(g.get("late")))
            if suffix == ".ipynb":
                found.append(Candidate(where=where, display=g["display"], data=data, **base))
            else:
                found += _unzip_upload(data, where, reader, base, result)
    return found


def _unzip_upload(data: bytes, where: str, reader: _Reader, base: dict, result) -> list[Candidate]:
    """The one notebook of a zip a student uploaded (one level deep); the rest listed."""
    try:
        inner = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in inner.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        result.unplaced.append((where, "an uploaded .zip that cannot be opened"))
        return []
    notebooks = []
    for info in infos:
        at = f"{where}!{info.filename}"
        if _is_junk(info.filename):
            result.unplaced.append((at, "added by a zip tool or Jupyter, not a submission"))
            continue
        is_notebook = info.filename.lower().endswith(".ipynb")
        result.notebooks += is_notebook
        if info.filename.lower().endswith(".zip"):
            result.unplaced.append((at, "a zip inside an uploaded zip: only one level is opened"))
        elif not is_notebook:
            result.unplaced.append((at, "in the uploaded zip, not a notebook: not graded"))
        else:
            notebooks.append((info, at))
    if len(notebooks) > 1:
        result.unplaced += [(at, f"the uploaded zip holds {len(notebooks)} notebooks: place the one to grade by hand")
                            for _, at in notebooks]
        return []
    found = []
    for info, at in notebooks:
        got, why = reader.read(inner, info)
        if got is None:
            result.unplaced.append((at, why))
            continue
        found.append(Candidate(where=at, display=PurePosixPath(info.filename).name, data=got, **base))
    return found
