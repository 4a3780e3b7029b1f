"""`autograder release`: generate the student versions in release/ from source/ with nbgrader.

Solutions become stubs that say what to write, hidden tests disappear, outputs are cleared. The
reference implementations live in autograder/reference and never enter release/."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import nbformat

from autograder import course as course_mod
from autograder.nbgrader_config import generate_assignment


class ReleaseError(ValueError):
    pass


def graded_points(notebook: Path) -> dict[str, float]:
    """grade_id -> points of every graded cell of a notebook."""
    nb = nbformat.read(notebook, as_version=4)
    out = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            out[meta["grade_id"]] = float(meta.get("points", 0))
    return out


def main(*, labs: list[str] | None = None, course_toml: Path | str = course_mod.COURSE_TOML,
         release_dir: Path | str | None = None, quiet: bool = True) -> list[Path]:
    """Generate release/<lab>/ for the given labs (default: all of course.toml).

    Args:
        labs: lab ids to release; default every lab in course.toml that has a source notebook.
        course_toml: the course description.
        release_dir: where to write (default: the course's release/).
        quiet: silence nbgrader's log.
    Returns:
        the paths of the generated notebooks.
    Raises:
        ReleaseError: a lab has no source notebook, or its cells' points differ from course.toml.
    """
    course = course_mod.load(course_toml)
    wanted = labs or [lab.id for lab in course.labs if lab.source_notebook(course.root).exists()]
    out_root = Path(release_dir) if release_dir else course.root / "release"
    written = []
    for lab_id in wanted:
        lab = course.lab(lab_id)
        source = lab.source_notebook(course.root)
        if not source.exists():
            raise ReleaseError(f"{lab_id}: no source notebook at {source}: write it first")
        total = sum(graded_points(source).values())
        if abs(total - lab.points) > 1e-9:
            raise ReleaseError(f"{lab_id}: graded cells sum to {total:g} points but course.toml says "
                               f"{lab.points:g}: make them agree")
        with tempfile.TemporaryDirectory(prefix="ag-release-") as tmp:
            generated = generate_assignment(course, lab_id, db_url=f"sqlite:///{tmp}/gradebook.db",
                                            release_dir=Path(tmp) / "release",
                                            log_level="ERROR" if quiet else "INFO")
            target = out_root / lab_id
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(generated, target)
        written.append(target / f"{lab_id}.ipynb")
    return written
