"""`autograder release`: generate the student versions in release/ from source/ with nbgrader, and
hand them to students without the course.

Solutions become stubs that say what to write, hidden tests disappear, outputs are cleared. The
reference implementations live in autograder/reference and never enter release/.

Two ways to students, neither of which carries anything but release/:
- `--exchange`: nbgrader's own release_assignment into its exchange (JupyterHub courses: students
  fetch with the Assignments tab or `nbgrader fetch_assignment`);
- `--bundle DIR`: a folder (and DIR.zip) to upload to an LMS: the release notebooks, a pinned
  requirements.txt for the students' own environment (JupyterLab, nbgrader's Validate button and
  what the labs import), student_env.py (which makes that environment), validate.py (this
  package's validate module, which needs nothing of the course) and a README for students.

Neither shows students nbgrader's instructor tools: the bundle's student_env.py turns off its
create-assignment and formgrader extensions in the environment it makes; for a JupyterHub the
students' image runs the same file with --here (the hub's environments are not ours:
`autograder release --exchange` says so). After a lab's due date and its longest extension, `--solutions LAB` writes
the worked notebook: the source with its solutions, without hidden checks or outputs."""
from __future__ import annotations

import re
import shutil
import tempfile
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from autograder import course as course_mod
from autograder import student_env, validate
from autograder.nbgrader_config import config_for, generate_assignment

# What a student's environment needs: JupyterLab with nbgrader's extension (the Validate button),
# the kernel, and what the labs import. Pinned, with everything they pull in, to the versions in
# the course's requirements.txt (the ones the labs are tested with).
STUDENT_PACKAGES = ["jupyterlab", "nbgrader", "ipykernel", "nbformat", "jupyter_client", "numpy", "matplotlib",
                    "scikit-learn"]
VENV_OWN = {"pip", "setuptools", "wheel"}
STUDENT_README = """\
# {title}: the labs

1. Make the environment for the labs with Python 3.11 (once): in this folder run

       python3.11 student_env.py                            (Windows: py -3.11 student_env.py)

   It makes labs-env here, installs the pinned packages of requirements.txt into it, and turns
   off nbgrader's instructor tools there (you need only its Validate button and Assignments tab).
   In a conda environment of your own instead: `python student_env.py --here` after
   `pip install -r requirements.txt`.

2. Open a lab in JupyterLab, fill in every stub (`raise NotImplementedError(...)`) and run the
   visible checks under each function:

       labs-env/bin/jupyter lab {first}/{first}.ipynb

3. Check your work before you hand it in, with JupyterLab's Validate button or:

       labs-env/bin/python validate.py {first}/{first}.ipynb

   It prints each visible check as passed, failed (with its message) or not attempted, each
   question and written answer as "answered (checked when graded)", and an answer you have not
   set or written as "not answered". Hidden
   checks run only at grading, on inputs you have not seen: passing the visible checks is not a
   grade. The Validate button runs the same visible checks but speaks nbgrader's words: it lists
   only what fails ("The following cell failed:", with "q1: not answered" for a question you
   have not answered and "You did not provide a response." for an empty written answer); a
   question it cannot check is not listed, and its "Success! Your notebook passes all the tests."
   means the visible ones.

4. Hand in the notebook `{first}.ipynb` itself (keep its name) on the course's page.

Labs: {labs}
"""


class ReleaseError(ValueError):
    pass


def graded_points(notebook: Path) -> dict[str, float]:
    """grade_id -> points of every graded cell of a notebook (autograded and manually graded)."""
    return course_mod.graded_points(notebook)


def _load(course_toml) -> course_mod.Course:
    try:
        return course_mod.load(course_toml)
    except course_mod.CourseError as exc:
        raise ReleaseError(str(exc)) from None


def main(*, labs: list[str] | None = None, course_toml: Path | str = course_mod.COURSE_TOML,
         release_dir: Path | str | None = None, quiet: bool = True) -> list[Path]:
    """Generate release/<lab>/ for the given labs (default: all of course.toml).

    Args:
        labs: lab ids to release; default every lab in course.toml.
        course_toml: the course description.
        release_dir: where to write (default: the course's release/).
        quiet: silence nbgrader's log.
    Returns:
        the paths of the generated notebooks.
    Raises:
        ReleaseError: course.toml is wrong (a lab without a source notebook, points that differ
            from its cells'), or an unknown lab.
    """
    course = _load(course_toml)
    wanted = labs or course.lab_ids
    out_root = Path(release_dir) if release_dir else course.root / "release"
    written = []
    for lab_id in wanted:
        try:
            course.lab(lab_id)
        except course_mod.CourseError as exc:
            raise ReleaseError(str(exc)) from None
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


def _pinned(requirements: Path) -> dict[str, str]:
    """normalised name -> `name==version` lines of a requirements file."""
    pins = {}
    for line in requirements.read_text().splitlines():
        m = re.match(r"^\s*([A-Za-z0-9_.-]+)\s*==\s*([^\s;#]+)", line)
        if m:
            pins[_norm(m.group(1))] = f"{m.group(1)}=={m.group(2)}"
    return pins


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def student_requirements(requirements: Path = course_mod.ROOT / "requirements.txt") -> list[str]:
    """The pinned closure of STUDENT_PACKAGES: each package and what it requires (on this platform,
    without extras), at the version of the course's requirements.txt."""
    from packaging.requirements import Requirement

    pins = _pinned(requirements)
    seen: set[str] = set()
    todo = [_norm(name) for name in STUDENT_PACKAGES]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            raise ReleaseError(f"{name} is not installed here: run `make setup`") from None
        for spec in requires:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(_norm(req.name))
    seen -= VENV_OWN  # a fresh venv has its own
    missing = sorted(seen - set(pins))
    if missing:
        raise ReleaseError(f"{requirements}: no pinned version of {', '.join(missing)}: add `name==version` lines")
    return sorted((pins[name] for name in seen), key=str.lower)


def bundle(dest: Path | str, *, labs: list[str] | None = None,
           course_toml: Path | str = course_mod.COURSE_TOML) -> Path:
    """Write the students' bundle: DEST/<lab>/<lab>.ipynb (generated afresh from source/),
    requirements.txt, student_env.py, validate.py, README.md, and the same as DEST.zip.

    Returns:
        the zip file.
    Raises:
        ReleaseError: as main(); or DEST exists and is not an earlier bundle.
    """
    course = _load(course_toml)
    wanted = labs or course.lab_ids
    for lab_id in wanted:
        try:
            course.lab(lab_id)
        except course_mod.CourseError as exc:
            raise ReleaseError(str(exc)) from None
    dest = Path(dest)
    if dest.exists() and not (dest / "validate.py").exists():
        raise ReleaseError(f"--bundle {dest}: the folder exists and is not a bundle: choose a new folder")
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    main(labs=wanted, course_toml=course_toml, release_dir=dest)
    (dest / "requirements.txt").write_text(
        f"# {course.title}: the students' environment (pip install -r requirements.txt)\n"
        + "\n".join(student_requirements()) + "\n")
    for module in (validate, student_env):  # each needs nothing of the course
        shutil.copy(module.__file__, dest / Path(module.__file__).name)
    (dest / "README.md").write_text(STUDENT_README.format(title=course.title, first=wanted[0], labs=", ".join(wanted)))
    return Path(shutil.make_archive(str(dest), "zip", root_dir=dest.parent, base_dir=dest.name))


def exchange_solutions(lab_id: str, *, root: Path | str | None = None,
                       course_toml: Path | str = course_mod.COURSE_TOML, now: datetime | None = None) -> Path:
    """The worked notebook of lab_id (see solutions()) through nbgrader's exchange, as the assignment
    <lab>_solutions, which students fetch like a lab.

    Raises:
        ReleaseError: as solutions(); or the exchange refused.
    """
    course = _load(course_toml)
    with tempfile.TemporaryDirectory(prefix="ag-solutions-") as tmp:
        worked = solutions(lab_id, Path(tmp) / "release", course_toml=course_toml, now=now)
        worked.parent.rename(worked.parent.with_name(f"{lab_id}_solutions"))
        return _to_exchange(course, f"{lab_id}_solutions", Path(tmp), root)


def exchange(*, labs: list[str] | None = None, root: Path | str | None = None,
             course_toml: Path | str = course_mod.COURSE_TOML) -> list[Path]:
    """Regenerate release/<lab>/ and release it through nbgrader's exchange (release_assignment):
    ROOT/<course id>/outbound/<lab>/, where students' `fetch_assignment` finds it.

    Args:
        root: the exchange folder (default: nbgrader's, /srv/nbgrader/exchange).
    Returns:
        the released folders.
    Raises:
        ReleaseError: as main(); or the exchange refused (permissions, no such folder).
    """
    course = _load(course_toml)
    wanted = labs or course.lab_ids
    main(labs=wanted, course_toml=course_toml)
    return [_to_exchange(course, lab_id, course.root, root) for lab_id in wanted]


def _to_exchange(course, assignment_id: str, course_root: Path, root: Path | str | None) -> Path:
    """nbgrader's release_assignment of COURSE_ROOT/release/<assignment_id>/ into the exchange."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeError
    from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment

    with tempfile.TemporaryDirectory(prefix="ag-exchange-") as tmp:
        cfg = config_for(course, db_url=f"sqlite:///{tmp}/gradebook.db", root=course_root)
        if root:
            cfg.Exchange.root = str(Path(root).resolve())
        cfg.CourseDirectory.assignment_id = assignment_id
        cfg.ExchangeReleaseAssignment.force = True
        cfg.Application.log_level = "ERROR"
        coursedir = CourseDirectory(config=cfg)
        app = ExchangeReleaseAssignment(coursedir=coursedir, authenticator=Authenticator(config=cfg), config=cfg)
        try:
            app.start()
        except ExchangeError as exc:
            raise ReleaseError(f"{assignment_id}: nbgrader's exchange at {app.root} refused: {exc}") from None
        return Path(app.dest_path)


def solutions_open(course, lab_id: str) -> datetime:
    """When a lab's solutions may go out: its due date or, when later, the latest extension for it."""
    from autograder.grade.lateness import read_extensions

    due = course.lab(lab_id).due
    extended = [new for (_, lab), new in read_extensions(course).items() if lab == lab_id]
    return max([due, *extended])


def solutions(lab_id: str, dest: Path | str, *, course_toml: Path | str = course_mod.COURSE_TOML,
              now: datetime | None = None) -> Path:
    """Write DEST/<lab>/<lab>.ipynb: the worked notebook (solutions and marking guides kept, the
    solution markers, hidden checks and outputs removed), once the lab's due date and its longest
    extension have passed.

    Returns:
        the notebook written.
    Raises:
        ReleaseError: an unknown lab, a bad extensions file, or too early.
    """
    import nbformat
    from nbgrader.preprocessors import ClearHiddenTests, ClearOutput

    course = _load(course_toml)
    try:
        course.lab(lab_id)
        opens = solutions_open(course, lab_id)
    except (course_mod.CourseError, ValueError) as exc:
        raise ReleaseError(str(exc)) from None
    now = now or datetime.now(timezone.utc)
    if now < opens:
        raise ReleaseError(f"--solutions {lab_id}: refused until {opens.isoformat()} (the due date or its latest "
                           f"extension in {Path(course_toml)}); run it again after that")
    nb = nbformat.read(course.lab(lab_id).source_notebook(course.root), as_version=4)
    nb, _ = ClearHiddenTests().preprocess(nb, {})
    nb, _ = ClearOutput().preprocess(nb, {})
    for cell in nb.cells:  # keep what lies between the markers, drop the marker lines
        cell.source = "\n".join(line for line in cell.source.split("\n")
                                 if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    target = Path(dest) / lab_id / f"{lab_id}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return target
