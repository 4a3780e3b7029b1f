"""`autograder collect ZIP... --lms canvas|moodle [--roster R] [--times T...] --out SUBMISSIONS`: an
LMS's "download all submissions" zips into nbgrader's submitted layout, <student_id>/<lab>/<file>,
with the submission times the LMS recorded (autograder/submission_times.py), never the zip's.

How each LMS names what it puts in the zip (the tests build their zips the same way):

- Canvas (lib/content_zipper.rb, get_filename and add_upload_submission): each uploaded file is
  `<sortable name>[_LATE]_<user id>_<attachment id>_<display name>`; the sortable name is
  lower-cased with every non-word character removed ("Smith, Jane" -> `smithjane`); `LATE` is
  written when Canvas counts the submission late (older Canvas wrote `late`); the display name keeps
  spaces and is what the student uploaded, with `-1`, `-2` added by Canvas when a file of that
  name was uploaded before (Attachment.make_unique_filename). Online text and URL entries are
  `<name>[_LATE]_<user id>_text.html` / `_link.html`. Attachment ids grow with each upload.
- Moodle (mod/assign/classes/downloader.php, 4.1+): a folder per student and plugin,
  `<Full name>_<participant id>_assignsubmission_file/` (3.1 to 4.0, mod/assign/locallib.php
  download_submissions: the same with a trailing `_`), or with "Download submissions in folders"
  off, files named `<Full name>_<participant id>_assignsubmission_file_<file>`. Online text comes
  as `..._assignsubmission_onlinetext[_]/onlinetext.html`. `_` in a name becomes a space. The
  participant id is the `Identifier` ("Participant 5550001") of the grading worksheet.

Each file is either placed or listed with the reason: a notebook goes to its student's lab folder
(its lab from its name, else from its nbgrader metadata, else --lab); an uploaded .zip is opened one
level deep and its one notebook placed; links, special files, paths out of the folder, encrypted
entries, and anything that unpacks past the caps are refused (autograder/lms_zip.py reads the zips);
online text and other attachments are listed, not graded. Two LMS users that map to one student stop collect before anything is
written."""
from __future__ import annotations

import json
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder import course as course_mod
from autograder import lms, lms_zip, submission_times
from autograder.lms_zip import PATTERNS, Candidate

MATCH_BY = {"canvas": "ID", "moodle": "Full name"}  # the roster column an LMS user is matched by
__all__ = ["PATTERNS", "Candidate", "Collected", "CollectError", "Placed", "main"]


class CollectError(ValueError):
    """Something the TA must settle before anything is written."""


@dataclass
class Placed:
    student: str
    lab: str
    path: Path
    member: str
    time: submission_times.Trusted


@dataclass
class Collected:
    out: Path
    notebooks: int = 0  # notebooks the zips hold (uploaded zips' included)
    placed: list[Placed] = field(default_factory=list)
    unplaced: list[tuple[str, str]] = field(default_factory=list)  # (zip:member, why)
    warnings: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return len(self.placed) >= self.notebooks

    def counts(self) -> str:
        students = len({p.student for p in self.placed})
        unknown = sum(p.time.when is None for p in self.placed)
        return (f"collected {len(self.placed)} of {self.notebooks} notebooks ({students} students) into {self.out}; "
                f"{len(self.placed) - unknown} with a time the LMS recorded, {unknown} time-unknown; "
                f"{len(self.unplaced)} files not placed")

    def describe(self) -> str:
        lines = [self.counts()]
        lines += [f"  not placed: {member}: {why}" for member, why in self.unplaced]
        lines += [f"  warning: {w}" for w in self.warnings]
        if not self.complete:
            lines.append(f"collect placed {len(self.placed)} of the {self.notebooks} notebooks the zips hold: see "
                         f"'not placed' above; pass --allow-unplaced to go on without them")
        return "\n".join(lines)


def _lab_ids_by_cell(course) -> dict[str, set[str]]:
    """Each lab's nbgrader grade_ids (its source notebook's), to place a notebook by its metadata."""
    found = {}
    for lab in course.labs:
        try:
            nb = json.loads(lab.source_notebook(course.root).read_text())
        except (OSError, ValueError):
            continue
        found[lab.id] = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.get("cells", [])} - {None}
    return found


def lab_from_name(display: str, lab_ids: list[str]) -> tuple[str | None, bool]:
    """(lab, exact) from a file name: `lab3_backprop.ipynb`, Canvas's `lab3_backprop-1.ipynb` and a
    copy's `lab3_backprop (1).ipynb` are exact; `Lab3_Backprop final.ipynb` names lab3_backprop."""
    stem = PurePosixPath(display).stem.strip().lower()
    plain = re.sub(r"(-\d+| ?\(\d+\))+$", "", stem)
    if plain in lab_ids:
        return plain, True
    inside = sorted((lab for lab in lab_ids if lab in stem), key=len, reverse=True)
    return (inside[0], False) if inside else (None, False)


def lab_from_metadata(data: bytes, cells: dict[str, set[str]]) -> str | None:
    """The lab whose grade_ids the notebook's nbgrader metadata shares most (None: none shared)."""
    try:
        nb = json.loads(data)
        ids = {c["metadata"]["nbgrader"]["grade_id"] for c in nb["cells"]
               if isinstance(c, dict) and isinstance(c.get("metadata"), dict)
               and isinstance(c["metadata"].get("nbgrader"), dict) and c["metadata"]["nbgrader"].get("grade_id")}
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
    best = max(cells, key=lambda lab: len(cells[lab] & ids), default=None)
    return best if best and cells[best] & ids else None


def _people_keys(people: dict, lms_name: str, roster) -> dict[str, str]:
    by_key: dict[str, str] = {}
    for sid, row in people.items():
        key = row[MATCH_BY[lms_name]] if lms_name == "canvas" else _name_key(row["Full name"])
        if key in by_key:
            raise lms.RosterError(f"roster {roster}: {MATCH_BY[lms_name]} {row[MATCH_BY[lms_name]]!r} is on two lines "
                                  f"({by_key[key]}, {sid}): the LMS cannot tell them apart")
        by_key[key] = sid
    return by_key


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def main(*, zips: list[str | Path], lms_name: str, out: str | Path, roster: str | Path | None = None,
         times: list[str | Path] | None = None, lab: str | None = None,
         course_toml: str | Path = course_mod.COURSE_TOML) -> Collected:
    """Collect LMS download zips into nbgrader's submitted layout under `out`.

    Args:
        zips: the LMS's "download all submissions" zip files.
        lms_name: "canvas" or "moodle".
        out: the submissions folder to fill (created; a student's lab folder is replaced).
        roster: the class roster (autograder.lms.read_roster: the LMS's own export works unedited).
        times: the LMS's record of submission times (submission_times: Moodle's grading worksheet,
            Canvas's submissions, or student_id,lab,submitted_at); without: every notebook time-unknown.
        lab: the lab of notebooks whose name and metadata say none.
        course_toml: the course (lab ids, timezone, canvas ids).
    Returns:
        a Collected: what was placed with which time, what was not and why, and warnings.
    Raises:
        FileNotFoundError: a zip, the roster or a times file does not exist.
        ValueError: an unknown LMS or lab, a file that is not a zip, a bad roster or times file, two
            LMS users that map to one student (nothing is written then).
    """
    if lms_name not in PATTERNS:
        raise ValueError(f"--lms {lms_name!r}: choose one of {', '.join(PATTERNS)}")
    if not zips:
        raise ValueError("collect: no zip given: pass the LMS's download zips")
    course = course_mod.load(course_toml)
    if lab is not None:
        course.lab(lab)
    for z in zips:
        if not Path(z).is_file():
            raise FileNotFoundError(f"no zip at {z}: download the submissions from {lms_name.title()} first")
        if not zipfile.is_zipfile(z):
            raise ValueError(f"{z} is not a zip file: pass the zip {lms_name.title()} downloads, not its contents")
    people = lms.read_roster(roster, needs=MATCH_BY[lms_name]) if roster else {}
    by_key = _people_keys(people, lms_name, roster)
    records = [rec for path in times or [] for rec in submission_times.read(path, course)]
    result = Collected(out=Path(out))
    found = [c for z in zips for c in lms_zip.candidates(Path(z), lms_name, result)]
    student_of = _owners(found, people, by_key, records, lms_name)
    picks = _pick(_by_unit(found, student_of, course, lab, lms_name, result), result)
    timed = _times(picks, records, student_of, lms_name, result)
    for (sid, lab_id), t in sorted(timed.items()):
        if t.lms_late and t.when is not None and t.when <= course.lab(lab_id).due:
            result.warnings.append(f"{sid} {lab_id}: {lms_name.title()} marks it late but its recorded time "
                                   f"{submission_times.utc_text(t.when)} is not after course.toml's due date: an "
                                   f"extension in the LMS? add it to the extensions file")
    for (sid, lab_id), c in sorted(picks.items()):
        name = f"{lab_id}.ipynb" if c.by_name and lab_from_name(c.display, course.lab_ids)[1] else _safe_name(c.display)
        placed = Placed(student=sid, lab=lab_id, path=Path(out) / sid / lab_id / name, member=c.where,
                        time=timed[sid, lab_id])
        _place(placed, c.data)
        result.placed.append(placed)
    if picks:
        submission_times.write_store(Path(out), {(p.student, p.lab): p.time for p in result.placed})
    result.warnings += _roster_warnings(people, result, course, lms_name)
    return result


def _owners(found: list[Candidate], people: dict, by_key: dict, records: list, lms_name: str) -> dict[str, str | None]:
    """LMS user -> student id (None: not in the roster); two users on one student stop everything."""
    worksheet = {rec.who: rec for rec in records if rec.by == "moodle"}
    by_email = {row.get("Email address", "").casefold(): sid for sid, row in people.items() if row.get("Email address")}
    owner: dict[str, tuple[str, str]] = {}  # student -> (user, label)
    student_of: dict[str, str | None] = {}
    for c in found:
        if c.user in student_of:
            continue
        label = worksheet[c.user].name if c.user in worksheet and worksheet[c.user].name else c.label
        if people:
            email = worksheet[c.user].email.casefold() if c.user in worksheet else ""
            sid = by_email.get(email) if email else None
            sid = sid or by_key.get(c.user if lms_name == "canvas" else _name_key(label))
        else:
            sid = c.user if lms_name == "canvas" else re.sub(r"\W+", "_", _name_key(label)).strip("_")
        student_of[c.user] = sid
        if sid is None:
            continue
        if sid in owner and owner[sid][0] != c.user:
            who = "Canvas users" if lms_name == "canvas" else "Moodle participants"
            raise CollectError(f"{who} {owner[sid][1]!r} ({owner[sid][0]}) and {label!r} ({c.user}) both map to "
                               f"student {sid}: give them distinct lines in the roster (or drop one from the zip); "
                               f"nothing was written")
        owner[sid] = (c.user, label)
    return student_of


def _by_unit(found: list[Candidate], student_of: dict, course, lab: str | None, lms_name: str,
             result: Collected) -> dict[tuple[str, str], list[Candidate]]:
    """The notebooks of each (student, lab); one whose student or lab cannot be told is listed unplaced."""
    cells = _lab_ids_by_cell(course)
    chosen: dict[tuple[str, str], list[Candidate]] = {}
    for c in found:
        sid = student_of[c.user]
        if sid is None:
            column = "Canvas ID" if lms_name == "canvas" else "Moodle name"
            key = c.user if lms_name == "canvas" else c.label
            result.unplaced.append((c.where, f"{column} {key!r} is not in the roster: add them to it"))
            continue
        c.lab, c.by_name = lab_from_name(c.display, course.lab_ids)
        c.lab = c.lab or lab_from_metadata(c.data, cells) or lab
        if c.lab is None:
            result.unplaced.append((c.where, "neither its name nor its nbgrader metadata says its lab: pass --lab LAB"))
            continue
        chosen.setdefault((sid, c.lab), []).append(c)
    return chosen


def _pick(chosen: dict[tuple[str, str], list[Candidate]], result: Collected) -> dict[tuple[str, str], Candidate]:
    """Each unit's latest upload (named as the lab, on a tie); a tie left is for the TA to settle by hand."""
    picks: dict[tuple[str, str], Candidate] = {}
    for key, cands in sorted(chosen.items()):
        cands.sort(key=lambda c: (c.order, c.by_name), reverse=True)
        best = cands[0]
        rivals = [c for c in cands[1:] if (c.order, c.by_name) == (best.order, best.by_name)]
        if rivals:
            result.unplaced += [(c.where, f"one of {len(cands)} notebooks for {key[0]}'s {key[1]}: place the one to "
                                          f"grade by hand") for c in cands]
            continue
        result.unplaced += [(c.where, f"an earlier upload of {key[0]}'s {key[1]} than {best.where}") for c in cands[1:]]
        picks[key] = best
    return picks


def _roster_warnings(people: dict, result: Collected, course, lms_name: str) -> list[str]:
    if not people:
        return [f"no --roster: student ids are {'Canvas user ids' if lms_name == 'canvas' else 'Moodle names'}"]
    got = {(p.student, p.lab) for p in result.placed}
    return [f"{sid}: in the roster, no {labid} submission in the zips"
            for labid in sorted({p.lab for p in result.placed}, key=course.lab_ids.index)
            for sid in sorted(people) if (sid, labid) not in got]


def _times(picks: dict, records: list, student_of: dict, lms_name: str, result: Collected) -> dict:
    """The trusted time of each placed notebook (None: the LMS's record of it was not given)."""
    exact = {(r.by, r.who, r.lab): r for r in records if r.lab}
    loose = {(r.by, r.who): r for r in records if not r.lab}
    labs = {lab for _, lab in picks}
    if loose and len(labs) > 1:
        where = next(iter(loose.values())).where.rsplit(":", 1)[0]
        raise CollectError(f"{where} records one assignment and does not say which, but these zips hold "
                           f"{len(labs)} labs ({', '.join(sorted(labs))}): collect each lab's zip with its own file")
    timed = {}
    for (sid, lab_id), c in picks.items():
        rec = (exact.get(("student_id", sid, lab_id)) or exact.get((lms_name, c.user, lab_id))
               or loose.get((lms_name, c.user)))
        if rec is None:
            timed[sid, lab_id] = submission_times.Trusted(when=None, lms_late=c.late_marker, source="")
            continue
        late = c.late_marker or rec.late
        timed[sid, lab_id] = submission_times.Trusted(when=rec.when, lms_late=late, source=rec.where)
        if rec.when is None:
            result.warnings.append(f"{sid} {lab_id}: {rec.where} records no submission, yet the zip holds one: "
                                   f"time-unknown")
    return timed


def _safe_name(display: str) -> str:
    """The uploaded name as a file name in the student's folder (no folders, no hidden file)."""
    name = re.sub(r"[\x00-\x1f/\\]", "_", PurePosixPath(display).name).lstrip(".") or "notebook.ipynb"
    return name if name not in ("timestamp.txt", "submission_secret.txt") else f"_{name}"


def _place(placed: Placed, data: bytes) -> None:
    folder = placed.path.parent
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    elif folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    placed.path.write_bytes(data)
    if placed.time.when is not None:  # nbgrader's own commands read it; grade reads .lms/times.csv
        (folder / "timestamp.txt").write_text(submission_times.utc_text(placed.time.when) + "\n")
