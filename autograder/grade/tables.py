"""grades.csv and cells.csv from the unit results: sorted, so the same class gives the same bytes."""
from __future__ import annotations

import csv
import os
from pathlib import Path

GRADES_COLUMNS = ["student_id", "lab", "score", "max_score", "status", "flags"]
CELLS_COLUMNS = ["student_id", "lab", "grade_id", "score", "max_score"]


def _num(x: float) -> str:
    return f"{x:g}"


def _write(path: Path, columns: list[str], rows: list[list]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    os.replace(tmp, path)


def sort_results(results: list[dict], lab_order: list[str]) -> list[dict]:
    return sorted(results, key=lambda r: (r["student"], lab_order.index(r["lab"]) if r["lab"] in lab_order else 99))


def write_tables(out: Path, results: list[dict], lab_order: list[str]) -> None:
    results = sort_results(results, lab_order)
    _write(out / "grades.csv", GRADES_COLUMNS,
           [[r["student"], r["lab"], _num(r["score"]), _num(r["max_score"]), r["status"], ";".join(r["flags"])]
            for r in results])
    _write(out / "cells.csv", CELLS_COLUMNS,
           [[r["student"], r["lab"], c["grade_id"], _num(c["score"]), _num(c["max_score"])]
            for r in results for c in r["cells"]])


def read_grades(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))
