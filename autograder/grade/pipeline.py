"""`autograder grade`: a class, from a folder of submissions to a grade table.

1. list the units: every student folder x every lab (a missing lab still gets its row);
2. grade each unit (unit.grade_unit) in worker processes, each with its own kernel and its own
   private nbgrader gradebook; finished units are saved one by one (atomically), so a killed run
   resumes where it stopped;
3. write the class: gradebook.db (nbgrader's, the one truth: TA's manual grades carried over),
   then from it grades.csv, cells.csv, feedback/; OUT is an nbgrader course directory
   (OUT/nbgrader_config.py, OUT/autograded/<student>/<lab>/), so formgrader and `nbgrader ...`
   run in OUT see the class.

OUT holds the class for the whole term: a run adds or replaces only the (student, lab) units it
grades; every other unit OUT holds stays as it was (its row, autograded notebook, gradebook rows and
ids, manual grades), and a unit absent from this folder keeps its earlier graded result rather than
becoming `missing` (check_output refuses another course's OUT, or a lab course.toml dropped).
`--students ID...` regrades only those students (with `--labs`, only those labs); `--force`
regrades them even when nothing changed.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from autograder import course as course_mod
from autograder.grade import feedback, gradebook, tables
from autograder.grade.lateness import read_extensions
from autograder.grade.result import NOTHING_RAN, Status, UnitResult, load_unit
from autograder.grade.unit import UnitJob, fingerprint, grade_unit, warm_up
from autograder.submission_times import time_fields, trusted_times


@dataclass
class Summary:
    out: Path
    results: list[UnitResult] = field(default_factory=list)
    reused: int = 0
    kept: int = 0  # units OUT holds from earlier runs, not graded in this one
    seconds: float = 0.0

    def describe(self) -> str:
        by_status: dict[str, int] = {}
        for r in self.results:
            by_status[r.status] = by_status.get(r.status, 0) + 1
        counts = ", ".join(f"{n} {s}" for s, n in sorted(by_status.items()))
        line = (f"graded {len(self.results)} submissions ({counts}; {self.reused} unchanged since the last run) "
                f"in {self.seconds:.1f} s: {self.out / 'grades.csv'}")
        if self.kept:
            line += f"\nkept {self.kept} earlier results in {self.out} (other students or labs)"
        not_ok = [f"{r.student} {r.lab} {r.status}" for r in self.results if r.status != Status.OK]
        reasons = sorted({r.not_run for r in self.results if r.not_run})
        return line + ("\nnot ok: " + ", ".join(not_ok) if not_ok else "") + "".join(
            f"\nnot run: the kernel could not start: {why}" for why in reasons)

    def not_run(self) -> int:
        """How many notebooks the grader could not run (status not-run): the class is not fully graded."""
        return sum(r.status == Status.NOT_RUN for r in self.results)


class GradingStopped(RuntimeError):
    """The run's first kernels could not start, all for one reason: grading the rest would only
    give the class zeros. Nothing in OUT was changed."""


def kernels_cannot_start(results: list[UnitResult], expected: int) -> str | None:
    """The one reason why the run's first `expected` notebooks that needed a kernel could not start
    it, or None (one started, or the reasons differ, or too few have ended yet)."""
    ran = [r for r in results if r.status not in NOTHING_RAN]
    if not ran or len(ran) < expected or any(r.status != Status.NOT_RUN for r in ran[:expected]):
        return None
    reasons = {r.not_run or "" for r in ran[:expected]}
    return reasons.pop() if len(reasons) == 1 else None


def parse_shard(shard: str | None) -> tuple[int, int] | None:
    if not shard:
        return None
    try:
        k, n = (int(x) for x in shard.split("/"))
    except ValueError:
        raise ValueError(f"--shard {shard!r}: expected K/N, for example 2/4") from None
    if not (n >= 1 and 1 <= k <= n):
        raise ValueError(f"--shard {shard!r}: K must be between 1 and N (N >= 1)")
    return k, n


def check_layout(submissions: Path, labs: list[str], known_labs: list[str] = ()) -> None:
    """Refuse, in one line, a folder that is not nbgrader's <student_id>/<lab_id>/<lab_id>.ipynb:
    an LMS zip, an empty folder, notebooks at the top, or a student's notebook outside its lab folder."""
    known_labs = set(known_labs) | set(labs)
    if submissions.is_file() and submissions.suffix.lower() == ".zip":
        raise ValueError(f"{submissions} is a zip: unpack it into nbgrader's layout first with "
                         f"`autograder collect {submissions} --lms canvas|moodle --out SUBMISSIONS`")
    if not submissions.is_dir():
        raise FileNotFoundError(f"no submissions folder at {submissions}")
    loose = sorted(p.name for p in submissions.glob("*.ipynb"))
    if loose:
        raise ValueError(f"{submissions}: {loose[0]} is not in a student's folder: the layout is "
                         "<student_id>/<lab_id>/<lab_id>.ipynb")
    if not students_in(submissions, None):
        raise ValueError(f"{submissions}: no student folders, the class is empty: the layout is "
                         "<student_id>/<lab_id>/<lab_id>.ipynb")
    everyone = students_in(submissions, None)
    swapped = [s for s in everyone if s in known_labs]
    if swapped:
        raise ValueError(f"{submissions}: {swapped[0]}/ is a lab id, not a student: the layout is "
                         "<student_id>/<lab_id>/<lab_id>.ipynb, not <lab_id>/<student_id>/")
    for student in everyone:
        for flat in sorted((submissions / student).glob("*.ipynb"))[:1]:
            lab = flat.stem if flat.stem in known_labs else (labs[0] if len(labs) == 1 else "<lab_id>")
            folder = f"a {lab}/ folder" if lab != "<lab_id>" else "its lab's folder"
            raise ValueError(f"{flat}: not in {folder}: move it to {student}/{lab}/{lab}.ipynb "
                             "(the layout is <student_id>/<lab_id>/<lab_id>.ipynb)")


def check_output(out: Path, course) -> None:
    """OUT holds one course's class: refuse another course, and a lab OUT holds grades for that
    course.toml no longer lists (its column would silently vanish from every table and export)."""
    gradebook.check_course(out, course)
    try:
        held = {row["lab"] for row in tables.read_grades(out / "grades.csv")}  # a CSV row
    except (OSError, KeyError, UnicodeDecodeError):
        return
    gone = sorted(held - set(course.lab_ids))
    if gone:
        raise ValueError(f"{out} holds grades for lab {gone[0]!r}, which {course.path} no longer lists: put its "
                         f"[[labs]] table back (or use another --out folder)")


def students_in(submissions: Path, shard: tuple[int, int] | None) -> list[str]:
    """The student folders, sorted; with shard (K, N), every N-th from the K-th: the N parts are
    disjoint and together hold every student, on any machine that sees the same folder."""
    students = sorted(p.name for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))
    if shard:
        k, n = shard
        students = students[k - 1::n]
    return students


def write_part(out: Path, shard: tuple[int, int] | None, everyone: list[str]) -> None:
    """Record which part of which class this output is (.units/part.json), so that merge can tell
    a missing or repeated shard from a complete split."""
    import hashlib

    digest = hashlib.sha256("\n".join(everyone).encode()).hexdigest()[:16]
    part = {"shard": list(shard) if shard else None, "class_size": len(everyone), "class_digest": digest}
    path = out / ".units" / "part.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(part, sort_keys=True) + "\n")


def _unit_path(out: Path, student: str, lab: str) -> Path:
    return out / ".units" / student / f"{lab}.json"


def save_unit(out: Path, result: UnitResult) -> None:
    path = _unit_path(out, result.student, result.lab)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(result.to_json(), indent=1, sort_keys=True))
    os.replace(tmp, path)


def _load_unit(out: Path, job: UnitJob, course) -> UnitResult | None:
    result = load_unit(_unit_path(out, job.student, job.lab))
    if result is None:
        return None
    if result.status in (Status.ERROR, Status.NOT_RUN) or result.fingerprint != fingerprint(job, course):
        return None
    if result.status not in NOTHING_RAN and job.autograded_dir and not (
            Path(job.autograded_dir) / job.student / job.lab / f"{job.lab}.ipynb").is_file():
        return None  # formgrader needs the autograded notebook
    return result


@dataclass(frozen=True)
class Sandbox:
    """What the students' kernels run in: decided once, in the grading process, and passed down
    whole to every unit (UnitJob) and its kernel."""
    mode: str  # --sandbox: required, auto or off
    why_not: str  # "" when bubblewrap runs, else why it does not ("--sandbox off")
    line: str  # the run's first line, saying so

    @property
    def isolate(self) -> bool:
        """The kernel hides what it can (bubblewrap, or what the OS allows without it)."""
        return self.mode != "off"


def decide_sandbox(mode: str) -> Sandbox:
    from autograder.kernel.boundary import SandboxUnavailable, probe_sandbox, sandbox_guards

    if mode not in ("required", "auto", "off"):
        raise ValueError(f"--sandbox {mode}: use required, auto or off")
    why_not = probe_sandbox() if mode != "off" else "--sandbox off"
    if why_not and mode == "required":
        raise SandboxUnavailable(f"--sandbox required: {why_not}; nothing was graded")
    if not why_not:
        return Sandbox(mode, "", "sandbox: bubblewrap (namespaces, read-only allow-list file system, no network, "
                                 f"own uid; {sandbox_guards()})")
    return Sandbox(mode, why_not, f"sandbox: NONE ({why_not}): kernels get limits only; files and network are not "
                                  "hidden; every row is flagged no-sandbox")


def sandbox_status(mode: str) -> tuple[bool, str]:
    """(isolate, one line saying what the kernels run in) for a --sandbox mode."""
    decided = decide_sandbox(mode)
    return decided.isolate, decided.line


def saved_results(out: Path, course) -> list[UnitResult]:
    """Every unit result saved in OUT/.units (a previous run's class)."""
    results = [load_unit(path) for path in sorted((out / ".units").glob("*/*.json"))]
    return [r for r in results if r is not None and r.lab in course.lab_ids]


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="notebook", desc="grading", disable=not (enabled and sys.stderr.isatty()),
                dynamic_ncols=True)


def progress_line(result: UnitResult, done: int, total: int) -> str:
    """Without a terminal (CI, a log file): one line per finished notebook."""
    return f"[{done}/{total}] {result.student} {result.lab} {result.score:g}/{result.max_score:g} {result.status}"


def main(*, submissions: str | Path, out: str | Path, labs: list[str] | None = None,
         workers: int | None = os.cpu_count() or 1, shard: str | None = None, progress: bool = True,
         course_toml: str | Path = course_mod.COURSE_TOML, secret: str | None = None,
         sandbox: str = "auto", students: list[str] | None = None,
         force: bool = False, announce: Callable[[str], None] | None = None,
         times: list[str | Path] | None = None) -> Summary:
    """Grade every student's labs under `submissions` (<student_id>/<lab_id>/<lab_id>.ipynb), in four
    stages: check the inputs, plan the units, grade them, write the class.

    Args:
        submissions: nbgrader's submitted layout.
        out: the class folder for the term: grades.csv, cells.csv, gradebook.db, feedback/ (created;
            an existing one keeps every unit this run does not grade).
        labs: lab ids to grade (default: every lab of course.toml that has a source notebook).
        workers: students graded at once, each with its own kernel (default: cores).
        shard: "K/N" grades only the K-th of N disjoint parts of the class (join with merge).
        progress: a progress bar when stderr is a terminal, else one line per finished notebook.
        course_toml: the course description.
        secret: the grading secret (default: course.toml's rule).
        sandbox: "required" (refuse to grade without bubblewrap), "auto" (bubblewrap where it
            works, else what the OS allows; each row then flagged no-sandbox) or "off".
        students: regrade only these students into the existing output OUT.
        force: regrade even the submissions that did not change since the last run.
        announce: called once the inputs are checked, with the line saying what the kernels run in.
        times: CSVs of student_id,lab,submitted_at (or nbgrader's exchange inbound folder) the late rule
            may trust, over SUBMISSIONS/.lms/times.csv and what earlier runs into `out` were given
            (autograder/submission_times.py); a notebook with none is flagged time-unknown.
    Returns:
        a Summary; the process exits 0 whatever the students' scores.
    Raises:
        FileNotFoundError: the submissions folder does not exist.
        ValueError: an unknown lab, a bad shard, workers < 1, a bad extensions file, an empty class or an
            unexpected layout (a zip, <lab_id>/<student_id>/, notebooks outside <student_id>/<lab_id>/),
            an OUT of another course or holding a lab course.toml no longer lists, --students with
            --shard or without an existing output, or a student with no folder in submissions.
        SandboxUnavailable: sandbox="required" and bubblewrap cannot run here.
    """
    started = time.monotonic()
    course = course_mod.load(course_toml, secret=secret)
    run = check_inputs(course, submissions=submissions, out=out, labs=labs, workers=workers, shard=shard,
                       sandbox=sandbox, students=students, times=times)
    if announce:
        announce(run.sandbox.line)  # the first line of a run: what the students' kernels run in
    plan = plan_units(run, course, Path(course_toml).resolve(), force)
    graded = grade_units(plan, run, course, progress)
    rows = write_class(run.out, plan.reused + graded.results + plan.kept, course, submissions=run.submissions,
                       graded=graded.now)
    asked = {(job.student, job.lab) for job in plan.jobs}
    summary = Summary(out=run.out, reused=len(plan.reused))
    summary.results = [graded.not_run.get((r.student, r.lab), r) for r in rows if (r.student, r.lab) in asked]
    summary.kept = len(rows) - len(summary.results)
    summary.seconds = time.monotonic() - started
    return summary


@dataclass(frozen=True)
class Run:
    """A run's inputs, checked: nothing is graded, nor anything written, before all of them are."""
    submissions: Path
    out: Path
    labs: list[str]
    students: list[str]  # graded in this run
    regrade: bool  # --students: only those, into the class OUT holds
    shard: tuple[int, int] | None
    workers: int
    sandbox: Sandbox
    trusted: dict  # (student, lab) -> the submission time the late rule may trust


def check_inputs(course, *, submissions, out, labs, workers, shard, sandbox, students, times) -> Run:
    """Stage 1: every input checked, each refused in one line (see main's Raises)."""
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    labs = labs or [lab.id for lab in course.labs if lab.source_notebook(course.root).exists()]
    for lab in labs:
        if not course.lab(lab).source_notebook(course.root).exists():
            raise ValueError(f"lab {lab!r} has no source notebook at {course.lab(lab).source_notebook(course.root)}")
    check_layout(submissions, labs, course.lab_ids)
    check_output(out, course)
    read_extensions(course)  # a bad extensions file stops here, before any grading
    trusted = trusted_times(submissions, times, course, out)  # and a bad times file
    workers = workers or 1
    if workers < 1:
        raise ValueError(f"--workers {workers}: must be at least 1")
    decided = decide_sandbox(sandbox)
    parts = parse_shard(shard)
    return Run(submissions=submissions, out=out, labs=labs, students=_chosen(submissions, out, parts, students),
               regrade=bool(students), shard=parts, workers=workers, sandbox=decided, trusted=trusted)


def _chosen(submissions: Path, out: Path, shard: tuple[int, int] | None, students: list[str] | None) -> list[str]:
    """The students this run grades: the shard's, or with --students those, regraded into OUT."""
    chosen = students_in(submissions, shard)
    if not students:
        return chosen
    if shard:
        raise ValueError("--students and --shard: regrade students in the output of their shard, without --shard")
    if not (out / "grades.csv").is_file():
        raise ValueError(f"--students: {out} holds no graded class (no grades.csv): grade the class first, "
                         f"without --students")
    unknown = [s for s in students if s not in chosen]
    if unknown:
        raise ValueError(f"--students {unknown[0]}: no folder {submissions / unknown[0]}: use a student id "
                         f"from {submissions}")
    return sorted(set(students))


@dataclass
class Plan:
    """The units of a run: those saved in OUT and unchanged (reused), those to grade (todo), and
    the units OUT holds that this run does not touch (kept: OUT holds the class for the whole term)."""
    jobs: list[UnitJob]
    todo: list[UnitJob]
    reused: list[UnitResult]
    earlier: dict[tuple[str, str], UnitResult]  # every unit OUT held before this run
    kept: list[UnitResult]


def plan_units(run: Run, course, course_toml: Path, force: bool) -> Plan:
    """Stage 2: one job per (student, lab) asked; a unit saved unchanged since the last run is reused."""
    run.out.mkdir(parents=True, exist_ok=True)
    (run.out / ".units").mkdir(exist_ok=True)
    # the kernel sees none of: the course (sources, checks, references), this package, the output, the class
    hide = tuple(sorted({str(course.root), str(course_mod.ROOT), str(run.out), str(run.submissions)}))
    earlier = {(r.student, r.lab): r for r in saved_results(run.out, course)}
    asked = {(s, lab) for s in run.students for lab in run.labs}
    jobs = [UnitJob(student=s, lab=lab, submissions=str(run.submissions), course_toml=str(course_toml),
                    secret=course.secret, hide=hide, template_db="", sandbox=run.sandbox.mode,
                    autograded_dir=str(run.out / "autograded"), why_no_sandbox=run.sandbox.why_not,
                    **time_fields(run.trusted.get((s, lab))))
            for s in run.students for lab in run.labs]
    if not run.regrade:
        write_part(run.out, run.shard, students_in(run.submissions, None))
    plan = Plan(jobs=jobs, todo=[], reused=[], earlier=earlier,
                kept=[r for key, r in earlier.items() if key not in asked])
    for job in jobs:
        done = None if force else _load_unit(run.out, job, course)
        if done is not None:
            plan.reused.append(done)
        else:
            plan.todo.append(job)
    return plan


@dataclass
class Graded:
    results: list[UnitResult] = field(default_factory=list)  # as the class keeps them (a not-run never replaces a grade)
    not_run: dict[tuple[str, str], UnitResult] = field(default_factory=dict)  # the not-run rows, for the summary
    now: set[tuple[str, str]] = field(default_factory=set)  # the units whose gradebook rows this run writes


def grade_units(plan: Plan, run: Run, course, progress: bool) -> Graded:
    """Stage 3: grade the plan's units in worker processes; each finished unit is saved at once (a
    killed run resumes). Stops (GradingStopped) when the first kernels all fail for one reason."""
    def with_template(batch: list[UnitJob]) -> list[UnitJob]:
        """The gradebook template of the labs graded, built while the workers start."""
        labs = sorted({job.lab for job in batch}, key=course.lab_ids.index)
        template = str(gradebook.template(course, labs, run.out / ".units"))
        return [replace(job, template_db=template) for job in batch]

    bar = _progress(len(plan.jobs), progress)
    bar.update(len(plan.reused))
    lines = progress and bar.disable
    graded, fresh = Graded(), []
    for result in _grade_all(plan.todo, run.workers, course, prepare=with_template):
        fresh.append(result)
        why = kernels_cannot_start(fresh, min(FIRST_KERNELS, len(plan.todo)))
        if why is not None:
            bar.close()
            raise GradingStopped(f"grading stopped: no kernel could start ({why}); the class in {run.out} was not "
                                 f"changed: fix the cause, then run the same command again")
        graded.results.append(_keep(result, plan.earlier, run.out, graded))
        bar.set_postfix(not_ok=sum(r.status != Status.OK for r in fresh))
        bar.update(1)
        if lines:
            done = len(plan.reused) + len(graded.results)
            print(progress_line(result, done, len(plan.jobs)), file=sys.stderr, flush=True)
    bar.close()
    return graded


def _keep(result: UnitResult, earlier: dict, out: Path, graded: Graded) -> UnitResult:
    """The row the class keeps for a unit just graded; saved in OUT/.units when it replaces the earlier one."""
    key = (result.student, result.lab)
    before = earlier.get(key)
    if result.status == Status.NOT_RUN:  # a machine's failure never replaces a grade; graded again next run
        graded.not_run[key] = result
        if before:
            return before
        graded.now.add(key)
        return result
    if result.status == Status.MISSING and before and before.status != Status.MISSING:
        return before  # handed in and graded before, absent from this folder: kept as graded
    save_unit(out, result)
    graded.now.add(key)
    return result


def write_class(out: Path, results: list[UnitResult], course, submissions: Path | None = None,
                graded: set[tuple[str, str]] | None = None) -> list[UnitResult]:
    """Write the class from its unit results: gradebook.db first (one writer, once; the TA's manual
    grades carried over), then from it grades.csv, cells.csv and feedback/, and OUT/nbgrader_config.py.
    Shared by `grade` and `merge`, so a merged class is written exactly as an unsharded one.
    Returns the rows as the gradebook says (gradebook.read_class), in table order."""
    from autograder.nbgrader_config import write_course_config

    results = tables.sort_results(results, course.lab_ids)
    gradebook.write_class_gradebook(course, results, out / "gradebook.db", graded)
    write_course_config(out, course, submissions)
    return _write_derived(out, results, course)


def _write_derived(out: Path, results: list[UnitResult], course) -> list[UnitResult]:
    rows = gradebook.read_class(out, results, course)
    titles = {lab.id: f"{lab.title} ({lab.id})" for lab in course.labs}
    for row in rows:
        feedback.write(out, row, titles.get(row.lab, ""))
    tables.write_tables(out, rows, course.lab_ids)
    return rows


def refresh(out: str | Path, course) -> list[UnitResult]:
    """Rewrite grades.csv, cells.csv and feedback/ from OUT/gradebook.db as it is now (after a TA
    graded in formgrader); returns the rows (gradebook.read_class). Export and report call it."""
    out = Path(out)
    results = tables.read_results(out)
    check_output(out, course)
    if not (out / "gradebook.db").is_file():
        raise ValueError(f"{out} has no gradebook.db: grade the class again (`autograder grade ... --out {out}`)")
    return _write_derived(out, [r for r in results if r.lab in course.lab_ids], course)


FIRST_KERNELS = 2  # a run whose first notebooks' kernels all fail for one reason stops (GradingStopped)


def _grade_all(todo: list[UnitJob], workers: int, course, grade=grade_unit, prepare=None):
    """Yield each unit's result as it finishes. A worker process that dies (the grader's own
    memory, a signal) breaks the pool: the units it did not finish are retried in a fresh pool,
    once; a unit that breaks it again is reported as an error, and the class goes on.
    `prepare(jobs) -> jobs` runs here while the first pool's workers start and import."""
    # forked, not spawned: a fork context's semaphores (the pool's queues and locks) are unlinked as
    # they are made, while spawned workers need them by name in /dev/shm (sem.mp-*), where a class
    # killed with its resource tracker (kill -9 of its process group) left them for good
    context = multiprocessing.get_context("fork")
    batches = [todo] if todo else []  # nothing to grade (every unit saved and unchanged): no pool
    first = True
    while batches:
        batch = batches.pop(0)
        if not batch:  # a resumed class with nothing left to grade
            continue
        with ProcessPoolExecutor(max_workers=min(workers, len(batch)), mp_context=context,
                                 initializer=_worker_start, initargs=(os.getpid(),)) as pool:
            if first and prepare is not None:
                for _ in range(min(workers, len(batch))):
                    pool.submit(warm_up)  # each submit starts a worker, which imports meanwhile
                batch = prepare(batch)
            futures = {pool.submit(grade, job): job for job in batch}
            try:
                for future in as_completed(futures):
                    job = futures[future]
                    try:
                        yield future.result()
                    except BrokenProcessPool as exc:
                        if first:
                            batches.append([job])  # retried alone, so only the culprit can fail again
                        else:
                            yield _worker_failed(job, course, exc)
                    except Exception as exc:  # noqa: BLE001 - that unit is reported, not lost
                        yield _worker_failed(job, course, exc)
            except GeneratorExit:  # the caller stopped the run: the units not started are not graded
                pool.shutdown(wait=True, cancel_futures=True)
                raise
        first = False


def _worker_start(grader: int) -> None:
    """A forked worker is not a subreaper as its parent may be (the flag is not inherited, while
    the sandbox probe's cached answer is): its kernels' orphans must be its own to reap. It ends,
    with its kernels, when the grader does (a SIGKILLed grader's workers would grade on)."""
    from autograder.kernel.boundary import become_subreaper, die_with_parent

    if sys.platform == "linux":
        become_subreaper()
        signal.signal(signal.SIGTERM, _worker_leave)
        die_with_parent(signal.SIGTERM)  # a pool's worker never learns that its parent has gone
        if os.getppid() != grader:  # gone before the signal was asked for
            _worker_leave()


def _worker_leave(*_) -> None:
    """The grader has gone (or ended the pool): this worker's kernels, kernel template and scratch
    folders go now, and so does the worker, rather than grade on for nobody."""
    from autograder.grade.unit import remove_scratch
    from autograder.kernel.boundary import abandon_kernels

    try:
        abandon_kernels()
        remove_scratch()
    finally:
        os._exit(128 + signal.SIGTERM)


def _worker_failed(job: UnitJob, course, exc: Exception) -> UnitResult:
    """The row of a unit whose worker failed: every cell at zero, as grade_unit's own error row."""
    import nbformat

    from autograder.grade.unit import lab_zero_cells

    nb = nbformat.read(course.lab(job.lab).source_notebook(course.root), as_version=4)
    return UnitResult(student=job.student, lab=job.lab, max_score=course.lab(job.lab).points, fingerprint="",
                      status=Status.ERROR, cells=lab_zero_cells(nb, "the grader failed on this notebook"),
                      events=[f"for a TA: grader worker failed: {type(exc).__name__}: {exc}"])
