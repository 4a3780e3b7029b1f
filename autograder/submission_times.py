"""Submission times a TA can trust: what the LMS recorded, never a time in a zip or a student's file.

A zip's entry times are the time of the download (Canvas's content zipper writes each entry with
rubyzip's default time, now; Moodle's zip_writer: "Defaults to current time"), and timestamp.txt is
written by the student's own `nbgrader submit`. So the late rule reads only:

- Moodle's grading worksheet (Assignment > View all submissions > Download grading worksheet): a CSV
  with `Identifier` ("Participant 5550001", the id in the download zip's folder names), `Full name`,
  `Email address` and `Last modified (submission)`, a date Moodle writes with userdate() in the
  downloading user's time zone ("Thursday, 10 December 2026, 9:00 AM", read in course.toml's
  [course] timezone; "-" when nothing was submitted);
- Canvas's submissions (GET /api/v1/courses/:course/assignments/:assignment/submissions) as the
  API returns them: JSON (a list of submission objects) or the same fields as CSV: `user_id`,
  `submitted_at` (ISO 8601, UTC), `late`, `assignment_id` (a lab's `canvas_id` in course.toml);
- a plain CSV `student_id,lab,submitted_at` (ISO 8601 with a UTC offset), for any other source.

nbgrader's exchange: the inbound folder's name (`student+lab+time+random`) and its timestamp.txt
are both written by `nbgrader submit`, which runs as the student (nbgrader/exchange/default/
submit.py: Exchange.set_timestamp runs in the student's process, the folder is made 0777), so
neither is trusted alone. What no user can set backwards is an inode's change time (ctime: set by
the kernel to now on creation and on every write, rename, chmod or utime; only changing the
system clock moves it back). So given the exchange's inbound folder (`--times
/srv/nbgrader/exchange/<course>/inbound`), each submission's time is the latest ctime of its folder
and everything in it (read with lstat, nothing followed): when the folder's name claims a time at
most EXCHANGE_GRACE seconds before that (nbgrader submit names the folder, then copies), the claimed
time; else the ctime. For each student and lab the folder nbgrader collect takes is used (the latest
claimed time, nbgrader/exchange/default/collect.py).

`autograder collect` writes the times it could match into SUBMISSIONS/.lms/times.csv
(`student_id,lab,submitted_at,lms_late,source`; an empty submitted_at: no trusted time), beside
the class, not in a student's folder; `autograder grade` reads that file and any `--times` CSV."""
from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

STORE = Path(".lms") / "times.csv"
STORE_COLUMNS = ["student_id", "lab", "submitted_at", "lms_late", "source"]
REMEMBERED = ".times.csv"  # in OUT: the --times earlier grade runs into it were given
PLAIN = ("student_id", "lab", "submitted_at")
MOODLE_TIME = "Last modified (submission)"
MOODLE_FORMATS = ("%A, %d %B %Y, %I:%M %p", "%A, %d %B %Y, %H:%M", "%d %B %Y, %I:%M %p", "%d %B %Y, %H:%M")
CAP = 50 * 1024 * 1024
EXCHANGE_GRACE = 120  # seconds nbgrader submit may spend copying after it takes its time


@dataclass(frozen=True)
class Recorded:
    """One submission as the LMS recorded it."""
    by: str  # what `who` is: "canvas" (user id), "moodle" (participant id), "student_id"
    who: str
    lab: str | None  # None: the file is one assignment's and does not say which
    when: datetime | None
    late: bool
    where: str  # file:line
    name: str = ""  # Moodle's Full name
    email: str = ""


def utc_text(t: datetime) -> str:
    """A time as nbgrader writes timestamp.txt."""
    return t.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def _text(path: Path) -> str:
    if not path.is_file():
        raise FileNotFoundError(f"no submission times file at {path}: download it from the LMS (see README, Lateness)")
    with open(path, "rb") as f:
        data = f.read(CAP + 1)
    if len(data) > CAP:
        raise ValueError(f"{path}: over {CAP:,} bytes: not a submission times file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text: save it from the LMS as CSV (UTF-8) or JSON") from None


def csv_rows(text: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """(header, [(line, row)]) of CSV text whose separator (`,` `;` tab) is detected."""
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = list(reader)
    if not rows:
        return [], []
    header = [c.strip() for c in rows[0]]
    body = [(n, {h: (v or "").strip() for h, v in zip(header, row)}) for n, row in enumerate(rows[1:], start=2)
            if any(cell.strip() for cell in row)]
    return header, body


def _iso(value: str, where: str) -> datetime:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{where}: submitted_at {value!r} is not a time: write it as 2026-12-19T10:00:00+00:00") from None
    if when.tzinfo is None:
        raise ValueError(f"{where}: submitted_at {value!r} has no UTC offset: add one, e.g. {value}+00:00")
    return when.astimezone(timezone.utc)


def _moodle_time(value: str, where: str, zone: str) -> datetime | None:
    if value in ("", "-"):
        return None
    for fmt in MOODLE_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)
        except ValueError:
            continue
    try:
        return _iso(value, where)
    except ValueError:
        raise ValueError(f"{where}: {MOODLE_TIME} {value!r} is not a time Moodle writes in English "
                         f"('Thursday, 10 December 2026, 9:00 AM'): download the worksheet with English as "
                         f"your language") from None


def _lab_of_assignment(value, course, where: str) -> str | None:
    if value in (None, ""):
        return None
    for lab in course.labs:
        if lab.canvas_id is not None and str(lab.canvas_id) == str(value).strip():
            return lab.id
    raise ValueError(f"{where}: assignment_id {value} is no lab's canvas_id in course.toml: add "
                     f"`canvas_id = {value}` to its lab, or give the right assignment's submissions")


def _truthy(value) -> bool:
    return value is True or str(value).strip().lower() in ("true", "1", "yes")


def _canvas(items: list, course, path: Path, line_of) -> list[Recorded]:
    found = []
    for i, item in enumerate(items):
        where = f"{path}:{line_of(i)}"
        if not isinstance(item, dict) or "user_id" not in item or "submitted_at" not in item:
            raise ValueError(f"{where}: not a Canvas submission (no user_id or submitted_at): give the API's "
                             f"submissions list as it comes")
        when = _iso(str(item["submitted_at"]), where) if item["submitted_at"] not in (None, "") else None
        found.append(Recorded(by="canvas", who=str(item["user_id"]).strip(), when=when, late=_truthy(item.get("late")),
                              lab=_lab_of_assignment(item.get("assignment_id"), course, where), where=where))
    return found


def read(path: str | Path, course) -> list[Recorded]:
    """Every submission a times file records (the module docstring's three forms, told apart by
    their columns).

    Raises:
        FileNotFoundError: no such file.
        ValueError: one line naming the file, the line, the value and the fix."""
    path = Path(path)
    if path.is_dir():
        return from_exchange(path, course)
    text = _text(path)
    if text.lstrip()[:1] in ("[", "{"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"{path}: not JSON ({exc}): give Canvas's submissions as the API returns them") from None
        items = data.get("submissions", data) if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise ValueError(f"{path}: expected a list of Canvas submissions")
        return _canvas(items, course, path, lambda i: f"item {i + 1}")
    header, rows = csv_rows(text)
    if all(c in header for c in PLAIN):
        found = []
        for line, row in rows:
            where = f"{path}:{line}"
            if row["lab"] not in course.lab_ids:
                raise ValueError(f"{where}: lab {row['lab']!r} is not in course.toml: use one of "
                                 f"{', '.join(course.lab_ids)}")
            if not row["student_id"]:
                raise ValueError(f"{where}: empty student_id: name the student (nbgrader's id)")
            when = _iso(row["submitted_at"], where) if row["submitted_at"] else None
            found.append(Recorded(by="student_id", who=row["student_id"], lab=row["lab"], when=when,
                                  late=_truthy(row.get("late", "")), where=where))
        return found
    if "user_id" in header and "submitted_at" in header:
        lines = [line for line, _ in rows]
        return _canvas([row for _, row in rows], course, path, lambda i: lines[i])
    if "Identifier" in header and MOODLE_TIME in header:
        found = []
        for line, row in rows:
            where = f"{path}:{line}"
            pid = re.sub(r"\D", "", row["Identifier"])
            if not pid:
                raise ValueError(f"{where}: Identifier {row['Identifier']!r} holds no participant number: give "
                                 f"Moodle's grading worksheet as it downloads")
            found.append(Recorded(by="moodle", who=pid, lab=None, where=where,
                                  when=_moodle_time(row[MOODLE_TIME], where, course.timezone),
                                  late="late" in row.get("Status", "").lower(),
                                  name=row.get("Full name", ""), email=row.get("Email address", "")))
        return found
    raise ValueError(f"{path}: not a submission times file (columns: {', '.join(header) or 'none'}): give Moodle's "
                     f"grading worksheet, Canvas's submissions (user_id, submitted_at) or a CSV "
                     f"{','.join(PLAIN)}")


def _arrived(folder: Path, limit: int = 10_000) -> datetime:
    """The latest ctime of `folder` and everything in it (lstat: links are not followed)."""
    latest = os.lstat(folder).st_ctime
    seen = 0
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in dirs + files:
            latest = max(latest, os.lstat(os.path.join(root, name)).st_ctime)
            seen += 1
            if seen >= limit:  # more files than a lab has: what was seen is enough to be late
                break
    return datetime.fromtimestamp(latest, timezone.utc)


def from_exchange(inbound: Path, course) -> list[Recorded]:
    """Each student's lab in nbgrader's exchange inbound folder, timed as the module docstring says."""
    from nbgrader.utils import parse_utc

    latest: dict[tuple[str, str], tuple[datetime | None, Path]] = {}
    for entry in sorted(inbound.iterdir()):
        parts = entry.name.split("+")
        if len(parts) < 3 or parts[1] not in course.lab_ids or entry.is_symlink() or not entry.is_dir():
            continue
        try:
            claimed = parse_utc(parts[2]).replace(tzinfo=timezone.utc)
        except (ValueError, OverflowError, TypeError):
            claimed = None
        key = (parts[0], parts[1])
        if key not in latest or (claimed and (latest[key][0] is None or claimed > latest[key][0])):
            latest[key] = (claimed, entry)
    found = []
    for (student, lab), (claimed, folder) in sorted(latest.items()):
        arrived = _arrived(folder)
        honest = claimed is not None and claimed <= arrived <= claimed + timedelta(seconds=EXCHANGE_GRACE)
        found.append(Recorded(by="student_id", who=student, lab=lab, when=claimed if honest else arrived,
                              late=False, where=str(folder)))
    return found


@dataclass(frozen=True)
class Trusted:
    """The time the late rule may use for one student's lab (None: no trusted time)."""
    when: datetime | None
    lms_late: bool
    source: str


def _read_table(path: Path) -> dict[tuple[str, str], Trusted]:
    if not path.is_file() or path.is_symlink():
        return {}
    header, rows = csv_rows(_text(path))
    found = {}
    for line, row in rows:
        when = _iso(row["submitted_at"], f"{path}:{line}") if row.get("submitted_at") else None
        found[row["student_id"], row["lab"]] = Trusted(when=when, lms_late=_truthy(row.get("lms_late")),
                                                       source=row.get("source", ""))
    return found


def _write_table(path: Path, times: dict[tuple[str, str], Trusted]) -> Path:
    merged = dict(_read_table(path))
    merged.update(times)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(STORE_COLUMNS)
        for (sid, lab), t in sorted(merged.items()):
            w.writerow([sid, lab, t.when.isoformat() if t.when else "", "true" if t.lms_late else "", t.source])
    os.replace(tmp, path)
    return path


def read_store(submissions: Path) -> dict[tuple[str, str], Trusted]:
    """SUBMISSIONS/.lms/times.csv as collect wrote it ({} when there is none)."""
    return _read_table(Path(submissions) / STORE)


def write_store(submissions: Path, times: dict[tuple[str, str], Trusted]) -> Path:
    """Merge `times` into SUBMISSIONS/.lms/times.csv (rows for other students' labs are kept)."""
    return _write_table(Path(submissions) / STORE, times)


def trusted_times(submissions: Path, extra: list[str | Path] | None, course,
                  out: Path | None = None) -> dict[tuple[str, str], Trusted]:
    """What grade trusts: SUBMISSIONS/.lms/times.csv, then the times earlier grade runs into `out`
    were given (OUT/.times.csv: a --students regrade keeps them), then each `--times` file in turn
    (a CSV student_id,lab,submitted_at, or nbgrader's exchange inbound folder)."""
    times = read_store(submissions)
    if out is not None:
        times.update(_read_table(Path(out) / REMEMBERED))
    given: dict[tuple[str, str], Trusted] = {}
    for path in extra or []:
        for rec in read(path, course):
            if rec.by != "student_id":
                raise ValueError(f"{path}: grade takes a CSV {','.join(PLAIN)}; give Canvas's or Moodle's own file "
                                 f"to `autograder collect --times` with the zips, which matches their users")
            old = times.get((rec.who, rec.lab))
            given[rec.who, rec.lab] = Trusted(when=rec.when, lms_late=bool(old and old.lms_late) or rec.late,
                                              source=rec.where)
    if out is not None and given:
        _write_table(Path(out) / REMEMBERED, given)
    times.update(given)
    return times


def time_fields(t: Trusted | None) -> dict:
    """A grading job's fields for its trusted time (grade/unit.py UnitJob)."""
    if t is None:
        return {}
    return {"submitted_at": utc_text(t.when) if t.when else "", "lms_late": t.lms_late, "time_source": t.source}
