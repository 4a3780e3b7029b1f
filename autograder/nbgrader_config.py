"""nbgrader's configuration, derived from course.toml (never written twice by hand).

Used by `autograder release` and `autograder grade`, and by the top-level nbgrader_config.py that
nbgrader's own tools (the JupyterLab extension's Validate button, `nbgrader ...`) read."""
from __future__ import annotations

import re
from pathlib import Path

from nbgrader.preprocessors import (CheckCellMetadata, ClearHiddenTests, ClearMarkScheme, ClearOutput,
                                    ClearSolutions, ComputeChecksums, IncludeHeaderFooter, InstantiateTests,
                                    LockCells, NbGraderPreprocessor, SaveCells)
from traitlets.config import Config

from autograder.course import Course

STUB = "raise NotImplementedError()"


class NameTheStubs(NbGraderPreprocessor):
    """Make each stub say what to write: `raise NotImplementedError("backward: ...")`."""

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("solution") or STUB not in cell.source:
            return cell, resources
        lines, current = [], None
        for line in cell.source.split("\n"):
            m = re.match(r"^\s*def\s+(\w+)\s*\(", line)
            if m:
                current = m.group(1)
            if line.strip() == STUB:
                if current:
                    message = f"{current}: write this function, then run the checks below"
                else:
                    name = meta.get("grade_id", "answer").removeprefix("solution_")
                    message = f"{name}: replace this line with your answer"
                line = line.replace(STUB, f"raise NotImplementedError({message!r})")
            lines.append(line)
        cell.source = "\n".join(lines)
        return cell, resources


def config_for(course: Course, *, db_url: str, root: Path | None = None) -> Config:
    cfg = Config()
    cfg.CourseDirectory.root = str(root or course.root)
    cfg.CourseDirectory.course_id = course.id
    cfg.CourseDirectory.db_url = db_url
    cfg.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".DS_Store",
                                  ".hypothesis"]
    cfg.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\n" + STUB}
    cfg.GenerateAssignment.preprocessors = [
        IncludeHeaderFooter, InstantiateTests, LockCells, ClearSolutions, NameTheStubs, ClearOutput,
        CheckCellMetadata, ComputeChecksums, SaveCells, ClearHiddenTests, ClearMarkScheme, ComputeChecksums,
        CheckCellMetadata,
    ]
    cfg.Exchange.assignment_dir = str(root or course.root)
    return cfg


def generate_assignment(course: Course, lab: str, *, db_url: str, release_dir: Path,
                        log_level: str = "CRITICAL") -> Path:
    """nbgrader's generate_assignment for one lab: the student version in release_dir/<lab>/, and
    the lab's notebooks and graded cells recorded in the gradebook at db_url."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory

    cfg = config_for(course, db_url=db_url)
    cfg.CourseDirectory.release_directory = str(release_dir)
    cfg.CourseDirectory.assignment_id = lab
    cfg.GenerateAssignment.force = True
    cfg.GenerateAssignment.create_assignment = True
    cfg.Application.log_level = log_level
    GenerateAssignment(coursedir=CourseDirectory(config=cfg), config=cfg).start()
    return Path(release_dir) / lab


def apply(c, course: Course | None = None) -> None:
    """Fill a `get_config()` object (nbgrader_config.py) from course.toml."""
    from autograder import course as course_mod

    course = course or course_mod.load()
    db = Path(course.root) / "build" / "gradebook.db"
    c.merge(config_for(course, db_url=f"sqlite:///{db}"))


OUTPUT_CONFIG = """# This grading output is the class's nbgrader course directory: its gradebook.db, autograded/ and
# feedback/ were written by `autograder grade`. Run formgrader (JupyterLab started here) and
# `nbgrader db ...`, `nbgrader export`, `nbgrader release_feedback` here, with no flags. Written
# again at every grade; derived from course.toml by autograder.nbgrader_config.
from autograder.nbgrader_config import apply_output

apply_output(get_config(), course_toml={course_toml!r}, out={out!r}, submissions={submissions!r})  # noqa: F821
"""


def output_config(course: Course, out: Path, submissions: Path | str | None = None) -> Config:
    """nbgrader's configuration for a grading output folder OUT (its course directory)."""
    out = Path(out).resolve()
    cfg = config_for(course, db_url=f"sqlite:///{out / 'gradebook.db'}", root=out)
    cfg.CourseDirectory.source_directory = str(Path(course.root) / "source")
    cfg.CourseDirectory.submitted_directory = str(submissions) if submissions else "submitted"
    cfg.CourseDirectory.autograded_directory = "autograded"
    cfg.CourseDirectory.feedback_directory = "feedback"
    cfg.ExportPlugin.to = "nbgrader_grades.csv"  # `nbgrader export` here must not overwrite our grades.csv
    # formgrader and nbgrader's own feedback render students' notebooks: their HTML escaped or
    # cleaned by nbconvert's bleach sanitizer, after markdown is rendered too (see SanitizeForTheBrowser)
    cfg.HTMLExporter.sanitize_html = True
    return cfg


def apply_output(c, *, course_toml: str, out: str, submissions: str | None = None) -> None:
    """Fill OUT/nbgrader_config.py's `get_config()` object."""
    from autograder import course as course_mod

    c.merge(output_config(course_mod.load(course_toml), Path(out), submissions))


def write_course_config(out: Path, course: Course, submissions: Path | str | None = None) -> Path:
    """Write OUT/nbgrader_config.py (keeping the submissions folder an earlier run named)."""
    path = Path(out) / "nbgrader_config.py"
    if submissions is None and path.is_file():
        m = re.search(r"submissions=('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|None)", path.read_text())
        if m and m.group(1) != "None":
            import ast

            submissions = ast.literal_eval(m.group(1))
    text = OUTPUT_CONFIG.format(course_toml=str(Path(course.root) / "course.toml"), out=str(Path(out).resolve()),
                                submissions=str(submissions) if submissions else None)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return path


def _alembic_head() -> str:
    """nbgrader's migration head, computed in-process once.

    nbgrader stamps every new gradebook by running the `alembic` command in a subprocess, which
    needs it on PATH and costs a process per gradebook; grading makes one gradebook per submission."""
    import os

    import nbgrader
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", os.path.join(os.path.dirname(nbgrader.__file__), "alembic"))
    return ScriptDirectory.from_config(cfg).get_current_head()


def _patch_alembic_version() -> None:
    import functools

    import nbgrader.api

    if not getattr(nbgrader.api.get_alembic_version, "_autograder", False):
        cached = functools.lru_cache(maxsize=1)(_alembic_head)
        cached._autograder = True
        nbgrader.api.get_alembic_version = cached


def _quiet_sqlalchemy() -> None:
    """nbgrader 0.9 with SQLAlchemy 2.1 warns about its own session use on every submission."""
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)


_patch_alembic_version()
_quiet_sqlalchemy()
