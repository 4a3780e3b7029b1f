"""`autograder merge`: join the outputs of `autograder grade --shard K/N` into one class.

Each part is a grading output folder: its grades.csv says which units (student x lab) the part
graded, and `.units/<student>/<lab>.json` holds each unit's full result. The merged folder gets the
same files as an unsharded run, written by the same function (pipeline.write_class), so its
grades.csv and cells.csv are byte for byte those of grading the whole class at once; the unit
results are copied too, so the merged folder is itself a grading output (it can be merged again).
"""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from autograder import course as course_mod
from autograder.grade import tables
from autograder.grade.pipeline import Summary, save_unit, write_class
from autograder.grade.result import UnitResult

def check_split(folders: list[Path]) -> None:
    """When the parts are shards (.units/part.json), they must be every K of one K/N split of one class."""
    split = {}
    for folder in folders:
        try:
            split[folder] = json.loads((folder / ".units" / "part.json").read_text())
        except (OSError, ValueError):
            return  # not graded as shards (or by an older version): nothing to check
    if any(p.get("shard") is None for p in split.values()):
        return
    ns = {p["shard"][1] for p in split.values()}
    if len(ns) > 1:
        found = ", ".join(f"{f.name}: {p['shard'][0]}/{p['shard'][1]}" for f, p in split.items())
        raise ValueError(f"merge: the parts come from different splits ({found}): merge the parts of one --shard K/N")
    n = ns.pop()
    if len({(p["class_size"], p["class_digest"]) for p in split.values()}) > 1:
        raise ValueError("merge: the parts were graded from different submissions folders (their student lists "
                         "differ): grade every shard from the same folder")
    missing = sorted(set(range(1, n + 1)) - {p["shard"][0] for p in split.values()})
    if missing:
        shards = ", ".join(f"{k}/{n}" for k in missing)
        raise ValueError(f"merge: shard {shards} missing: grade it (`autograder grade SUBMISSIONS --shard "
                         f"{missing[0]}/{n}`) and merge all {n} parts")


def main(*, parts: list[str | Path], out: str | Path,
         course_toml: str | Path = course_mod.COURSE_TOML) -> Summary:
    """Join the parts' unit results into one grades.csv, cells.csv, feedback/ and gradebook.db.

    Args:
        parts: grading output folders (`autograder grade --shard K/N --out PART`), one per shard.
        out: the merged class folder (created); not one of the parts.
        course_toml: the course the parts were graded with (its lab order sorts the tables).
    Returns:
        a Summary of the merged class.
    Raises:
        FileNotFoundError: a part does not exist.
        ValueError: no parts, a part given twice or used as out, a part that is not a grading output,
            the same student in two parts, a lab that course.toml does not list, or shards that are
            not every K of one K/N split of one class.
    """
    started = time.monotonic()
    course = course_mod.load(course_toml)
    if not parts:
        raise ValueError("merge: no parts given: pass the output folders of every shard, e.g. parts/*")
    folders = [Path(p).resolve() for p in parts]
    out = Path(out).resolve()
    seen: set[Path] = set()
    for folder in folders:
        if folder in seen:
            raise ValueError(f"merge: {folder} is given twice: pass each part once")
        seen.add(folder)
        if folder == out:
            raise ValueError(f"merge: --out {out} is also a part: merge into a new folder")
    owner: dict[str, Path] = {}
    results: list[UnitResult] = []
    for folder in folders:
        part_results = tables.read_results(folder)
        for student in sorted({r.student for r in part_results}):
            if student in owner:
                raise ValueError(f"merge: student {student!r} is in two parts, {owner[student]} and {folder}: "
                                 f"merge the parts of one `--shard K/N` split (same N, each K once)")
            owner[student] = folder
        for result in part_results:
            if result.lab not in course.lab_ids:
                raise ValueError(f"merge: {folder} has results for lab {result.lab!r}, which "
                                 f"{course_toml} does not list: merge with the course.toml the parts were "
                                 f"graded with")
        results += part_results
    check_split(folders)
    out.mkdir(parents=True, exist_ok=True)
    for result in results:
        save_unit(out, result)
        graded = owner[result.student] / "autograded" / result.student / result.lab
        if graded.is_dir():  # formgrader's notebooks come along
            shutil.copytree(graded, out / "autograded" / result.student / result.lab, dirs_exist_ok=True)
    summary = Summary(out=out, reused=len(results))
    summary.results = write_class(out, results, course)
    summary.seconds = time.monotonic() - started
    return summary


def describe(summary: Summary, n_parts: int) -> str:
    students = len({r.student for r in summary.results})
    return (f"merged {n_parts} parts: {students} students, {len(summary.results)} graded notebooks "
            f"in {summary.seconds:.1f} s: {summary.out / 'grades.csv'}")

