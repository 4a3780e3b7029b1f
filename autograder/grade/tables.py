"""grades.csv and cells.csv from the class as its gradebook says (gradebook.read_class): sorted, so
the same class gives the same bytes.

grades.csv: `score` is the raw score (a TA's manual scores included), `penalty` what the late rule
takes off, `final` what the student gets (score - penalty); the LMS exports carry `final`."""
from __future__ import annotations

import csv
import os
import re
from pathlib import Path

from autograder.grade.result import UnitResult, load_unit

GRADES_COLUMNS = ["student_id", "lab", "score", "penalty", "final", "max_score", "status", "flags"]
CELLS_COLUMNS = ["student_id", "lab", "grade_id", "score", "max_score"]


def _num(x: float) -> str:
    return f"{round(float(x), 6):g}"


# A spreadsheet runs a cell that begins with one of these as a formula (OWASP, "CSV Injection"): a
# student id such as `=HYPERLINK(...)`. Every CSV we write prefixes such a text with `'`, which
# spreadsheets show as text; numbers (-0.5) stay numbers. Reversible: `from_spreadsheet`.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def spreadsheet_text(value):
    """A CSV cell a spreadsheet shows as it is: `'` before a text that would start a formula (and
    before a quote that precedes one, so that reading it back is exact)."""
    if not isinstance(value, str) or not value.lstrip("'").startswith(FORMULA_START):
        return value
    if not value.startswith("'") and _NUMBER.fullmatch(value):
        return value
    return "'" + value


def from_spreadsheet(value: str) -> str:
    """The text `spreadsheet_text` was given."""
    if value.startswith("'") and value.lstrip("'").startswith(FORMULA_START):
        return value[1:]
    return value


def write_csv(path: Path, rows: list[list]) -> None:
    """Write a CSV atomically (a temporary file moved into place), every cell spreadsheet-safe."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([[spreadsheet_text(v) for v in row] for row in rows])
    os.replace(tmp, path)


def sort_results(results: list[UnitResult], lab_order: list[str]) -> list[UnitResult]:
    return sorted(results, key=lambda r: (r.student, lab_order.index(r.lab) if r.lab in lab_order else 99))


def write_tables(out: Path, results: list[UnitResult], lab_order: list[str]) -> None:
    """grades.csv and cells.csv from the class as its gradebook says (gradebook.read_class)."""
    results = sort_results(results, lab_order)
    write_csv(out / "grades.csv", [GRADES_COLUMNS] + [
        [r.student, r.lab, _num(r.score), _num(r.penalty), _num(r.awarded), _num(r.max_score), r.status,
         ";".join(r.flags)] for r in results])
    write_csv(out / "cells.csv", [CELLS_COLUMNS] + [
        [r.student, r.lab, c.grade_id, _num(c.score), _num(c.max_score)] for r in results for c in r.cells])


def read_grades(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return [{k: from_spreadsheet(v) if isinstance(v, str) else v for k, v in row.items()}
                for row in csv.DictReader(f)]


NOT_AN_OUTPUT = "pass the --out folder of an `autograder grade` run (it holds grades.csv and .units/)"


def read_results(part: Path) -> list[UnitResult]:
    """The unit results a grading output folder holds, in grades.csv's order.

    Raises:
        FileNotFoundError: the folder does not exist.
        ValueError: it is not a grading output, or a unit listed in grades.csv has no readable result.
    """
    if not part.is_dir():
        raise FileNotFoundError(f"no folder at {part}: {NOT_AN_OUTPUT}")
    grades, units = part / "grades.csv", part / ".units"
    if not grades.is_file() or not units.is_dir():
        missing = " and ".join(str(p.name) for p in (grades, units) if not p.exists())
        raise ValueError(f"{part} is not a grading output (no {missing}): {NOT_AN_OUTPUT}")
    try:
        rows = read_grades(grades)
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{grades} could not be read ({exc}): grade that part again") from None
    if rows and not {"student_id", "lab"} <= set(rows[0]):
        raise ValueError(f"{grades} has no student_id and lab columns: {NOT_AN_OUTPUT}")
    results = []
    for row in rows:  # grades.csv's rows, by column name
        path = units / row["student_id"] / f"{row['lab']}.json"
        result = load_unit(path)
        if result is None:
            raise ValueError(f"{grades} lists {row['student_id']}/{row['lab']} but {path} is missing or "
                             f"unreadable: grade that part again (its finished units are kept)")
        if (result.student, result.lab) != (row["student_id"], row["lab"]):
            raise ValueError(f"{path} holds the result of {result.student}/{result.lab}, "
                             f"not {row['student_id']}/{row['lab']}: grade that part again")
        results.append(result)
    return results
