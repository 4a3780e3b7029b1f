"""source/ -> release/: generated, never edited by hand, with nothing hidden left in it."""
from __future__ import annotations

import ast
import re
import shutil

import nbformat
import pytest

from autograder import course as course_mod
from autograder import release

COURSE = course_mod.load()
LABS = [lab.id for lab in COURSE.labs if lab.source_notebook().exists()]


def test_is_release_exactly_what_autograder_release_generates(tmp_path):
    release.main(labs=LABS, release_dir=tmp_path)
    for lab in LABS:
        generated = sorted(p.relative_to(tmp_path / lab) for p in (tmp_path / lab).rglob("*") if p.is_file())
        committed = sorted(p.relative_to(COURSE.root / "release" / lab)
                           for p in (COURSE.root / "release" / lab).rglob("*") if p.is_file())
        assert generated == committed, f"{lab}: run `make release` and commit release/"
        for rel in generated:
            assert (tmp_path / lab / rel).read_bytes() == (COURSE.root / "release" / lab / rel).read_bytes(), \
                f"release/{lab}/{rel} is out of date: run `make release` and commit it"


@pytest.mark.parametrize("lab", LABS)
def test_does_the_release_hold_no_solution_hidden_test_or_reference(lab):
    text = COURSE.lab(lab).release_notebook().read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "run_here", "autograder"):
        assert marker not in text, f"{lab}: release contains {marker!r}"
    released = nbformat.read(COURSE.lab(lab).release_notebook(), as_version=4)
    released_code = "\n".join(c.source for c in released.cells)
    source = nbformat.read(COURSE.lab(lab).source_notebook(), as_version=4)
    for cell in source.cells:
        body = re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, flags=re.S)
        for block in body:
            for line in block.splitlines():
                if len(line.strip()) > 12:  # a real line of the solution, not `return x`
                    assert line.strip() not in released_code, f"{lab}: solution line in release: {line.strip()}"
    # the reference's versions of the functions students write must not leak either
    student_functions = {name for cell in source.cells if cell.metadata.get("nbgrader", {}).get("solution")
                         for name in re.findall(r"^def (\w+)\(", cell.source, flags=re.M)}
    reference = (course_mod.ROOT / "autograder" / "reference" / f"{lab}.py").read_text()
    for node in ast.parse(reference).body:
        if isinstance(node, ast.FunctionDef) and node.name in student_functions:
            for stmt in node.body[1:] if ast.get_docstring(node) else node.body:
                for line in ast.get_source_segment(reference, stmt).splitlines():
                    if len(line.strip()) > 30:
                        assert line.strip() not in released_code, f"{lab}: reference code in release: {line.strip()}"


@pytest.mark.parametrize("lab", LABS)
def test_does_every_stub_say_what_to_write(lab):
    released = nbformat.read(COURSE.lab(lab).release_notebook(), as_version=4)
    stubs = [c.source for c in released.cells
             if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]  # not the reflections
    assert stubs
    for stub in stubs:
        assert "raise NotImplementedError(" in stub and "NotImplementedError()" not in stub


def test_do_the_points_of_every_lab_match_course_toml():
    for lab in LABS:
        assert sum(release.graded_points(COURSE.lab(lab).source_notebook()).values()) == COURSE.lab(lab).points


def test_does_release_refuse_points_that_disagree_with_course_toml(tmp_path):
    text = course_mod.COURSE_TOML.read_text().replace("points = 20", "points = 21", 1)
    (tmp_path / "course.toml").write_text(text)
    shutil.copytree(COURSE.root / "source", tmp_path / "source")
    with pytest.raises(release.ReleaseError, match="course.toml says 21"):
        release.main(labs=[LABS[0]], course_toml=tmp_path / "course.toml", release_dir=tmp_path / "release")
