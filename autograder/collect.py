"""`autograder collect ZIP... --lms canvas|moodle [--roster roster.csv] --out SUBMISSIONS`: an LMS's
"download all submissions" zips into nbgrader's submitted layout, <student_id>/<lab>/<lab>.ipynb,
with nbgrader's timestamp.txt beside each notebook.

File names are read with nbgrader's own FileNameCollectorPlugin (the plugin `nbgrader zip_collect`
uses), given each LMS's pattern:

- Canvas (Assignments > Download Submissions) names each file `<name>[_late]_<user id>_<file id>_
  <uploaded name>`, e.g. `smithjane_late_12345_67890_lab3_backprop.ipynb`, and appends `-1`, `-2`
  to the uploaded name of a resubmission (`lab3_backprop-1.ipynb`). `_late` is Canvas's late
  marker. The roster's `ID` column (Canvas's user id) gives the student id; without a roster the
  Canvas user id is the student id.
- Moodle (Assignment > Download all submissions; moodle/moodle mod/assign/locallib.php,
  download_submissions(): the prefix is `clean_filename(fullname(student) . '_' .
  get_uniqueid_for_user(userid) . '_')`, and the file plugin adds `assignsubmission_file_`) puts
  each file under `<Full name>_<participant id>_assignsubmission_file_/` (or prefixes its name with
  that, when "download submissions in folders" is off). The participant id differs per
  assignment, so the roster's `Full name` column gives the student id; without a roster, the full
  name in lower case with `_` for spaces. Moodle marks nothing late in the zip. With blind marking
  Moodle writes `Participant` for every name: such zips cannot be matched to a roster here.

The submission time is the zip entry's modification time, read in course.toml's [course] timezone,
written to timestamp.txt as nbgrader writes it (`2026-12-19 10:00:00.000000 UTC`); the late rule
of `autograder export` reads it. The LMS's own late marker is kept in SUBMISSIONS/.lms/<student>/<lab>.json and a
marker that the time contradicts is reported. Every file that is not placed (not a notebook, a
name no pattern matches, no lab id in its name, a student not in the roster, an older copy of the
same student's lab) is reported with the reason.
"""
from __future__ import annotations

import json
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

from nbgrader.plugins.zipcollect import FileNameCollectorPlugin

from autograder import course as course_mod
from autograder import lms

PATTERNS = {
    "canvas": r"^(?P<first_name>[^_/]+?)(?P<late>_late)?_(?P<student_id>\d+)_(?P<attachment>\d+)_(?P<file_id>[^/]+)$",
    "moodle": r"^(?P<first_name>[^/]+?)_(?P<student_id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_/?(?P<file_id>[^/]+)$",
}
MATCH_BY = {"canvas": "ID", "moodle": "Full name"}  # the roster column an LMS file is matched by
IGNORED = ("__MACOSX/", ".DS_Store")  # what zip tools add: reported like any other unplaced file


@dataclass
class Placed:
    student: str
    lab: str
    path: Path
    member: str
    time: datetime
    late_marker: bool


@dataclass
class Collected:
    out: Path
    placed: list[Placed] = field(default_factory=list)
    unplaced: list[tuple[str, str]] = field(default_factory=list)  # (zip:member, why)
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        students = len({p.student for p in self.placed})
        lines = [f"collected {len(self.placed)} notebooks of {students} students into {self.out}"]
        lines += [f"  not placed: {member}: {why}" for member, why in self.unplaced]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _collector(lms_name: str) -> FileNameCollectorPlugin:
    return FileNameCollectorPlugin(named_regexp=PATTERNS[lms_name], valid_ext=[".ipynb"])


def _lab_of(file_id: str, lab_ids: list[str], only_lab: str | None) -> tuple[str | None, str]:
    """The lab a file belongs to and the name to give it: `<lab>.ipynb` when the uploaded name is
    the lab's (Canvas's `-N` resubmission suffix and copies' ` (1)` dropped), else the student's
    own name (grading flags it renamed-notebook)."""
    stem = PurePosixPath(file_id).stem
    plain = re.sub(r"(-\d+| ?\(\d+\))$", "", stem)
    if plain in lab_ids:
        return plain, f"{plain}.ipynb"
    inside = sorted((lab for lab in lab_ids if lab in stem), key=len, reverse=True)
    lab = inside[0] if inside else only_lab
    return lab, file_id


def _student_key(lms_name: str, groups: dict) -> str:
    if lms_name == "canvas":
        return groups["student_id"]
    return " ".join(groups["first_name"].split()).casefold()


def _zip_time(info: zipfile.ZipInfo, zone: str) -> datetime:
    return datetime(*info.date_time, tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)


def main(*, zips: list[str | Path], lms_name: str, out: str | Path, roster: str | Path | None = None,
         lab: str | None = None, course_toml: str | Path = course_mod.COURSE_TOML) -> Collected:
    """Collect LMS download zips into nbgrader's submitted layout under `out`.

    Args:
        zips: the LMS's "download all submissions" zip files (one per assignment, or several).
        lms_name: "canvas" or "moodle".
        out: the submissions folder to fill (created; a student's lab folder is replaced).
        roster: CSV with student_id and the LMS's column (Canvas: ID, Moodle: Full name).
        lab: the lab of files whose names hold no lab id (default: such files are not placed).
        course_toml: the course (lab ids, timezone, due dates).
    Returns:
        a Collected: what was placed, what was not and why, and warnings.
    Raises:
        FileNotFoundError: a zip or the roster does not exist.
        ValueError: an unknown LMS or lab, a file that is not a zip, a bad roster.
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
    by_key = {}
    for sid, row in people.items():
        key = row[MATCH_BY[lms_name]] if lms_name == "canvas" else " ".join(row["Full name"].split()).casefold()
        if key in by_key:
            raise lms.RosterError(f"roster {roster}: {MATCH_BY[lms_name]} {row[MATCH_BY[lms_name]]!r} is on two lines "
                                  f"({by_key[key]}, {sid}): the LMS cannot tell them apart")
        by_key[key] = sid
    collector = _collector(lms_name)
    result = Collected(out=Path(out))
    chosen: dict[tuple[str, str], tuple[Placed, zipfile.ZipFile, zipfile.ZipInfo, str]] = {}
    archives = [zipfile.ZipFile(z) for z in zips]
    try:
        for z, archive in zip(zips, archives):
            for info in archive.infolist():
                if info.is_dir():
                    continue
                where = f"{Path(z).name}:{info.filename}"
                member = info.filename
                if any(part in member for part in IGNORED):
                    result.unplaced.append((where, "added by the zip tool, not a submission"))
                    continue
                if PurePosixPath(member).suffix != ".ipynb":
                    result.unplaced.append((where, f"not a notebook ({PurePosixPath(member).suffix or 'no extension'})"))
                    continue
                groups = collector.collect(member)
                if not groups:
                    result.unplaced.append((where, f"not named as {lms_name.title()} names submissions"))
                    continue
                if groups.get("plugin", "file") != "file":
                    result.unplaced.append((where, f"a Moodle {groups['plugin']} submission, not a file"))
                    continue
                lab_id, name = _lab_of(groups["file_id"], course.lab_ids, lab)
                if lab_id is None:
                    result.unplaced.append((where, "no lab id in its name: pass --lab LAB for this zip"))
                    continue
                key = _student_key(lms_name, groups)
                if people:
                    student = by_key.get(key)
                    if student is None:
                        label = "Canvas ID" if lms_name == "canvas" else "Moodle name"
                        result.unplaced.append((where, f"{label} {key!r} is not in the roster: add them to it"))
                        continue
                else:
                    student = key if lms_name == "canvas" else re.sub(r"\W+", "_", key).strip("_")
                placed = Placed(student=student, lab=lab_id, path=Path(out) / student / lab_id / name,
                                member=where, time=_zip_time(info, course.timezone),
                                late_marker=bool(groups.get("late")))
                earlier = chosen.get((student, lab_id))
                if earlier and earlier[0].time >= placed.time:
                    result.unplaced.append((where, f"an older copy of {student}'s {lab_id} than {earlier[0].member}"))
                    continue
                if earlier:
                    result.unplaced.append((earlier[0].member, f"an older copy of {student}'s {lab_id} than {where}"))
                chosen[student, lab_id] = (placed, archive, info, where)
        for (student, lab_id), (placed, archive, info, _) in sorted(chosen.items()):
            _place(placed, archive, info, lms_name, Path(out))
            result.placed.append(placed)
            due = course.lab(lab_id).due
            if placed.late_marker and placed.time <= due:
                result.warnings.append(f"{student} {lab_id}: {lms_name.title()} marks it late but its time "
                                       f"{_stamp(placed.time)} is not after the due date: check timestamp.txt")
    finally:
        for archive in archives:
            archive.close()
    if not people:
        result.warnings.append(f"no --roster: student ids are {'Canvas user ids' if lms_name == 'canvas' else 'Moodle names'}")
    else:
        got = {(p.student, p.lab) for p in result.placed}
        for labid in sorted({p.lab for p in result.placed}, key=course.lab_ids.index):
            result.warnings += [f"{sid}: in the roster, no {labid} submission in the zips"
                                for sid in sorted(people) if (sid, labid) not in got]
    return result


def _stamp(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def _place(placed: Placed, archive: zipfile.ZipFile, info: zipfile.ZipInfo, lms_name: str, out: Path) -> None:
    folder = placed.path.parent
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    with archive.open(info) as src, open(placed.path, "wb") as dst:
        shutil.copyfileobj(src, dst)
    (folder / "timestamp.txt").write_text(_stamp(placed.time) + "\n")
    record = out / ".lms" / placed.student / f"{placed.lab}.json"  # not beside the notebook: no extra file
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps({"lms": lms_name, "file": placed.member,
                                                 "late_marker": placed.late_marker}, indent=1) + "\n")
