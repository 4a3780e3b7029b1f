"""course.toml, read once: the labs, the grading limits, the tolerances, the late rule."""
from __future__ import annotations

import functools
import json
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ROOT = Path(__file__).resolve().parent.parent
COURSE_TOML = ROOT / "course.toml"


class CourseError(ValueError):
    """course.toml is missing something or says something impossible."""


@dataclass(frozen=True)
class Lab:
    id: str
    title: str
    points: float
    due: datetime
    canvas_id: int | None = None  # the Canvas assignment's numeric id (the export's `Title (id)` column)
    moodle_item: str | None = None  # the Moodle grade item's column name in its CSV grade import

    def source_notebook(self, root: Path = ROOT) -> Path:
        return root / "source" / self.id / f"{self.id}.ipynb"

    def release_notebook(self, root: Path = ROOT) -> Path:
        return root / "release" / self.id / f"{self.id}.ipynb"


@dataclass(frozen=True)
class Limits:
    cell_timeout: float
    notebook_timeout: float
    check_timeout: float
    memory_limit_mb: int
    file_size_limit_mb: int
    output_limit_kb: int


@dataclass(frozen=True)
class Course:
    id: str
    title: str
    labs: tuple[Lab, ...]
    limits: Limits
    property_examples: int
    secret: str
    tolerances: dict = field(default_factory=dict)
    late_penalty_per_day: float = 0.0
    late_max_days: int = 0
    root: Path = ROOT
    extensions: Path | None = None  # [late] extensions: CSV of student_id, lab, due (grade/lateness.py)
    path: Path = COURSE_TOML
    demo_secret: bool = False  # the secret is course.toml's default_secret, not the environment's
    secret_env: str = "AUTOGRADER_SECRET"
    timezone: str = "UTC"  # the zone of times that carry none (an LMS zip's file times)

    def lab(self, lab_id: str) -> Lab:
        for lab in self.labs:
            if lab.id == lab_id:
                return lab
        known = ", ".join(lab.id for lab in self.labs)
        raise CourseError(f"unknown lab {lab_id!r}: course.toml has {known}")

    @property
    def lab_ids(self) -> list[str]:
        return [lab.id for lab in self.labs]


LAB_KEYS = {"id", "title", "points", "due", "canvas_id", "moodle_item"}
# Every section and key course.toml may hold: anything else is a typo, refused (check_names).
SECTIONS = {"course": {"id", "title", "timezone"},
            "labs": LAB_KEYS,
            "grading": {"secret_env", "default_secret", "property_examples", "cell_timeout", "notebook_timeout",
                        "check_timeout", "memory_limit_mb", "file_size_limit_mb", "output_limit_kb"},
            "tolerances": None,  # one table per numpy dtype name, and the gradient check's
            "late": {"penalty_per_day", "max_days", "extensions"}}
TOLERANCE_KEYS = {"rtol", "atol"}
GRADIENT_CHECK = "gradient_check"  # [tolerances.gradient_check]: autograder/gradcheck.py's, with its step
GRADIENT_CHECK_KEYS = {"eps", "rtol", "atol"}
# [grading] keys: (lowest, highest) allowed; the lowest is excluded for times and sizes.
RANGES = {"cell_timeout": (0, 86400), "notebook_timeout": (0, 7 * 86400), "check_timeout": (0, 86400),
          "memory_limit_mb": (64, 1 << 20), "file_size_limit_mb": (0, 1 << 20), "output_limit_kb": (0, 1 << 20),
          "property_examples": (0, 100_000)}
INTEGER_KEYS = {"memory_limit_mb", "file_size_limit_mb", "output_limit_kb", "property_examples"}
DUE_EXAMPLE = "2026-12-18T23:59:00+00:00"


class _Reader:
    """Pulls typed values out of the parsed TOML; every complaint is one line that names the file,
    the table (and lab) and the key, says what was found and how to fix it."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, where: str, message: str):
        raise CourseError(f"{self.path}: {where}: {message}")

    def get(self, table: dict, key: str, where: str, default=...):
        if key not in table:
            if default is ...:
                self.fail(where, f"{key} is missing: add `{key} = ...`")
            return default
        return table[key]

    def text(self, table: dict, key: str, where: str, default=...) -> str:
        value = self.get(table, key, where, default)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            self.fail(where, f"{key} = {value!r} must be a non-empty string in quotes")
        return value

    def number(self, table: dict, key: str, where: str, default=..., *, low=None, high=None,
               integer=False, low_inclusive=False) -> float:
        value = self.get(table, key, where, default)
        kind = "a whole number" if integer else "a number"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
            self.fail(where, f"{key} = {value!r} is not {kind}: write {kind} without quotes")
        below = value < low if low_inclusive else value <= low
        if (low is not None and below) or (high is not None and value > high):
            bound = f"at least {low}" if low_inclusive else f"above {low}"
            self.fail(where, f"{key} = {value!r} is out of range: use {kind} {bound} and at most {high}")
        return value


def _line_of(text: str, pattern: str) -> int:
    """The first line (1-based) matching pattern, else 1: tomllib keeps no positions."""
    m = re.search(pattern, text, flags=re.M)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def _closest(name: str, valid) -> str | None:
    import difflib

    found = difflib.get_close_matches(name, sorted(valid), n=1, cutoff=0.6)
    return found[0] if found else None


def check_names(path: Path, text: str, data: dict) -> None:
    """Refuse an unknown section or key, naming the file, the line and the closest valid name:
    a typo such as [lates] or cell_timout would otherwise be ignored and its rule silently lost."""
    def refuse(line: int, what: str, kind: str, near: str | None, valid) -> None:
        hint = f"did you mean {near}?" if near else f"valid: {', '.join(sorted(valid))}"
        raise CourseError(f"{path}: line {line}: {what}: unknown {kind}; {hint}")

    def spelled(name: str, array: bool) -> str:
        return f"[[{name}]]" if array else f"[{name}]"

    for name, value in data.items():
        array = isinstance(value, list) and value and all(isinstance(v, dict) for v in value)
        if name not in SECTIONS:
            line = _line_of(text, rf"^[ \t]*\[\[?[ \t]*{re.escape(name)}[ \t]*[\].]|^[ \t]*{re.escape(name)}[ \t]*=")
            near = _closest(name, SECTIONS)
            refuse(line, spelled(name, array), "section", near and spelled(near, near == "labs"),
                   [spelled(n, n == "labs") for n in SECTIONS])
    for section, keys in SECTIONS.items():
        value = data.get(section)
        tables = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        if section == "tolerances":  # the gradient check's table alone also has a step, eps
            tables = [(t, GRADIENT_CHECK_KEYS if dtype == GRADIENT_CHECK else TOLERANCE_KEYS)
                      for dtype, t in (tables[0].items() if tables else ())]
        else:
            tables = [(t, keys) for t in tables]
        for table, keys in tables:
            if not isinstance(table, dict):
                continue
            for key in table:
                if key not in keys:
                    line = _line_of(text, rf"^[ \t]*{re.escape(key)}[ \t]*=")
                    where = spelled(section, section == "labs")
                    refuse(line, key, f"key in {where}", _closest(key, keys), keys)


def _read_lab(r: _Reader, entry, index: int) -> Lab:
    if not isinstance(entry, dict):
        r.fail(f"[[labs]] #{index + 1}", "each lab is a [[labs]] table with id, title, points, due")
    lab_id = r.text(entry, "id", f"[[labs]] #{index + 1}")
    where = f"lab {lab_id!r}"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", lab_id):
        r.fail(where, "id may hold only letters, digits, _ and - (it names the lab's folder and notebook)")
    unknown = sorted(set(entry) - LAB_KEYS)
    if unknown:
        r.fail(where, f"unknown key {unknown[0]!r}: a lab has only {', '.join(sorted(LAB_KEYS))}")
    raw_due = entry.get("due")
    if isinstance(raw_due, datetime):  # a bare TOML datetime
        due = raw_due
    else:
        try:
            due = datetime.fromisoformat(r.text(entry, "due", where))
        except ValueError:
            r.fail(where, f"due = {raw_due!r} is not a date and time: write it like {DUE_EXAMPLE!r}")
    if due.tzinfo is None:
        r.fail(where, f"due = {str(raw_due)!r} has no UTC offset: write it like {DUE_EXAMPLE!r}")
    canvas_id = entry.get("canvas_id")
    if canvas_id is not None and (isinstance(canvas_id, bool) or not isinstance(canvas_id, int) or canvas_id < 1):
        r.fail(where, f"canvas_id = {canvas_id!r} must be the Canvas assignment's number, without quotes "
                      "(the digits at the end of the assignment's address, .../assignments/12345)")
    return Lab(id=lab_id, title=r.text(entry, "title", where),
               points=float(r.number(entry, "points", where, low=0, high=10_000)), due=due,
               canvas_id=canvas_id, moodle_item=r.text(entry, "moodle_item", where, None))


def graded_points(notebook: Path) -> dict[str, float]:
    """grade_id -> points of every graded cell of a notebook: autograded test cells and manually
    graded answers (nbgrader's `grade: true`) alike."""
    nb = json.loads(Path(notebook).read_text())
    out = {}
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            out[meta.get("grade_id", "?")] = float(meta.get("points", 0))
    return out


def _check_sources(r: _Reader, labs: list[Lab], root: Path) -> None:
    """Each lab's folder exists under source/, and its graded cells add up to its points."""
    for lab in labs:
        notebook = lab.source_notebook(root)
        if not notebook.parent.is_dir():
            known = sorted(p.name for p in (root / "source").iterdir() if p.is_dir() and not p.name.startswith("."))
            r.fail(f"lab {lab.id!r}", f"id names no folder source/{lab.id}/ (there are: {', '.join(known) or 'none'}): "
                                      "fix the id or create the lab")
        if not notebook.exists():
            r.fail(f"lab {lab.id!r}", f"no source notebook source/{lab.id}/{lab.id}.ipynb: write it first")
        try:
            total = sum(graded_points(notebook).values())
        except (OSError, ValueError) as exc:
            r.fail(f"lab {lab.id!r}", f"source/{lab.id}/{lab.id}.ipynb is not a readable notebook ({exc})")
        if abs(total - lab.points) > 1e-9:
            r.fail(f"lab {lab.id!r}", f"points = {lab.points:g} but the graded cells (autograded and manually "
                                      f"graded) of source/{lab.id}/{lab.id}.ipynb add up to {total:g}: "
                                      f"make them agree (course.toml says {lab.points:g})")


def load(path: Path | str = COURSE_TOML, *, secret: str | None = None) -> Course:
    """Read and check course.toml. The grading secret comes from `secret`, else the environment
    variable named by [grading].secret_env, else [grading].default_secret (then `demo_secret`).

    When the course folder has a source/ folder (the instructor's course, not a students' copy),
    each lab's folder must exist there and its graded cells must add up to the lab's points.

    Raises:
        FileNotFoundError: no file at `path`.
        CourseError: one line naming the file, the table or lab, the key, the value and the fix.

    Read once per process: a later load of the same file, it and its source notebooks unchanged,
    is the same course (only the secret is looked up again).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no course description at {path}: pass --course path/to/course.toml")
    course, grading = _read(str(path), _stamp(path))
    r = _Reader(path)
    demo = False
    if secret is None:
        secret = os.environ.get(course.secret_env, "")
        if not secret:
            secret, demo = r.text(grading, "default_secret", "[grading]", None) or "", True
    if not secret:
        r.fail("[grading]", f"no grading secret: set the environment variable {course.secret_env} (or default_secret)")
    return replace(course, secret=secret, demo_secret=demo)


def _stamp(path: Path) -> tuple:
    """What a load reads, as stat facts (cheap): a changed course.toml or source notebook is read again."""
    stamp = []
    for f in [path, *sorted((path.resolve().parent / "source").glob("*/*.ipynb"))]:
        try:
            st = f.stat()
        except OSError:
            continue
        stamp.append((str(f), st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(stamp)


@functools.lru_cache(maxsize=16)
def _read(path_text: str, stamp: tuple) -> tuple[Course, dict]:
    """course.toml read and checked, all but the secret; and its [grading] table (the secret's rule)."""
    path = Path(path_text)
    r = _Reader(path)
    try:
        text = path.read_bytes().decode("utf-8")
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CourseError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise CourseError(f"{path}: not valid TOML: the file is not UTF-8 text") from None
    check_names(path, text, data)
    course = r.get(data, "course", "[course]")
    grading = r.get(data, "grading", "[grading]")
    entries = r.get(data, "labs", "[[labs]]")
    if not isinstance(entries, list) or not entries:
        r.fail("[[labs]]", "no labs: add one [[labs]] table per lab")
    labs = [_read_lab(r, entry, i) for i, entry in enumerate(entries)]
    ids = [lab.id for lab in labs]
    for lab_id in ids:
        if ids.count(lab_id) > 1:
            r.fail(f"lab {lab_id!r}", "id appears twice: give each lab its own id")
    values = {name: r.number(grading, name, "[grading]", low=RANGES[name][0], high=RANGES[name][1],
                             integer=name in INTEGER_KEYS) for name in Limits.__dataclass_fields__}
    limits = Limits(**values)
    examples = r.number(grading, "property_examples", "[grading]", 20, low=0, high=RANGES["property_examples"][1],
                        integer=True)
    secret_env = r.text(grading, "secret_env", "[grading]", "AUTOGRADER_SECRET")
    tolerances = data.get("tolerances", {})
    if not isinstance(tolerances.get("float64"), dict):
        r.fail("[tolerances.float64]", "is needed, with rtol and atol")
    if not isinstance(tolerances.get(GRADIENT_CHECK), dict):
        r.fail(f"[tolerances.{GRADIENT_CHECK}]", "is needed, with eps, rtol and atol (eps = 1e-6, rtol = 1e-4, "
                                                 "atol = 1e-7 check a float64 gradient)")
    for dtype, entry in tolerances.items():
        for key in ("rtol", "atol"):
            r.number(entry, key, f"[tolerances.{dtype}]", low=0, high=1, low_inclusive=True)
    r.number(tolerances[GRADIENT_CHECK], "eps", f"[tolerances.{GRADIENT_CHECK}]", low=0, high=1)
    late = data.get("late", {})
    penalty = r.number(late, "penalty_per_day", "[late]", 0.0, low=0, high=1, low_inclusive=True)
    max_days = r.number(late, "max_days", "[late]", 0, low=0, high=3650, integer=True, low_inclusive=True)
    zone = r.text(course, "timezone", "[course]", "UTC")
    try:
        ZoneInfo(zone)
    except (ValueError, ZoneInfoNotFoundError):
        r.fail("[course]", f"timezone = {zone!r} is not a time zone: use a name like 'UTC' or 'Europe/Berlin'")
    root = path.resolve().parent
    if (root / "source").is_dir():
        _check_sources(r, labs, root)
    return Course(id=r.text(course, "id", "[course]"), title=r.text(course, "title", "[course]"), labs=tuple(labs),
                  limits=limits, property_examples=int(examples), secret="", tolerances=tolerances,
                  late_penalty_per_day=float(penalty), late_max_days=int(max_days), root=root, path=path.resolve(),
                  secret_env=secret_env, timezone=zone,
                  extensions=root / late["extensions"] if late.get("extensions") else None), grading
