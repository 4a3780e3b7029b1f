"""The students' bundle (`autograder release --bundle`) and nbgrader's exchange release: students
get the labs without the course.

- No file of the bundle holds a solution line, a hidden test, a reference line or the secret.
- A fresh virtualenv built from the bundle's requirements.txt alone (no course checkout, no
  project on the path; pip reads this machine's configured wheel folders) runs the bundle's
  validate.py: a filled-in notebook passes every visible check (its question and written answers
  "answered"), the stubs are "not attempted" (the values, the question and the written answers
  students set "not answered").
- `release --exchange` puts the release notebooks where nbgrader's fetch_assignment finds them."""
from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from autograder import course as course_mod
from autograder import release
from tests import corpus
from tests.conftest import STUDENT_ENV

BUNDLE = pytest.mark.xdist_group("bundle")  # the tests of the module's one bundle

COURSE = course_mod.load()
LAB = "lab2_delta_rule"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("bundle") / "labs"
    archive = release.bundle(dest)
    assert archive == dest.with_suffix(".zip")
    with zipfile.ZipFile(archive) as z:
        assert sorted(n for n in z.namelist() if not n.endswith("/")) == sorted(f"labs/{p.relative_to(dest).as_posix()}"
                                              for p in dest.rglob("*") if p.is_file())
    return dest


@BUNDLE
def test_does_the_bundle_hold_the_release_notebooks_and_nothing_else(bundle):
    files = sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file())
    assert files == sorted(["README.md", "requirements.txt", "student_env.py", "validate.py"]
                           + [f"{lab}/{lab}.ipynb" for lab in COURSE.lab_ids])
    for lab in COURSE.lab_ids:  # the same notebooks as release/, which the tests keep up to date
        assert (bundle / lab / f"{lab}.ipynb").read_text() == lab_release(lab)


def lab_release(lab: str) -> str:
    return (course_mod.ROOT / "release" / lab / f"{lab}.ipynb").read_text()


def _regions(source: str) -> tuple[set[str], set[str]]:
    """(lines inside solution and hidden-test regions, lines outside them) of a source cell."""
    inside, outside, depth = set(), set(), 0
    for line in source.splitlines():
        s = line.strip()
        if s in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"):
            depth += 1
        elif s in ("### END SOLUTION", "### END HIDDEN TESTS"):
            depth -= 1
        elif s:
            (inside if depth else outside).add(s)
    return inside, outside


def secret_lines() -> set[str]:
    """Lines a student must not see: solution and hidden-test lines of the source notebooks and the
    lines of the reference implementations, less any line the students are given anyway."""
    hidden, given = set(), set()
    for lab in COURSE.labs:
        nb = json.loads(lab.source_notebook().read_text())
        for cell in nb["cells"]:
            inside, outside = _regions("".join(cell["source"]))
            meta = cell["metadata"].get("nbgrader", {})
            if meta.get("solution") and cell["cell_type"] == "markdown":
                inside, outside = inside | outside, set()  # a model answer to a written question
            hidden |= inside
            given |= outside
    for ref in (course_mod.ROOT / "autograder" / "reference").glob("lab*.py"):
        hidden |= {line.strip() for line in ref.read_text().splitlines()}
    trivial = {s for s in hidden if len(s) < 16 or s.startswith(("def ", "import ", "from ", "#", '"""', "return"))}
    return hidden - given - trivial


@BUNDLE
def test_does_no_bundle_file_hold_a_solution_hidden_test_reference_or_the_secret(bundle):
    hidden = secret_lines()
    assert len(hidden) > 50  # the search below has something to find
    text = {p.relative_to(bundle).as_posix(): p.read_text() for p in bundle.rglob("*") if p.is_file()}
    for name, content in text.items():
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "run_here", "autograder.checks",
                       "autograder.reference", "from autograder", "import autograder", COURSE.secret,
                       "default_secret", "AUTOGRADER_SECRET"):
            assert marker not in content, (name, marker)
        lines = {line.strip() for line in content.splitlines()}
        if name.endswith(".ipynb"):
            nb = json.loads(content)
            lines = {line.strip() for cell in nb["cells"] for line in "".join(cell["source"]).splitlines()}
            assert all(not cell.get("outputs") for cell in nb["cells"]), name
        assert not (lines & hidden), (name, sorted(lines & hidden)[:3])


@pytest.mark.xdist_group("students_lab")  # the one pip-installed students' environment (conftest)
def test_does_a_fresh_environment_from_the_bundle_alone_validate_a_filled_in_notebook(students_bundle, tmp_path):
    bundle = students_bundle  # made by the bundle's own student_env.py, from its requirements.txt alone
    env = dict(STUDENT_ENV, HOME=str(tmp_path / "home"), JUPYTER_DATA_DIR=str(tmp_path / "jupyter"), PATH="/usr/bin:/bin")
    python = bundle / "labs-env" / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import autograder"], capture_output=True, text=True, env=env,
                           cwd=tmp_path)
    assert "ModuleNotFoundError: No module named 'autograder'" in probe.stderr
    assert subprocess.run([str(python), "-c", "import nbgrader, jupyterlab, numpy, matplotlib, sklearn"],
                          env=env, cwd=tmp_path).returncode == 0

    work = tmp_path / "student" / LAB
    work.mkdir(parents=True)
    filled = json.loads(corpus.build(corpus.Case(lab=LAB, name="filled", path=Path("x.py"), base="solution"))[f"{LAB}.ipynb"])
    written = [cell for cell in filled["cells"] if cell["cell_type"] == "markdown"
               and cell["metadata"].get("nbgrader", {}).get("grade") and cell["metadata"]["nbgrader"].get("solution")]
    for cell in written:  # the written answers, which a TA marks
        cell["source"] = "The error shrinks by (1 - lr x^2) each step, so too large a rate overshoots."
    (work / f"{LAB}.ipynb").write_text(json.dumps(filled))
    (work / "stubs.ipynb").write_bytes((bundle / LAB / f"{LAB}.ipynb").read_bytes())
    reflections = [cell["metadata"]["nbgrader"]["grade_id"] for cell in written]
    assert reflections == ["reflection_1", "reflection_2", "reflection_3"]
    # a row for each visible check and each written answer, in the notebook's order
    checks = [cell["metadata"]["nbgrader"]["grade_id"] for cell in filled["cells"]
              if cell["metadata"].get("nbgrader", {}).get("grade")
              and (not cell["metadata"]["nbgrader"].get("solution") or cell in written)]
    assert checks

    def validate(name: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(python), str(bundle / "validate.py"), name], capture_output=True, text=True,
                              env=env, cwd=work, timeout=600)

    done = validate(f"{LAB}.ipynb")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines[1:1 + len(checks)]] == checks
    # a question's visible check sees only the answer's form, a written answer none: "answered", never "passed"
    questions = [c for c in checks if c.startswith("q_")] + reflections
    assert questions == ["q_cerebellum", *reflections]
    assert all(line.endswith("  answered (checked when graded)" if line.split()[0] in questions else "  passed")
               for line in lines[1:1 + len(checks)]), done.stdout
    assert lines[-3:] == [f"visible checks: {len(checks) - 4} passed, 0 failed, 0 not attempted",
                          "answers: 4 answered (checked when graded), 0 not answered",
                          "Hidden checks run only at grading, on inputs you have not seen: passing the visible "
                          "checks is not a grade."]
    stubs = validate("stubs.ipynb")
    assert stubs.returncode == 1
    # the stubs of the values students set (first_update, estimated_prices), of the question and the written answers
    answers = ["first_update", "estimated_prices", "q_cerebellum", *reflections]
    assert [line.split()[0] for line in stubs.stdout.splitlines() if line.endswith("  not answered")] == answers
    assert f"visible checks: 0 passed, 0 failed, {len(checks) - len(answers)} not attempted" in stubs.stdout
    assert "answers: 0 answered (checked when graded), 6 not answered" in stubs.stdout


def test_does_the_exchange_release_put_the_labs_where_fetch_assignment_looks(tmp_path):
    released = release.exchange(labs=[LAB], root=tmp_path / "exchange")
    outbound = tmp_path / "exchange" / COURSE.id / "outbound" / LAB
    assert released == [outbound]
    assert (outbound / f"{LAB}.ipynb").read_text() == lab_release(LAB)
    assert sorted(p.name for p in (tmp_path / "exchange" / COURSE.id).iterdir()) == ["inbound", "outbound"]


def test_does_the_bundle_refuse_to_replace_a_folder_that_is_not_a_bundle(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("keep me")
    with pytest.raises(release.ReleaseError, match=r"the folder exists and is not a bundle: choose a new folder"):
        release.bundle(tmp_path / "mine")
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "keep me"
