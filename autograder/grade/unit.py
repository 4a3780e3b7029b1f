"""Grade one student's lab: find the notebook, read it, rebuild it on source, run nbgrader's
autograde (with RunAndCheck in place of Execute) in a private course folder, and return the
result as plain data. Never raises for anything a student can submit."""
from __future__ import annotations

import copy
import functools
import hashlib
import json
import logging
import shutil
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder import course as course_mod
from autograder.grade import safe_files
from autograder.grade.gradebook import cell_names, unsynced
from autograder.grade.rebuild import graded_cells, rebuild, student_code_cells
from autograder.grade.result import Cell, Flag, Status, UnitResult, zero_cells
from autograder.grade.suspicious import scan

@dataclass(frozen=True)
class UnitJob:
    student: str
    lab: str
    submissions: str
    course_toml: str
    secret: str
    hide: tuple[str, ...]
    template_db: str
    sandbox: str = "auto"  # the --sandbox mode the grading process decided (pipeline.decide_sandbox)
    autograded_dir: str = ""  # where the autograded notebook is kept: <dir>/<student>/<lab>/<lab>.ipynb
    why_no_sandbox: str | None = None  # the grading process's sandbox.probe() ("" = bubblewrap); None: probe here
    submitted_at: str = ""  # the time the LMS recorded (submission_times), "" when none was given
    lms_late: bool = False  # the LMS marked it late (Canvas's LATE)
    time_source: str = ""  # where submitted_at comes from (file:line)


KEPT = ("timestamp.txt", "submission_secret.txt")  # nbgrader's own files beside the notebook


def locate(job: UnitJob) -> tuple[Path | None, list[str], list[str]]:
    """(notebook path or None, flags, notes) for the submission folder <student>/<lab>/. Nothing is
    followed: a link or special file (notebook, timestamp.txt, anything) is refused and flagged."""
    folder = Path(job.submissions) / job.student / job.lab
    expected = f"{job.lab}.ipynb"
    flags, notes = [], []
    for level in (folder.parent, folder):
        if safe_files.kind(level) in ("link", "special"):
            flags.append(Flag.REFUSED_FILE)
            notes.append(f"{level.name} is a symbolic link or special file, not a folder: not followed")
            return None, flags, notes
    found = [(name, kind) for name, kind in safe_files.entries(folder) if not name.startswith(".")]
    if not found:
        return None, flags, notes
    refused = [name for name, kind in found if kind in ("link", "special")]
    if refused:
        flags.append(Flag.REFUSED_FILE)
        notes.append(f"links and special files are never followed or read: {', '.join(refused[:10])} refused")
    notebooks = [name for name, kind in found if kind == "file" and name.endswith(".ipynb")]
    name = expected if expected in notebooks else None
    if name is None and len(notebooks) == 1:
        name = notebooks[0]
        flags.append(Flag.RENAMED_NOTEBOOK)
        notes.append(f"the notebook is named {name}, not {expected}: graded anyway")
    elif name is None and len(notebooks) > 1:
        notes.append(f"several notebooks and none named {expected}: {', '.join(notebooks)}")
    extra = [n for n, kind in found if n != name and n not in KEPT and n not in refused]
    if extra:
        flags.append(Flag.EXTRA_FILES)
        notes.append(f"extra files ignored: {', '.join(extra[:10])}")
    return (folder / name if name else None), flags, notes


@functools.lru_cache(maxsize=1)
def _grader_digest() -> bytes:
    """The grader's own code (checks, references, pipeline): a changed check regrades the class."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for p in sorted(package.rglob("*.py")):
        h.update(str(p.relative_to(package)).encode() + b"\0" + p.read_bytes())
    return h.digest()


def fingerprint(job: UnitJob, course: course_mod.Course) -> str:
    """Changes when anything that decides this result changes (to resume without regrading)."""
    h = hashlib.sha256(_grader_digest())
    folder = Path(job.submissions) / job.student / job.lab
    for name, kind in safe_files.entries(folder) if safe_files.kind(folder.parent) == "dir" else []:
        try:
            data = safe_files.read(folder / name, safe_files.NOTEBOOK_CAP) if kind == "file" else kind.encode()
        except OSError:
            data = b"refused"
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    h.update(f"{job.submitted_at}\0{job.lms_late}".encode())
    for p in (Path(job.course_toml), course.lab(job.lab).source_notebook(course.root)):
        h.update(p.read_bytes())
    h.update(hashlib.sha256(job.secret.encode()).digest())
    h.update(b"sandbox" if not _unsandboxed(job) else b"no-sandbox")
    return h.hexdigest()


def _read(path: Path) -> nbformat.NotebookNode | None:
    try:
        data = json.loads(safe_files.read(path, safe_files.NOTEBOOK_CAP))
        if not isinstance(data, dict) or data.get("nbformat") != 4 or not isinstance(data.get("cells"), list):
            return None
        for cell in data["cells"]:
            if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
                return None
            if isinstance(cell.get("source"), list):
                cell["source"] = "".join(str(s) for s in cell["source"])
            cell.setdefault("metadata", {})
        return nbformat.from_dict(data)
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return None


def manual_cells(notebook) -> list[tuple[str, float]]:
    """(grade_id, points) of the cells a TA grades by hand (nbgrader's manually graded answers)."""
    cells = []
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if isinstance(meta, dict) and meta.get("solution") and meta.get("grade") and meta.get("grade_id"):
            cells.append((meta["grade_id"], float(meta.get("points", 0))))
    return cells


def lab_zero_cells(notebook, message: str) -> list[Cell]:
    """Every graded cell of the lab notebook at zero (result.zero_cells): for a row that was not graded."""
    return zero_cells(graded_cells(notebook), manual_cells(notebook), message)


def digests(notebook) -> dict[str, str]:
    """For each cell a grade or a comment is kept on: a digest of what decided it. An answer (solution)
    cell: its own text; a test cell: every cell of the student's code. A TA's manual grade survives
    a regrade only while that digest is unchanged."""
    code = hashlib.sha256("\0".join(c.source for _, c in student_code_cells(notebook)).encode()).hexdigest()
    found = {}
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        gid = meta.get("grade_id") if isinstance(meta, dict) else None
        if gid and meta.get("solution"):
            found[gid] = hashlib.sha256(f"{cell.cell_type}\0{cell.source}".encode()).hexdigest()
        elif gid and meta.get("grade"):
            found[gid] = code
    return found


def submission_time(job: UnitJob, folder: Path) -> tuple[str | None, list[str], list[str]]:
    """(the trusted time as nbgrader writes it, or None; flags; notes). Only the time the LMS recorded
    counts (job.submitted_at); timestamp.txt is written by the student's own `nbgrader submit`, so it
    is only quoted to the TA. Never raises."""
    flags, notes = [], []
    if job.lms_late:
        flags.append(Flag.MARKED_LATE_BY_LMS)
        notes.append("the LMS marked this submission late")
    if job.submitted_at:
        return job.submitted_at, flags, notes
    try:
        said = safe_files.read(folder / "timestamp.txt", safe_files.SMALL_CAP).decode("utf-8", "replace").strip()
        said = f"; its timestamp.txt (written by the student's own nbgrader submit) says {said[:64]!r}, not trusted"
    except OSError:
        said = ""
    flags.append(Flag.TIME_UNKNOWN)
    notes.append(f"no submission time the LMS recorded was given (collect --times, grade --times): no late penalty "
                 f"computed, for a TA to settle{said}")
    return None, flags, notes


def grade_unit(job: UnitJob) -> UnitResult:
    """The result of one student's lab, whole (it pickles) for the grading process."""
    from autograder.kernel.boundary import settle_sandbox

    if job.why_no_sandbox is not None:
        settle_sandbox(job.why_no_sandbox)  # checked once per run, in the grading process
    course = course_mod.load(job.course_toml, secret=job.secret)
    source_nb = nbformat.read(course.lab(job.lab).source_notebook(course.root), as_version=4)
    return _grade(job, course, source_nb)


def _grade(job: UnitJob, course: course_mod.Course, source_nb) -> UnitResult:
    result = UnitResult(student=job.student, lab=job.lab, max_score=course.lab(job.lab).points,
                        fingerprint=fingerprint(job, course))
    if _unsandboxed(job):
        result.flags.append(Flag.NO_SANDBOX)
    path, flags, notes = locate(job)
    result.flags += flags
    result.notes += notes
    if path is None:
        result.status, result.cells = Status.MISSING, lab_zero_cells(source_nb, "no notebook submitted")
        return result
    submitted = _read(path)
    if submitted is None and path.lstat().st_size > safe_files.NOTEBOOK_CAP:
        result.notes.append(f"the notebook is {path.lstat().st_size:,} bytes, over the "
                            f"{safe_files.NOTEBOOK_CAP:,} grade reads")
    if submitted is None:
        result.status, result.cells = Status.UNREADABLE, lab_zero_cells(source_nb, "the notebook could not be read")
        return result
    result.timestamp, flags, notes = submission_time(job, path.parent)
    result.time_unknown = result.timestamp is None  # for the late rule's report (lateness.late_rule)
    result.flags += flags
    result.notes += notes
    try:
        secret = safe_files.read(path.parent / "submission_secret.txt", safe_files.SMALL_CAP)
        result.submission_secret = secret[:200].decode("utf-8", "replace").strip()
    except OSError:
        pass
    rebuilt = rebuild(submitted, source_nb)
    result.digests = digests(rebuilt.notebook)
    result.flags += sorted(rebuilt.flags)
    result.notes += rebuilt.notes
    findings = scan([c.source for _, c in student_code_cells(rebuilt.notebook)])
    if findings:
        result.flags.append(Flag.SUSPICIOUS_CODE)
        result.notes += [f"for a TA: the code {f}" for f in findings]
    try:
        _autograde(job, course, rebuilt.notebook, result)
    except Exception:  # noqa: BLE001 - our failure: reported in the table, the class goes on
        result.status, result.cells = Status.ERROR, lab_zero_cells(source_nb, "the grader failed on this notebook")
        result.events.append("for a TA: " + traceback.format_exc(limit=5))  # never on the student's page
    return result


def warm_up() -> None:
    """A worker's imports and first-use costs (the kernels' font list, the kernels' template), paid
    while the grading process builds the gradebook template."""
    import nbgrader.converters  # noqa: F401

    import autograder.grade.preprocessors  # noqa: F401
    from autograder.kernel.boundary import warm_font_list, warm_template

    warm_font_list()
    warm_template()  # the template's imports, once per worker (where kernels are forked)


def _unsandboxed(job: UnitJob) -> bool:
    from autograder.kernel.boundary import probe_sandbox

    return job.sandbox == "off" or bool(job.why_no_sandbox if job.why_no_sandbox is not None else probe_sandbox())


def _keep_autograded(job: UnitJob, graded, source_nb) -> None:
    """The autograded notebook in nbgrader's layout, for formgrader (written atomically), with the
    marking guide after each written answer (grade/guide.py)."""
    from autograder.grade.guide import with_guides

    if not job.autograded_dir:
        return
    dest = Path(job.autograded_dir) / job.student / job.lab / f"{job.lab}.ipynb"
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp")
    nbformat.write(with_guides(copy.deepcopy(graded), source_nb), tmp)
    tmp.replace(dest)


_scratch: set[Path] = set()  # the units' private course folders now in use in this process


def remove_scratch() -> None:
    """Remove them now (the worker is leaving mid-unit: pipeline._worker_leave)."""
    for work in list(_scratch):
        shutil.rmtree(work, ignore_errors=True)


def _autograde(job: UnitJob, course: course_mod.Course, notebook, result: UnitResult) -> None:
    """nbgrader's Autograde in a private course folder; the result's status, cells, flags and events
    from the graded notebook and its gradebook (set only once all of them were read)."""
    work = Path(tempfile.mkdtemp(prefix="agu-"))
    _scratch.add(work)
    try:
        graded_nb = _run_autograde(job, course, notebook, result.timestamp, work)
        meta = graded_nb.metadata.get("autograder", {})
        if meta.get("not_run"):  # nothing was run: the notebook a TA may have graded stays as it is
            result.status, result.not_run, result.sandbox, result.seconds = Status.NOT_RUN, meta["not_run"], {}, 0.0
            result.cells = lab_zero_cells(graded_nb, "not graded: the grader could not start a kernel for this "
                                                     "notebook")
            result.events.append(f"for a TA: the kernel could not start: {meta['not_run']}")
            return
        _keep_autograded(job, graded_nb, nbformat.read(course.lab(job.lab).source_notebook(course.root), as_version=4))
        cells = _scored_cells(job, course, graded_nb, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        _scratch.discard(work)
    result.status = (Status.CRASHED if meta.get("crashed") else Status.MEMORY if meta.get("memory")
                     else Status.TIMEOUT if meta.get("timed_out") else Status.OK)
    result.cells = cells
    result.flags += [Flag.OUTPUT_TRUNCATED] * bool(meta.get("output_truncated"))
    result.flags += [Flag.FILE_TOO_LARGE] * bool(meta.get("file_too_large"))
    for flag, note in meta.get("flags", []):  # raised by a check (gradient-method-unclear): for a TA
        result.flags.append(flag)
        result.notes.append(f"for a TA: {note}")
    result.events += meta.get("events", [])
    result.cell_errors, result.sandbox = meta.get("cell_errors", []), meta.get("sandbox", {})
    result.seconds = meta.get("seconds", 0.0)


def _run_autograde(job: UnitJob, course: course_mod.Course, notebook, timestamp: str | None, work: Path):
    """The autograded notebook: nbgrader's Autograde (RunAndCheck in place of Execute) run in `work`."""
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import (AssignLatePenalties, ClearOutput, DeduplicateIds, LimitOutput, OverwriteCells,
                                        OverwriteKernelspec, SaveAutoGrades)

    from autograder.grade.preprocessors import RunAndCheck, SanitizeForTheBrowser
    from autograder.nbgrader_config import config_for

    (work / "source" / job.lab).mkdir(parents=True)
    shutil.copy(course.lab(job.lab).source_notebook(course.root), work / "source" / job.lab)
    sub = work / "submitted" / STUDENT_ID / job.lab
    sub.mkdir(parents=True)
    nbformat.write(notebook, sub / f"{job.lab}.ipynb")
    if timestamp:  # only a readable one: nbgrader fails the whole notebook on another
        (sub / "timestamp.txt").write_text(timestamp)
    shutil.copy(job.template_db, work / "gradebook.db")
    cfg = config_for(course, db_url=f"sqlite:///{work}/gradebook.db", root=work)
    cfg.CourseDirectory.assignment_id = job.lab
    cfg.CourseDirectory.student_id = STUDENT_ID
    # nbgrader's pipeline without its CheckCellMetadata (twice per notebook, 0.1 s each here:
    # jsonschema checks the schema itself again for every cell): every cell's nbgrader metadata
    # is source/'s (rebuild), validated when this run's gradebook template was generated from
    # the same notebooks, and RunAndCheck changes only outputs
    cfg.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells]
    cfg.Autograde.autograde_preprocessors = [RunAndCheck, LimitOutput, SaveAutoGrades, AssignLatePenalties,
                                             SanitizeForTheBrowser]  # what formgrader shows runs no student script
    cfg.RunAndCheck.course_toml = job.course_toml
    cfg.RunAndCheck.secret = job.secret
    cfg.RunAndCheck.hide = list(job.hide) + [str(work)]
    cfg.RunAndCheck.sandbox = job.sandbox
    cfg.Application.log_level = "CRITICAL"
    converter = Autograde(coursedir=CourseDirectory(config=cfg), config=cfg)
    converter.log.setLevel(logging.CRITICAL)
    with unsynced():  # the private gradebook is a scratch file
        converter.start()
    return nbformat.read(work / "autograded" / STUDENT_ID / job.lab / f"{job.lab}.ipynb", as_version=4)


STUDENT_ID = "student"  # nbgrader's folder for the one submission in a private course; the real id is ours


def _messages(graded_nb) -> dict[str, str]:
    """{grade_id: a failed check's message, or a partly passed one's} from the graded notebook's outputs."""
    messages = {}
    for cell in graded_nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        outputs = cell.get("outputs", [])
        partial = [o for o in outputs if o.get("output_type") == "stream"] if any(
            o.get("output_type") == "execute_result" for o in outputs) else []
        if gid and (errors or partial):
            messages[gid] = errors[0].get("evalue", "") if errors else "".join(o.get("text", "") for o in partial)
    return messages


def _scored_cells(job: UnitJob, course: course_mod.Course, graded_nb, work: Path) -> list[Cell]:
    """Each graded cell's score as the private gradebook holds it, and its check's message."""
    from nbgrader.api import Grade, Gradebook

    messages = _messages(graded_nb)
    with Gradebook(f"sqlite:///{work}/gradebook.db", course.id) as gb:
        submission = gb.find_submission_notebook(job.lab, job.lab, STUDENT_ID)
        names = cell_names(gb)
        rows = gb.db.query(Grade.cell_id, Grade.auto_score, Grade.max_score).filter(Grade.notebook_id == submission.id)
        scores = {names[cell]: (float(auto or 0.0), float(most)) for cell, auto, most in rows}
    cells = []
    for gid, pts in graded_cells(graded_nb):
        score, max_score = scores.get(gid, (0.0, pts))
        cells.append(Cell(gid, score, max_score, score >= max_score, messages.get(gid, "")))
    return cells + zero_cells([], manual_cells(graded_nb), "")
