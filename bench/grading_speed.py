"""How fast does the autograder grade a class, against plain nbgrader and against the floor?

`make bench` (or `.venv/bin/python bench/grading_speed.py [--students N] [--quick]`) builds a class
of N students x the labs present (source/ and release/ both written) from the named example
submissions in tests/submissions (cycled, or spread evenly over them: `case_of`), and measures in
one run, side by side:

1. our grading time (`autograder grade`) with --workers 1 and with one worker per core, the latter
   twice: kernels forked from the worker's pre-imported template, and kernels started fresh
   (AUTOGRADER_KERNELS=fresh), with where one notebook's time goes for both;
2. plain sequential `nbgrader autograde` of the same notebooks with only the visible asserts
   (a throwaway nbgrader course whose source notebooks have the hidden tests cut out);
3. the floor: executing each notebook once with nbclient, divided by the number of cores; and,
   to read it by, the same executions measured with all cores at once, and how many times one
   process's work this machine's cores really get done at once;
4. the cost of the hidden checks per lab, where the time of one graded notebook goes, and where
   the whole class's goes (the student's cells, the checks, and the replays within them);
5. the grader's gradient check (gradcheck.directional_check, one direction per parameter, with
   course.toml's [tolerances.gradient_check], as checks/backprop.py runs it) against the
   coordinate-wise one on a 784-512-10 sigmoid network, and whether both catch the same planted
   bugs in the gradient;
6. how long a kernel takes to start (to its first answer): forked, fresh, without a sandbox;
7. a class of --class-size students (default 1,000) on a --shards-runner CI matrix: one shard
   graded as a runner would, the merge, and the predicted wall time with the runner's set-up.

Every kernel (ours, nbgrader's, nbclient's) runs with one BLAS thread, so that dividing by the
number of cores is fair. The machine is whatever runs the script: other load on it shows up in
every row alike, since the rows are measured one after the other in the same run. Each run's
printout is appended to bench/RESULTS.md (its date, commit and machine first): the history of
the measurements lives there, not in the README or in code comments.
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy loads: one BLAS thread, as in the grading kernel
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("PYTHONHASHSEED", "0")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.corpus: the named example submissions

import nbformat  # noqa: E402
import numpy as np  # noqa: E402

from autograder import course as course_mod  # noqa: E402
from autograder import gradcheck  # noqa: E402
from autograder.grade import pipeline  # noqa: E402
from tests import corpus  # noqa: E402

# the issues' targets, as ratios (ours: two workers, kernels forked from the template)
TARGET_SPEEDUP_OVER_NBGRADER = 3.0
TARGET_OVER_FLOOR = 0.6
TARGET_KERNEL_START = 0.05  # seconds from fork to first answer
TARGET_CLASS_MINUTES = 15.0  # 1,000 students x 5 labs on a 10-runner CI matrix, set-up included
KERNELS = ("forked", "fresh")  # AUTOGRADER_KERNELS: from the worker's pre-imported template, or started anew
TARGET_CHECK_SECONDS = 3.0
TARGET_GRADCHECK_RATIO = 1000.0
SKIPPED_STATUSES = ("timeout", "memory", "crashed")  # cases built to hit a limit would time the limit
RIGHT_GRADIENT = "none (the right gradient)"


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - started, value


def machine() -> str:
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


# 1. the class ------------------------------------------------------------------------------------

def labs_present(course) -> list[str]:
    return [lab.id for lab in course.labs
            if lab.source_notebook(course.root).exists() and lab.release_notebook(course.root).exists()]


def lab_files(course, lab: str) -> tuple[bytes, bytes]:
    """A lab's source and release notebooks, to notice a lab edited while the bench runs."""
    found = course.lab(lab)
    return found.source_notebook(course.root).read_bytes(), found.release_notebook(course.root).read_bytes()


def lab_cases(lab: str) -> list[corpus.Case]:
    """The lab's own example submissions (right ones and ordinary bugs). The hostile notebooks of
    tests/submissions/_every_lab are left out: a class is mostly ordinary work, and cases built to
    hit a time or memory limit would time the limit, not the grader."""
    cases = [c for c in corpus.cases(lab) if c.path.parent.name == lab and c.expect_status not in SKIPPED_STATUSES]
    return cases or [corpus.Case(lab=lab, name="right", path=Path("right.py"))]


def case_of(i: int, n_students: int, n_cases: int) -> int:
    """The case student i submits: every case in turn, or, in a class smaller than the cases, cases
    spread evenly over all of them (not the first ones in name order: with 12 students, lab 3's
    first 12 cases held 4 of its 4 numerical-gradient submissions, the slowest to grade)."""
    return i * n_cases // n_students if n_students < n_cases else i % n_cases


def build_class(folder: Path, labs: list[str], n_students: int) -> dict[str, int]:
    """<student>/<lab>/ folders, student i submitting case `case_of(i)` of each lab."""
    shutil.rmtree(folder, ignore_errors=True)
    counts = {}
    for lab in labs:
        cases = lab_cases(lab)
        counts[lab] = len(cases)
        for i in range(n_students):
            corpus.write_submission(cases[case_of(i, n_students, len(cases))], folder / f"student{i + 1:03d}" / lab)
    return counts


def notebooks_of(submissions: Path, labs: list[str]) -> list[Path]:
    return [p for lab in labs for p in sorted(submissions.glob(f"*/{lab}/{lab}.ipynb"))]


# 2. ours -----------------------------------------------------------------------------------------

@contextlib.contextmanager
def kernels(kind: str):
    """Grade with kernels of one kind (forks.wanted reads it, in this process and its workers)."""
    before = os.environ.get("AUTOGRADER_KERNELS")
    os.environ["AUTOGRADER_KERNELS"] = kind
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("AUTOGRADER_KERNELS", None)
        else:
            os.environ["AUTOGRADER_KERNELS"] = before


def grade_ours(submissions: Path, out: Path, labs: list[str], workers: int, kind: str = "forked",
               shard: str | None = None) -> tuple[float, dict]:
    shutil.rmtree(out, ignore_errors=True)
    with kernels(kind):
        seconds, _ = timed(pipeline.main, submissions=submissions, out=out, labs=labs, workers=workers,
                           progress=False, shard=shard)
    return seconds, (out / "grades.csv").read_bytes()


# 3. plain nbgrader -------------------------------------------------------------------------------

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.S | re.M)


def nbgrader_course(folder: Path, course, labs: list[str], submissions: Path) -> None:
    """A throwaway nbgrader course: source/ (hidden tests cut), generate_assignment, submitted/."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(folder)!r}\n"
        "c.CourseDirectory.course_id = 'bench'\n")
    for lab in labs:
        nb = nbformat.read(course.lab(lab).source_notebook(course.root), as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.source = HIDDEN.sub("", cell.source)
        (folder / "source" / lab).mkdir(parents=True)
        nbformat.write(nb, folder / "source" / lab / f"{lab}.ipynb")
        nbgrader_cli(folder, "generate_assignment", lab, "--force")
    for path in notebooks_of(submissions, labs):
        student, lab = path.parent.parent.name, path.parent.name
        target = folder / "submitted" / student / lab
        target.mkdir(parents=True)
        shutil.copy(path, target / path.name)


def nbgrader_cli(folder: Path, *args: str) -> None:
    """Stock nbgrader, as from an activated virtual environment (it runs `alembic` from PATH)."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--log-level=ERROR"], cwd=folder, env=env,
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed in {folder}:\n{run.stderr[-3000:]}")


def grade_nbgrader(folder: Path, labs: list[str]) -> float:
    """Sequential `nbgrader autograde LAB` over the class, one lab after the other (its default
    Execute preprocessor: one new kernel per notebook)."""
    started = time.perf_counter()
    for lab in labs:
        nbgrader_cli(folder, "autograde", lab, "--force")
    return time.perf_counter() - started


# 4. the floor ------------------------------------------------------------------------------------

def execute_one(path: str, timeout: float) -> None:
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                   extra_arguments=["--log-level=ERROR"],
                   resources={"metadata": {"path": str(Path(path).parent)}}).execute()


def execute_once(paths: list[Path], timeout: float) -> float:
    started = time.perf_counter()
    for path in paths:
        execute_one(str(path), timeout)
    return time.perf_counter() - started


def process_pool(workers: int):
    """Fresh processes, started as our grader starts its workers (spawn)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def execute_on_cores(paths: list[Path], timeout: float, cores: int) -> float:
    """Each notebook once with nbclient, `cores` notebooks at a time (a pool of processes, as ours
    grades): what executing the class costs on this machine's cores, where the floor assumes that
    they add up."""
    started = time.perf_counter()
    with process_pool(cores) as pool:
        list(pool.map(execute_one, [str(p) for p in paths], [timeout] * len(paths)))
    return time.perf_counter() - started


def busy_work(_: int = 0) -> float:
    """A fixed amount of CPU work (Python and numpy, one thread); returns its seconds."""
    started = time.perf_counter()
    total = 0
    for i in range(3_000_000):
        total += i * i
    a = np.random.default_rng(0).normal(size=(200, 200))
    for _ in range(150):
        a = np.tanh(a @ a.T / 200)
    return time.perf_counter() - started


def core_throughput(cores: int, repeats: int = 3) -> float:
    """How many times one process's work `cores` processes get done at once on this machine
    (`cores` where the cores add up; less where they share a physical core or a host)."""
    with process_pool(cores) as pool:
        list(pool.map(busy_work, range(cores)))  # warm: the workers' start and imports
        alone = min(pool.submit(busy_work).result() for _ in range(repeats))
        together = min(statistics.mean(pool.map(busy_work, range(cores))) for _ in range(repeats))
    return cores * alone / together


# 5. where one notebook's time goes ---------------------------------------------------------------

@contextlib.contextmanager
def phase_timers(spent: dict[str, float]):
    """Time the phases of grade_unit in this process: kernel start and stop, student cells, checks."""
    from autograder.grade import run
    from autograder.kernel import boundary as kernel

    def wrap(owner, name, label):
        original = getattr(owner, name)

        def timed_call(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - started
        setattr(owner, name, timed_call)
        return owner, name, original

    patches = [wrap(kernel.StudentKernel, "start", "kernel start"), wrap(kernel.StudentKernel, "stop", "kernel stop"),
               wrap(run, "run_student_cells", "student cells"), wrap(run, "run_check", "hidden checks")]
    try:
        yield spent
    finally:
        for owner, name, original in patches:
            setattr(owner, name, original)


def unit_job(course, student: str, lab: str, submissions: Path, template: Path):
    """One notebook to grade in this process, as the pipeline hands it to a worker."""
    from autograder.grade.unit import UnitJob

    return UnitJob(student=student, lab=lab, submissions=str(submissions), course_toml=str(course.root / "course.toml"),
                   secret=course.secret, hide=(str(course.root),), template_db=str(template))


def profile_units(course, labs: list[str], work: Path) -> dict[str, dict[str, float]]:
    """For each lab, the phases of grading the `right` case once, in this process."""
    from autograder.grade import gradebook
    from autograder.grade.unit import grade_unit

    shutil.rmtree(work, ignore_errors=True)
    (work / "units").mkdir(parents=True)
    profiles = {}
    for lab in labs:
        right = next((c for c in lab_cases(lab) if c.name == "right"), lab_cases(lab)[0])
        corpus.write_submission(right, work / "submitted" / "student" / lab)
        template = gradebook.template(course, [lab], work / "units")
        job = unit_job(course, "student", lab, work / "submitted", template)
        grade_unit(job)  # warm: imports and first-use costs, as a worker pays once
        spent: dict[str, float] = {}
        with phase_timers(spent):
            total, result = timed(grade_unit, job)
        spent["rest (nbgrader, rebuild, files)"] = total - sum(spent.values())
        spent["total"] = total
        spent["score"] = result.score
        profiles[lab] = spent
    return profiles


def class_phases(course, labs: list[str], submissions: Path, work: Path) -> dict[str, float]:
    """Every notebook of the class graded once in this process (forked kernels): the phases summed,
    and, within the checks and the cells, the restarts with the student's cells replayed (a clean
    state for error carried forward, or after a crash)."""
    from autograder.grade import gradebook, run
    from autograder.grade.unit import grade_unit

    shutil.rmtree(work, ignore_errors=True)
    (work / "units").mkdir(parents=True)
    spent: dict[str, float] = {"total": 0.0}
    replay = run.restart_and_replay

    def timed_replay(*args, **kwargs):
        started = time.perf_counter()
        try:
            return replay(*args, **kwargs)
        finally:
            spent["of which replays"] = spent.get("of which replays", 0.0) + time.perf_counter() - started

    run.restart_and_replay = timed_replay
    try:
        with kernels("forked"), phase_timers(spent):
            for lab in labs:
                template = gradebook.template(course, [lab], work / "units")
                for path in notebooks_of(submissions, [lab]):
                    spent["total"] += timed(grade_unit, unit_job(course, path.parent.parent.name, lab, submissions,
                                                                 template))[0]
    finally:
        run.restart_and_replay = replay
    return spent


def fixed_costs(course, labs: list[str], work: Path, results_from: Path) -> dict[str, float]:
    """Per-run costs outside the units: gradebook templates, writing the class, a worker's imports."""
    from autograder.grade import gradebook

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    t_templates, _ = timed(gradebook.template, course, labs, work / ".units")  # where a run keeps it
    results = pipeline.saved_results(results_from, course)
    t_write, _ = timed(pipeline.write_class, work, results, course)
    imports = "import autograder.grade.unit, autograder.grade.preprocessors, nbgrader.converters"
    t_import, _ = timed(subprocess.run, [sys.executable, "-c", imports], check=True)
    return {"gradebook templates (all labs)": t_templates, "write the class (csv, feedback, gradebook.db)": t_write,
            "a worker's start and imports": t_import}


def kernel_starts(course, repeats: int = 5) -> dict[str, float]:
    """Median seconds from starting a kernel (a fork, or a process) to its first answer: forked from
    the template, started fresh in bubblewrap, and without a sandbox. The template's own start (once
    per worker) is not counted: it is started before the first timing."""
    from autograder.kernel import forks, sandbox
    from autograder.kernel.boundary import StudentKernel

    limits = course.limits
    out = {}
    for label, mode, kind in (("bubblewrap, forked from the template", "auto", "forked"),
                              ("bubblewrap, started fresh", "auto", "fresh"), ("no sandbox", "off", "fresh")):
        if mode == "auto" and sandbox.probe() or kind == "forked" and not forks.usable():
            continue
        times = []
        with kernels(kind):
            if kind == "forked":
                forks.shared()
            for _ in range(repeats):
                k = StudentKernel(memory_mb=limits.memory_limit_mb, file_size_mb=limits.file_size_limit_mb,
                                  output_limit_kb=limits.output_limit_kb, hide=[], sandbox=mode)
                started = time.perf_counter()
                k.start()
                times.append(time.perf_counter() - started)
                k.__exit__(None, None, None)
        out[label] = statistics.median(times)
    return out


# 7. a class of 1,000 students on a CI matrix -----------------------------------------------------

def class_on_a_matrix(course, labs: list[str], work: Path, class_size: int, shards: int,
                      setup_seconds: float) -> dict[str, float]:
    """Time one shard of a `class_size`-student class split `shards` ways (graded as one runner of the
    matrix would: `--shard 1/N`, one worker per core), and a merge of `shards` parts; predict the wall
    time of the whole matrix: the runner's set-up (assumed, --setup-seconds), the slowest shard (this
    one; the students' cases are dealt evenly) and the merge. The merge is measured on `shards` parts
    of one notebook each and scaled by the number of graded notebooks (its work grows with the rows)."""
    from autograder import merge

    submissions = work / "submitted"
    shutil.rmtree(work, ignore_errors=True)
    cached = work / "cases"
    for lab in labs:  # each case's notebook built once, then linked for every student who submits it
        for case in lab_cases(lab):
            corpus.write_submission(case, cached / case.name / lab)
    for i in range(class_size):
        for lab in labs:
            cases = lab_cases(lab)
            case = cases[case_of(i, class_size, len(cases))]
            target = submissions / f"student{i + 1:04d}" / lab
            target.mkdir(parents=True)
            for f in (cached / case.name / lab).iterdir():
                os.link(f, target / f.name)
    cores = os.cpu_count() or 1
    t_shard, _ = grade_ours(submissions, work / "shard-1", labs, cores, shard=f"1/{shards}")
    small = work / "small"  # one student of one lab per part: the merge's work is per notebook
    for i in range(shards):
        corpus.write_submission(lab_cases(labs[0])[0], small / f"student{i + 1:02d}" / labs[0])
    parts = []
    for k in range(1, shards + 1):
        grade_ours(small, work / f"part-{k}", labs[:1], 1, shard=f"{k}/{shards}")
        parts.append(work / f"part-{k}")
    t_merge_small, _ = timed(merge.main, parts=parts, out=work / "merged", course_toml=course.root / "course.toml")
    t_merge = t_merge_small * class_size * len(labs) / shards
    return {"notebooks in the shard": len(pipeline.students_in(submissions, (1, shards))) * len(labs),
            "one shard": t_shard, "merge (measured on small parts)": t_merge_small, "merge (scaled)": t_merge,
            "set-up (assumed)": setup_seconds, "predicted": setup_seconds + t_shard + t_merge}


# 6. directional against coordinate-wise gradient checks ----------------------------------------

def planted_bugs(grad: dict) -> dict[str, dict]:
    def changed(**entries):
        return {**{k: v.copy() for k, v in grad.items()}, **entries}

    flipped = grad["W1"].copy()
    biggest = np.unravel_index(np.argmax(np.abs(flipped)), flipped.shape)
    flipped[biggest] *= -1
    return {
        RIGHT_GRADIENT: grad,
        "sign flip in one entry of W1": changed(W1=flipped),
        "factor 2 in b1": changed(b1=2 * grad["b1"]),
        "W2 transposed-like (reshaped)": changed(W2=grad["W2"].T.reshape(grad["W2"].shape)),
        "zeroed bias gradients": changed(b1=np.zeros_like(grad["b1"]), b2=np.zeros_like(grad["b2"])),
    }


def coordinate_values(f, params: dict, coords: list[tuple[str, tuple]], eps: float) -> list[float]:
    """The coordinate-wise check (gradcheck.numerical_gradient's step) at the given coordinates only,
    so its time per coordinate is the full check's."""
    return [gradcheck.central_difference(f, params, key, idx, eps) for key, idx in coords]


def grader_check(f, params: dict, grad: dict, tol: dict) -> tuple[bool, float]:
    """The check checks/backprop.py runs on one case: one direction per parameter, each must agree."""
    rng = np.random.default_rng(0)
    results = [gradcheck.directional_check(f, params, grad, gradcheck.direction_in(params, key, rng), **tol)
               for key in params]
    return all(ok for ok, _ in results), max(err for _, err in results)


def gradient_checks(n_coords: int, n_bug_coords: int, tol: dict) -> dict:
    from autograder.reference import lab3_backprop as ref

    rng = np.random.default_rng(0)
    D, H, K, N = 784, 512, 10, 32
    X = rng.uniform(0.0, 1.0, (N, D))
    T = np.eye(K)[rng.integers(0, K, N)]
    params = ref.init_params(D, H, K, rng)
    params = {**params, "b1": rng.normal(0, 0.1, H), "b2": rng.normal(0, 0.1, K)}

    def f(p):
        return ref.loss(ref.forward(p, X)[0], T)

    grad = ref.backward(params, ref.forward(params, X)[1], T)
    n_params = sum(v.size for v in params.values())
    eps, rtol, atol = tol["eps"], tol["rtol"], tol["atol"]

    def coordinate_ok(numeric: float, analytic: float) -> bool:  # the same tolerances, entry by entry
        return abs(numeric - analytic) <= atol or abs(numeric - analytic) <= rtol * (abs(numeric) + abs(analytic))

    # cost of the coordinate-wise check: a random sample of coordinates, extrapolated to all
    sizes = {k: v.size for k, v in params.items()}
    flat = rng.choice(n_params, size=n_coords, replace=False)
    keys, bounds = list(params), np.cumsum([sizes[k] for k in params])
    sample = []
    for i in flat:
        j = int(np.searchsorted(bounds, i, side="right"))
        offset = int(i - (bounds[j - 1] if j else 0))
        sample.append((keys[j], np.unravel_index(offset, params[keys[j]].shape)))
    t_sample, sample_numeric = timed(coordinate_values, f, params, sample, eps)
    per_coordinate = t_sample / n_coords
    t_coordinate = per_coordinate * n_params

    rows = []
    t_directional = []
    for name, bugged in planted_bugs(grad).items():
        t, (agrees, worst) = timed(grader_check, f, params, bugged, tol)
        t_directional.append(t)
        # the coordinate-wise verdict: the sampled coordinates, plus (a sample of) the coordinates
        # the bug changed, where the full check would find it
        touched = [(k, tuple(int(a) for a in idx)) for k in params
                   for idx in zip(*np.nonzero(bugged[k] != grad[k]))]
        pick = rng.permutation(len(touched))[:n_bug_coords] if touched else []
        touched = [touched[i] for i in pick]
        numeric = sample_numeric + coordinate_values(f, params, touched, eps)
        coords = sample + touched
        coordinate_catches = not all(coordinate_ok(n, float(bugged[k][idx])) for n, (k, idx) in zip(numeric, coords))
        rows.append((name, not agrees, coordinate_catches, worst))
    return {"n_params": n_params, "n_coords": n_coords, "per_coordinate": per_coordinate,
            "coordinate": t_coordinate, "directional": float(np.median(t_directional)), "rows": rows,
            "n_bug_coords": n_bug_coords}


# the report --------------------------------------------------------------------------------------

def yes(ok: bool) -> str:
    return "yes" if ok else "NO"


def verdict(caught: bool, bug: str) -> str:
    if bug == RIGHT_GRADIENT:
        return "FALSE ALARM" if caught else "passes (right)"
    return yes(caught)


RESULTS = ROOT / "bench" / "RESULTS.md"


class Tee(io.StringIO):
    """stdout as it is printed, kept to be appended to the results file at the end of the run."""

    def __init__(self, stream):
        super().__init__()
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(text)
        return super().write(text)

    def flush(self) -> None:
        self.stream.flush()


def record(results: Path, printed: str) -> None:
    """Append this run to the results file: its date, commit and machine are the printout's first
    lines; the commit is `git describe`'s (with -dirty for uncommitted changes)."""
    commit = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    with open(results, "a", encoding="utf-8") as f:
        f.write(f"\n## {printed.splitlines()[0]} (commit {commit})\n\n{printed.split(chr(10), 1)[1].strip()}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(add_help=False)  # --help is measure()'s
    parser.add_argument("--results", default=str(RESULTS))
    args, rest = parser.parse_known_args(argv)
    if not args.results:
        return measure(rest)
    tee = Tee(sys.stdout)
    with contextlib.redirect_stdout(tee):
        code = measure(rest)
    if code == 0:
        record(Path(args.results), tee.getvalue())
    return code


def measure(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", default=str(RESULTS),
                        help="append this run's printout to this file (default bench/RESULTS.md; '' for none)")
    parser.add_argument("--students", type=int, default=None, help="class size (default 60; 6 with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="a quick check: 6 students, fewer sampled coordinates in the gradient check")
    parser.add_argument("--work", default=str(ROOT / "build" / "bench"), help="scratch folder (default build/bench)")
    parser.add_argument("--class-size", type=int, default=None,
                        help="the class whose CI matrix is predicted (default 1000; 0, the default with --quick: none)")
    parser.add_argument("--shards", type=int, default=10, help="runners of that matrix (default 10)")
    parser.add_argument("--setup-seconds", type=float, default=120.0,
                        help="a runner's set-up (clone, pinned pip install from cache, bubblewrap), not measured "
                             "here: default 120")
    args = parser.parse_args(argv)
    class_size = args.class_size if args.class_size is not None else (0 if args.quick else 1000)
    n_students = args.students or (6 if args.quick else 60)
    if n_students < 1:
        parser.error(f"--students {n_students}: must be at least 1")
    work = Path(args.work).resolve()
    cores = os.cpu_count() or 1
    course = course_mod.load()
    labs = labs_present(course)
    if not labs:
        parser.error("no lab has both source/ and release/ notebooks yet: nothing to grade")

    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"grading speed, {stamp}\nmachine: {machine()}")
    lab_digests = {lab: lab_files(course, lab) for lab in labs}
    counts = build_class(work / "submitted", labs, n_students)
    described = ", ".join(f"{lab}: {n} example cases " + ("cycled" if n_students >= n else "spread evenly")
                          for lab, n in counts.items())
    notebooks = notebooks_of(work / "submitted", labs)
    print(f"class: {n_students} students x {len(labs)} labs = {len(notebooks)} notebooks "
          f"({described})\n", flush=True)

    t_one, grades_one = grade_ours(work / "submitted", work / "ours-workers-1", labs, 1)
    print(f"  ours, --workers 1: {t_one:.1f} s", flush=True)
    t_kinds, grades_kinds = {}, {}
    for kind in KERNELS:
        t_kinds[kind], grades_kinds[kind] = grade_ours(work / "submitted", work / f"ours-{kind}-workers-{cores}",
                                                       labs, cores, kind)
        print(f"  ours, --workers {cores}, {kind} kernels: {t_kinds[kind]:.1f} s", flush=True)
    t_all, grades_all = t_kinds["forked"], grades_kinds["forked"]
    nbgrader_course(work / "nbgrader", course, labs, work / "submitted")
    t_nbgrader = grade_nbgrader(work / "nbgrader", labs)
    print(f"  plain nbgrader autograde: {t_nbgrader:.1f} s", flush=True)
    t_exec = execute_once(notebooks, timeout=course.limits.cell_timeout)
    t_floor = t_exec / cores
    print(f"  nbclient, each notebook once: {t_exec:.1f} s", flush=True)
    t_exec_all = execute_on_cores(notebooks, course.limits.cell_timeout, cores)
    print(f"  nbclient, each notebook once, {cores} at a time: {t_exec_all:.1f} s", flush=True)
    throughput = core_throughput(cores)
    profiles = {}
    for kind in KERNELS:
        with kernels(kind):
            profiles[kind] = profile_units(course, labs, work / "profile")
    whole = class_phases(course, labs, work / "submitted", work / "class-phases")
    fixed = fixed_costs(course, labs, work / "fixed", work / f"ours-forked-workers-{cores}")
    matrix = (class_on_a_matrix(course, labs, work / "class", class_size, args.shards, args.setup_seconds)
              if class_size else None)
    quick = args.quick
    gc = gradient_checks(n_coords=30 if quick else 300, n_bug_coords=10 if quick else 100,
                         tol=gradcheck.tolerances(course.tolerances))

    n = len(notebooks)
    print("\n| what | seconds | per notebook |\n|---|---:|---:|")
    for label, t in (("ours, `--workers 1`", t_one), (f"ours, `--workers {cores}`, forked kernels", t_all),
                     (f"ours, `--workers {cores}`, kernels started fresh", t_kinds["fresh"]),
                     ("plain sequential `nbgrader autograde` (visible asserts only)", t_nbgrader),
                     ("nbclient, each notebook once (sequential)", t_exec),
                     (f"floor: nbclient once / {cores} cores", t_floor),
                     (f"nbclient, each notebook once, {cores} at a time (measured)", t_exec_all)):
        print(f"| {label} | {t:.1f} | {t / n:.2f} |")
    print(f"\nthis machine's {cores} cores: {cores} CPU-bound processes at once get {throughput:.2f} times the "
          f"work of one done ({cores} where the cores add up, as the floor assumes)")
    changed = [lab for lab in labs if lab_files(course, lab) != lab_digests[lab]]
    note = f" (void: {', '.join(changed)} changed in source/ or release/ during the run)" if changed else ""
    print(f"\nsame grades.csv with 1 and {cores} workers: {yes(grades_one == grades_all)}{note}")
    print(f"same grades.csv with forked and fresh kernels: {yes(grades_kinds['forked'] == grades_kinds['fresh'])}{note}")

    phases = ["kernel start", "student cells", "hidden checks", "kernel stop", "rest (nbgrader, rebuild, files)",
              "total"]
    print("\nwhere one graded notebook's time goes (the `right` case, in-process, warm), seconds:\n")
    print("| lab | kernels | " + " | ".join(phases) + " |\n|---|---|" + "---:|" * len(phases))
    for lab in labs:
        for kind in KERNELS:
            spent = profiles[kind][lab]
            print(f"| {lab} | {kind} | " + " | ".join(f"{spent.get(p, 0.0):.2f}" for p in phases) + " |")
    print(f"\nwhere the class's time goes (its {n} notebooks graded once, in this process, forked kernels), "
          "seconds: " + "; ".join(f"{k} {whole.get(k, 0.0):.1f}" for k in ("kernel start", "student cells", "hidden checks",
                                                                      "of which replays", "kernel stop", "total"))
          + f". The student-cells phase alone is {whole.get('student cells', 0.0) / t_exec:.2f}x nbclient's "
          "sequential time: ours / floor cannot go below about that ratio.")
    print("\nper-run costs outside the notebooks, seconds: "
          + "; ".join(f"{k} {v:.2f}" for k, v in fixed.items()))
    starts = kernel_starts(course)
    print("\nkernel start (launch to first answer, median of 5, stop not included), seconds: "
          + "; ".join(f"{k} {v:.2f}" for k, v in starts.items()))

    print(f"\ngradient checks on a 784-512-10 sigmoid network ({gc['n_params']:,} parameters, batch 32):")
    print(f"- directional (the grader's check: one direction in each of W1, b1, W2, b2): "
          f"{gc['directional'] * 1e3:.1f} ms (median over the bugs)")
    print(f"- coordinate-wise: {gc['per_coordinate'] * 1e3:.2f} ms per coordinate, timed on {gc['n_coords']} random "
          f"coordinates and extrapolated to all {gc['n_params']:,}: {gc['coordinate']:.0f} s "
          f"({gc['coordinate'] / 60:.1f} min)")
    print("\n| planted bug | directional catches | coordinate-wise catches | directional worst rel. error |\n"
          "|---|---|---|---:|")
    for name, d, c, worst in gc["rows"]:
        print(f"| {name} | {verdict(d, name)} | {verdict(c, name)} | {worst:.1e} |")
    print(f"(coordinate-wise verdicts: the {gc['n_coords']} sampled coordinates plus up to {gc['n_bug_coords']} "
          "of the coordinates each bug changes, where the full check would see it)")
    same = all(d == c for _, d, c, _ in gc["rows"])

    if matrix:
        print(f"\n{class_size:,} students x {len(labs)} labs on a {args.shards}-runner CI matrix: one shard "
              f"({matrix['notebooks in the shard']} notebooks, {cores} workers) {matrix['one shard']:.0f} s; merge "
              f"{matrix['merge (measured on small parts)']:.1f} s for {args.shards} parts of one notebook, scaled to "
              f"{matrix['merge (scaled)']:.0f} s; set-up {matrix['set-up (assumed)']:.0f} s (assumed); predicted wall "
              f"time {matrix['predicted'] / 60:.1f} min")

    check_worst = {lab: p.get("hidden checks", 0.0) for lab, p in profiles["forked"].items()}
    speedup = t_nbgrader / t_all
    over_floor = t_all / t_floor
    ratio = gc["coordinate"] / gc["directional"]
    print("\n| target | measured | goal | met |\n|---|---:|---|---|")
    print(f"| plain nbgrader / ours ({cores} workers) | {speedup:.2f}x | >= {TARGET_SPEEDUP_OVER_NBGRADER}x | "
          f"{yes(speedup >= TARGET_SPEEDUP_OVER_NBGRADER)} |")
    print(f"| ours ({cores} workers) / floor | {over_floor:.2f}x | <= {TARGET_OVER_FLOOR}x | "
          f"{yes(over_floor <= TARGET_OVER_FLOOR)} |")
    print(f"| (the same, kernels started fresh) plain nbgrader / ours | {t_nbgrader / t_kinds['fresh']:.2f}x | - | - |")
    print(f"| (the same, kernels started fresh) ours / floor | {t_kinds['fresh'] / t_floor:.2f}x | - | - |")
    forked_start = starts.get("bubblewrap, forked from the template")
    if forked_start is not None:
        print(f"| kernel start, forked (to first answer) | {forked_start * 1e3:.0f} ms | <= {TARGET_KERNEL_START * 1e3:.0f} ms"
              f" | {yes(forked_start <= TARGET_KERNEL_START)} |")
    if matrix:
        minutes = matrix["predicted"] / 60
        print(f"| {class_size:,} x {len(labs)} on {args.shards} runners, predicted | {minutes:.1f} min | "
              f"< {TARGET_CLASS_MINUTES:g} min | {yes(minutes < TARGET_CLASS_MINUTES)} |")
    print(f"| (to read the row above) nbclient {cores} at a time / floor | {t_exec_all / t_floor:.2f}x | "
          f"1.0x where the cores add up | - |")
    print(f"| (to read the row above) ours ({cores} workers) / nbclient {cores} at a time | "
          f"{t_all / t_exec_all:.2f}x | - | - |")
    for lab, t in check_worst.items():
        ok = yes(t <= TARGET_CHECK_SECONDS)
        print(f"| hidden checks, {lab} | {t:.2f} s | <= {TARGET_CHECK_SECONDS:g} s | {ok} |")
    print(f"| coordinate-wise / directional cost | {ratio:,.0f}x | >= {TARGET_GRADCHECK_RATIO:,.0f}x | "
          f"{yes(ratio >= TARGET_GRADCHECK_RATIO)} |")
    print(f"| same planted bugs caught | {yes(same)} | yes | {yes(same)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
