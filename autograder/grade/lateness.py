"""Lateness, decided once for grades.csv, the feedback page, the gradebook and every export.

- a submission's time is the one the LMS recorded (autograder/submission_times.py: Moodle's grading
  worksheet, Canvas's submissions, a student_id,lab,submitted_at CSV), never a zip's entry time or
  the student's own timestamp.txt; without one no penalty is computed: the row is flagged
  `time-unknown` for a TA to settle (and export counts such rows), never a zero;
- its due date is the lab's `due` in course.toml, or the student's extension: the file named by
  course.toml's [late] `extensions` (CSV: student_id, lab, due, one row per extension);
- every started day (24 hours) after that due date costs `penalty_per_day` of the lab's points:
  with 0.1 and 20 points, 1 second to 24 hours late costs 2 points, 24 h + 1 s costs 4;
- the score never drops below 0; a submission more than `max_days` started days late scores 0.
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from autograder.grade.result import UnitResult

DAY = 24 * 3600
EXTENSION_COLUMNS = ("student_id", "lab", "due")


def _num(x: float) -> str:
    return f"{round(x, 4):g}"


@dataclass(frozen=True)
class Late:
    """How late one submission was and what it cost."""
    student: str
    lab: str
    seconds: float
    days: int
    score: float
    penalised: float
    problem: str = ""
    extended_to: datetime | None = None

    @property
    def penalty(self) -> float:
        return round(self.score - self.penalised, 6)

    def describe(self) -> str:
        if self.problem:
            return f"{self.student} {self.lab}: {self.problem}"
        hours = self.seconds / 3600
        return (f"{self.student} {self.lab}: {hours:.1f} h late ({self.days} started day{'s' * (self.days != 1)}), "
                f"{_num(self.score)} -> {_num(self.penalised)}")


def parse_timestamp(text: str) -> datetime:
    """An nbgrader timestamp (`2026-12-19 10:00:00.000000 UTC`, or any zone nbgrader accepts) in UTC.

    Raises ValueError when it cannot be read."""
    from nbgrader.utils import parse_utc

    try:
        naive_utc = parse_utc(str(text).strip())
    except (ValueError, OverflowError, TypeError) as exc:
        raise ValueError(f"unreadable timestamp {text!r}") from exc
    if not isinstance(naive_utc, datetime):
        raise ValueError(f"unreadable timestamp {text!r}")
    return naive_utc.replace(tzinfo=timezone.utc)


def read_extensions(course) -> dict[tuple[str, str], datetime]:
    """{(student, lab): new due date} from the extensions file course.toml names (none: {}).

    Raises ValueError with one line naming the file, the row, the value and the fix."""
    path = getattr(course, "extensions", None)
    if not path:
        return {}
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such extensions file (course.toml [late] extensions): create it with the "
                         f"columns {','.join(EXTENSION_COLUMNS)}, or remove the key")
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in EXTENSION_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: no {', '.join(missing)} column: the header must be "
                             f"{','.join(EXTENSION_COLUMNS)}")
        found: dict[tuple[str, str], datetime] = {}
        for line, row in enumerate(reader, start=2):
            student, lab, due = (str(row[c] or "").strip() for c in EXTENSION_COLUMNS)
            if not student:
                raise ValueError(f"{path}:{line}: empty student_id: name the student (nbgrader's id)")
            if lab not in course.lab_ids:
                raise ValueError(f"{path}:{line}: lab {lab!r} is not in course.toml: use one of "
                                 f"{', '.join(course.lab_ids)}")
            try:
                new_due = datetime.fromisoformat(due)
            except ValueError:
                raise ValueError(f"{path}:{line}: due {due!r} is not a date: write it as "
                                 f"2026-12-20T23:59:00+00:00") from None
            if new_due.tzinfo is None:
                raise ValueError(f"{path}:{line}: due {due!r} has no UTC offset: add one, e.g. {due}+00:00")
            if new_due <= course.lab(lab).due:
                raise ValueError(f"{path}:{line}: due {due} for {student} is not after {lab}'s due date "
                                 f"{course.lab(lab).due.isoformat()}: an extension must move it later")
            if (student, lab) in found:
                raise ValueError(f"{path}:{line}: {student} {lab} has a second extension: keep one row")
            found[(student, lab)] = new_due
    return found


def late_rule(result: UnitResult | dict, course, extensions: dict | None = None, *, score: float | None = None) -> Late:
    """Apply the course's late rule (module docstring) to one unit result, on `score` (default: the
    result's raw score). A plain dict (a script's) is read as a unit file, with its own `score`."""
    if isinstance(result, dict):
        score = result.get("score", 0.0) if score is None else score
        result = UnitResult.from_json(result)
    lab = course.lab(result.lab)
    score = float(result.score if score is None else score)
    extended = (extensions or {}).get((result.student, result.lab))
    due = extended or lab.due
    seconds, problem = 0.0, ""
    old = result.extra  # results saved before times came from the LMS
    if result.timestamp:
        try:
            seconds = (parse_timestamp(result.timestamp) - due).total_seconds()
        except ValueError as exc:
            problem = f"{exc}: counted as on time"
    elif result.time_unknown:
        problem = "no submission time the LMS recorded: no penalty computed, for a TA to settle (time-unknown)"
    elif old.get("timestamp_unreadable"):
        problem = f"unreadable timestamp {old['timestamp_unreadable']}: counted as on time"
    elif old.get("seconds_late"):
        seconds = float(old["seconds_late"])
    seconds = max(0.0, seconds)
    days = math.ceil(seconds / DAY)
    if days == 0:
        penalised = score
    elif days > course.late_max_days:
        penalised = 0.0
    else:
        penalised = max(0.0, score - days * course.late_penalty_per_day * lab.points)
    return Late(student=result.student, lab=result.lab, seconds=seconds, days=days, score=score,
                penalised=round(penalised, 6), problem=problem, extended_to=extended)
