"""course.toml, read once: the labs, the grading limits, the tolerances, the late rule."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

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

    def lab(self, lab_id: str) -> Lab:
        for lab in self.labs:
            if lab.id == lab_id:
                return lab
        known = ", ".join(lab.id for lab in self.labs)
        raise CourseError(f"unknown lab {lab_id!r}: course.toml has {known}")

    @property
    def lab_ids(self) -> list[str]:
        return [lab.id for lab in self.labs]

    def tolerance(self, dtype) -> tuple[float, float]:
        """(rtol, atol) for comparing arrays of this dtype with the reference."""
        import numpy as np

        name = np.dtype(dtype).name
        entry = self.tolerances.get(name, self.tolerances["float64"])
        return float(entry["rtol"]), float(entry["atol"])


def _require(table: dict, key: str, where: str):
    if key not in table:
        raise CourseError(f"course.toml: [{where}] needs {key!r}")
    return table[key]


def load(path: Path | str = COURSE_TOML, *, secret: str | None = None) -> Course:
    """Read course.toml. The grading secret comes from `secret`, else the environment variable
    named by [grading].secret_env, else [grading].default_secret."""
    path = Path(path)
    with open(path, "rb") as f:
        data = tomllib.load(f)
    course = _require(data, "course", "course")
    grading = _require(data, "grading", "grading")
    labs = []
    for entry in _require(data, "labs", "labs"):
        due = datetime.fromisoformat(_require(entry, "due", "labs"))
        if due.tzinfo is None:
            raise CourseError(f"course.toml: lab {entry.get('id')!r}: due {due} needs a UTC offset")
        labs.append(Lab(id=_require(entry, "id", "labs"), title=_require(entry, "title", "labs"),
                        points=float(_require(entry, "points", "labs")), due=due))
    ids = [lab.id for lab in labs]
    if len(set(ids)) != len(ids):
        raise CourseError(f"course.toml: lab ids repeat: {ids}")
    limits = Limits(**{name: _require(grading, name, "grading") for name in Limits.__dataclass_fields__})
    if secret is None:
        secret = os.environ.get(grading.get("secret_env", ""), "") or grading.get("default_secret", "")
    if not secret:
        raise CourseError("no grading secret: set [grading].secret_env's variable or default_secret")
    tolerances = data.get("tolerances", {})
    if "float64" not in tolerances:
        raise CourseError("course.toml: [tolerances.float64] is needed (rtol, atol)")
    late = data.get("late", {})
    return Course(id=course["id"], title=course["title"], labs=tuple(labs), limits=limits,
                  property_examples=int(grading.get("property_examples", 20)), secret=secret,
                  tolerances=tolerances, late_penalty_per_day=float(late.get("penalty_per_day", 0.0)),
                  late_max_days=int(late.get("max_days", 0)), root=path.resolve().parent,
                  extensions=path.resolve().parent / late["extensions"] if late.get("extensions") else None)
