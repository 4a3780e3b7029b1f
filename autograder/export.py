"""`autograder export`: the class's grades as a gradebook file, with the late rule applied.

Reads the unit results that `autograder grade` left in OUT/.units/ and writes one of:

- canvas, moodle: the LMS's grade import file, written by autograder.lms (see there: Canvas's
  documented columns with `Title (canvas_id)`, Moodle's identifier and grade item columns), with
  identities from a roster and a warning for each student missing from the roster or the grades.
- csv: `student_id`, one column per lab (by id), `total`.

Only labs that were graded appear (a lab not graded yet would overwrite Canvas with zeros).

The late rule, from course.toml's [late] table and each lab's `due`:
- a submission's time is its nbgrader timestamp (timestamp.txt in the submission folder, kept
  in the unit result); without one, nbgrader's own `seconds_late`; without either, on time;
- every started day (24 hours) after the due date costs `penalty_per_day` of the lab's points:
  with 0.1 and 20 points, 1 second to 24 hours late costs 2 points, 24 h + 1 s costs 4;
- the score never drops below 0; a submission more than `max_days` started days late scores 0;
- a timestamp that cannot be read counts as on time and is reported, for a TA to decide.
Exported scores are the penalised ones; main() returns which submissions were late.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from autograder import course as course_mod
from autograder import lms
from autograder.grade import tables

FORMATS = {"canvas": "canvas.csv", "moodle": "moodle.csv", "csv": "grades_export.csv"}  # canvas, moodle: lms.py
DAY = 24 * 3600


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

    @property
    def penalty(self) -> float:
        return self.score - self.penalised

    def describe(self) -> str:
        if self.problem:
            return f"{self.student} {self.lab}: {self.problem}"
        hours = self.seconds / 3600
        return (f"{self.student} {self.lab}: {hours:.1f} h late ({self.days} started day{'s' * (self.days != 1)}), "
                f"{_num(self.score)} -> {_num(self.penalised)}")


@dataclass
class Export:
    path: Path
    late: list[Late] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # students missing from the roster or the grades

    def describe(self) -> str:
        lines = [f"wrote {self.path}"]
        lines += [f"  warning: {w}" for w in self.warnings]
        lines += [f"  late: {late.describe()}" for late in self.late]
        return "\n".join(lines)


def _num(x: float) -> str:
    return f"{round(x, 4):g}"


def parse_timestamp(text: str) -> datetime:
    """An nbgrader timestamp (`2026-12-19 10:00:00.000000 UTC`, or any zone nbgrader accepts) in UTC.

    Raises ValueError when it cannot be read."""
    from nbgrader.utils import parse_utc

    try:
        naive_utc = parse_utc(text.strip())
    except (ValueError, OverflowError, TypeError) as exc:
        raise ValueError(f"unreadable timestamp {text!r}") from exc
    return naive_utc.replace(tzinfo=timezone.utc)


def late_rule(result: dict, course: course_mod.Course) -> Late:
    """Apply the course's late rule (see the module docstring) to one unit result."""
    lab = course.lab(result["lab"])
    score = float(result["score"])
    seconds, problem = 0.0, ""
    if result.get("timestamp"):
        try:
            seconds = (parse_timestamp(result["timestamp"]) - lab.due).total_seconds()
        except ValueError as exc:
            problem = f"{exc}: counted as on time"
    elif result.get("seconds_late"):
        seconds = float(result["seconds_late"])
    seconds = max(0.0, seconds)
    days = math.ceil(seconds / DAY)
    if days == 0:
        penalised = score
    elif days > course.late_max_days:
        penalised = 0.0
    else:
        penalised = max(0.0, score - days * course.late_penalty_per_day * lab.points)
    return Late(student=result["student"], lab=result["lab"], seconds=seconds, days=days, score=score,
                penalised=round(penalised, 6), problem=problem)


_write = lms.write_rows  # one atomic CSV writer for every export


def main(*, out: str | Path, format: str = "canvas", dest: str | Path | None = None,
         roster: str | Path | None = None, course_toml: str | Path = course_mod.COURSE_TOML) -> Export:
    """Write the class's gradebook, late penalties applied, for Canvas or as a plain csv.

    Args:
        out: the folder `autograder grade` wrote (its .units/ holds the results).
        format: "canvas", "moodle" (the LMS's grade import CSV) or "csv" (student_id, labs, total).
        dest: the file to write (default: OUT/canvas.csv or OUT/grades_export.csv).
        roster: optional CSV with student_id and the LMS's identity columns (autograder.lms).
        course_toml: the course description (points, due dates, late rule).
    Returns:
        an Export: the file written and the late submissions with their penalties.
    Raises:
        ValueError: an unknown format, or a roster without a student_id column.
        FileNotFoundError: OUT does not exist.
        ValueError: OUT is not a grading output, or a unit it lists has no readable result.
    """
    if format not in FORMATS:
        raise ValueError(f"--format {format!r}: choose one of {', '.join(FORMATS)}")
    course = course_mod.load(course_toml)
    results = [r for r in tables.read_results(Path(out)) if r["lab"] in course.lab_ids]
    labs = [lab for lab in course.labs if any(r["lab"] == lab.id for r in results)]
    lates = {(r["student"], r["lab"]): late_rule(r, course) for r in results}
    students = sorted({r["student"] for r in results})

    def score(student: str, lab_id: str) -> str:
        late = lates.get((student, lab_id))
        return _num(late.penalised) if late else ""

    path = Path(dest) if dest else Path(out) / FORMATS[format]
    late = [lates[k] for k in sorted(lates, key=lambda k: (k[0], course.lab_ids.index(k[1])))
            if lates[k].days > 0 or lates[k].problem]
    if format in lms.WRITERS:
        final = {key: entry.penalised for key, entry in lates.items()}
        return Export(path=path, late=late, warnings=lms.write(format, path, course, labs, final, roster))
    rows = [["student_id"] + [lab.id for lab in labs] + ["total"]]
    for s in students:
        total = sum(lates[(s, lab.id)].penalised for lab in labs if (s, lab.id) in lates)
        rows.append([s] + [score(s, lab.id) for lab in labs] + [_num(total)])
    _write(path, rows)
    return Export(path=path, late=late)
