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
    stubs = [c.source for c in released.cells if c.metadata.get("nbgrader", {}).get("solution")
             and c.cell_type == "code"]
    assert stubs
    for stub in stubs:
        assert "raise NotImplementedError(" in stub and "NotImplementedError()" not in stub


def test_do_the_points_of_every_lab_match_course_toml():
    for lab in LABS:
        assert sum(release.graded_points(COURSE.lab(lab).source_notebook()).values()) == COURSE.lab(lab).points


def test_does_release_refuse_points_that_disagree_with_course_toml(tmp_path):
    first = COURSE.lab(LABS[0])
    wrong = first.points + 1
    text = course_mod.COURSE_TOML.read_text().replace(f"points = {first.points:g}", f"points = {wrong:g}", 1)
    assert f"points = {wrong:g}" in text, "course.toml should list the first lab's points first"
    (tmp_path / "course.toml").write_text(text)
    shutil.copytree(COURSE.root / "source", tmp_path / "source")
    with pytest.raises(release.ReleaseError, match=f"course.toml says {wrong:g}"):
        release.main(labs=[LABS[0]], course_toml=tmp_path / "course.toml", release_dir=tmp_path / "release")


def _reflections(nb) -> dict[str, nbformat.NotebookNode]:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
            if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")}


@pytest.mark.parametrize("lab", LABS)
def test_are_the_reflections_blank_answer_cells_in_release_with_their_guide_in_source_only(lab):
    source = _reflections(nbformat.read(COURSE.lab(lab).source_notebook(), as_version=4))
    released = _reflections(nbformat.read(COURSE.lab(lab).release_notebook(), as_version=4))
    if not source:
        pytest.skip(f"{lab} has no written reflections yet")
    assert sorted(source) == [f"reflection_{i}" for i in range(1, len(source) + 1)], \
        f"{lab}: reflection grade_ids should be reflection_1, reflection_2, ...; got {sorted(source)}"
    assert 2 <= len(source) <= 3, f"{lab}: two or three reflections, got {len(source)}"
    points = {gid: float(c.metadata["nbgrader"]["points"]) for gid, c in source.items()}
    assert sum(points.values()) == 5, f"{lab}: the reflections should be worth 5 points in all, got {points}"
    autograded = sum(release.graded_points(COURSE.lab(lab).source_notebook()).values()) - sum(points.values())
    assert autograded == 20, f"{lab}: the autograded cells should still sum to 20 points, got {autograded:g}"
    released_text = "\n".join(c.source for c in nbformat.read(COURSE.lab(lab).release_notebook(), as_version=4).cells)
    for gid, cell in source.items():
        meta = cell.metadata["nbgrader"]
        assert meta["solution"] and not meta.get("locked"), f"{lab}/{gid}: should be an answer cell students can edit"
        guide = re.fullmatch(r"### BEGIN SOLUTION\n(.+)\n### END SOLUTION", cell.source.strip(), flags=re.S)
        assert guide, f"{lab}/{gid}: the whole cell should be the marking guide inside BEGIN/END SOLUTION"
        assert "Marking guide" in guide.group(1), f"{lab}/{gid}: the guide should say it is one"
        assert released[gid].source.strip() == "YOUR ANSWER HERE", \
            f"{lab}/{gid}: release should show nbgrader's blank answer, got {released[gid].source[:80]!r}"
        for line in guide.group(1).splitlines():
            words = line.strip(" -*")
            if len(words) > 20:
                assert words not in released_text, f"{lab}/{gid}: marking guide in release: {words}"
    assert "Marking guide" not in released_text, f"{lab}: a marking guide reached release/"
