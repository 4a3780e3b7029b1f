"""Attacks a determined student would try on the grader itself (issue 25), graded end to end in a
class with classmates whose grades must not change: a comment that makes a pattern scan slow,
floods of big messages on the kernel's channels, metadata of other JSON types, student ids that
a spreadsheet would run, replays past the notebook's deadline, a class killed mid-run."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from autograder import course as course_mod
from autograder.grade.suspicious import scan
from tests import corpus
from tests.grading import build_class, course_toml_for_tests, grade, read_csv

LAB = "lab1_gradients"
SANDBOX = pytest.mark.skipif(bool(__import__("autograder.kernel.sandbox", fromlist=["probe"]).probe()),
                             reason="bubblewrap cannot run here")

# 100 MB messages, 30 on IOPub (for no request of the grader's) and 30 on stdin, which the grader
# once connected and never read (zmq queued them all in the grading worker: 3.2 GB)
FLOOD = """
import time
k = get_ipython().kernel
who = k._parent_ident["shell"]  # the grader's identity on shell, and on stdin
who = who if isinstance(who, list) else [who]
msg = k.session.msg("stream", {"name": "stdout", "text": "x" * (100 * 2**20)}, parent={"header": {"msg_id": "x"}})
frames = k.session.serialize(msg)  # signed once, sent 60 times
del msg
for i in range(30):
    k.stdin_socket.send_multipart(who + frames)
for i in range(30):
    k.iopub_socket.send_multipart(frames)
    time.sleep(0.05)
del frames
"""
WORKER_BOUND_MB = 1024  # the grading worker's resident memory, kernels not counted (it idles at ~200 MB)


def _right_notebook():
    return corpus.build_notebook(next(c for c in corpus.cases(LAB) if c.name == "right"))


def _write(folder: Path, student: str, nb) -> None:
    (folder / student / LAB).mkdir(parents=True)
    nbformat.write(nb, folder / student / LAB / f"{LAB}.ipynb")


def _with_cell(source: str):
    nb = _right_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(source))
    return nb


def _metadata_of_other_types():
    """The cell metadata a list, a nbgrader metadata a number, a grade_id a list."""
    nb = nbformat.reads(nbformat.writes(_right_notebook()), as_version=4)
    raw = nbformat.writes(nb)
    data = __import__("json").loads(raw)
    by_id = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id"): c for c in data["cells"]}
    by_id["intro"]["metadata"] = ["not", "an", "object"]
    by_id["solution_sigmoid"]["metadata"]["nbgrader"]["grade_id"] = ["solution_sigmoid"]
    by_id["solution_relu"]["metadata"]["nbgrader"] = 7
    data["metadata"] = ["the notebook's metadata a list"]
    return data


def _worker_rss_sampler(stop: threading.Event, peak: dict) -> None:
    """The largest resident memory of a grading worker (this process's children that are not a
    kernel, bwrap or its launcher), every 50 ms."""
    me = psutil.Process()
    while not stop.is_set():
        for child in me.children(recursive=True):
            try:
                cmd = " ".join(child.cmdline())
                if "ipykernel" in cmd or "autograder.kernel.sandbox" in cmd or "bwrap" in cmd:
                    continue
                peak["worker"] = max(peak.get("worker", 0), child.memory_info().rss)
            except psutil.Error:
                pass
        peak["machine_min_available"] = min(peak.get("machine_min_available", 2**63),
                                            psutil.virtual_memory().available)
        stop.wait(0.05)


def test_is_a_comment_of_numpy_names_scanned_quickly():
    for repeats in (8_000, 200_000):  # 24 KB and 600 KB: 42 s and hours with the old pattern
        started = time.monotonic()
        assert scan(["# " + "np." * repeats]) == []
        assert time.monotonic() - started < 5, repeats
    for text in ("\n" * 10**6, " " * 10**6, "np.a " * 10**5, "import " * 10**5, "setattr(" * 10**5):
        started = time.monotonic()
        scan([text])
        assert time.monotonic() - started < 5, text[:10]
    assert scan(["np.random.seed = f", "x = np.a == 1"]) == ["rewrites a numpy attribute"]
    assert scan(["x = 1\n" * 200_000])[0].startswith("is longer than")


@SANDBOX
@pytest.mark.xdist_group("lab1_gradients")
def test_does_a_hostile_class_leave_the_graders_memory_and_classmates_grades_alone(tmp_path):
    submissions = tmp_path / "submitted"
    classmates = [c for c in corpus.cases(LAB) if c.name in ("right", "blank", "relu_prime_at_zero")]
    grade(build_class(classmates, tmp_path / "alone"), tmp_path / "clean", labs=[LAB])
    build_class(classmates + [c for c in corpus.cases(LAB, every_lab=True, spread=False)
                              if c.name == "every_lab_forges_replies_to_the_next_requests"], submissions)
    _write(submissions, "numpy_names_in_a_comment", _with_cell("# " + "np." * 8_000))
    _write(submissions, "numpy_names_in_a_long_comment", _with_cell("# " + "np." * 200_000))
    _write(submissions, "floods_the_grader", _with_cell(FLOOD))
    _write(submissions, "=HYPERLINK(\"x\";\"y\")", _right_notebook())
    _write(submissions, "@SUM(1+1)", _right_notebook())
    (submissions / "metadata_of_other_types" / LAB).mkdir(parents=True)
    (submissions / "metadata_of_other_types" / LAB / f"{LAB}.ipynb").write_text(
        __import__("json").dumps(_metadata_of_other_types()))
    stop, peak = threading.Event(), {}
    sampler = threading.Thread(target=_worker_rss_sampler, args=(stop, peak), daemon=True)
    sampler.start()
    started = time.monotonic()
    try:
        grade(submissions, tmp_path / "out", labs=[LAB])
    finally:
        stop.set()
        sampler.join()
    seconds = time.monotonic() - started
    print(f"class of 10: {seconds:.1f} s; grading worker peak RSS {peak.get('worker', 0) / 2**20:.0f} MB; machine's "
          f"least available {peak.get('machine_min_available', 0) / 2**20:.0f} MB")
    assert peak["worker"] < WORKER_BOUND_MB * 2**20
    rows = {r["student_id"]: r for r in read_csv(tmp_path / "out" / "grades.csv")}
    right = rows["right"]
    for name in ("right", "numpy_names_in_a_comment", "numpy_names_in_a_long_comment", "'=HYPERLINK(\"x\";\"y\")",
                 "'@SUM(1+1)", "every_lab_forges_replies_to_the_next_requests", "metadata_of_other_types"):
        assert (rows[name]["status"], rows[name]["score"]) == ("ok", right["score"]), name
    for row in read_csv(tmp_path / "clean" / "grades.csv"):  # the classmates' grades, as when graded alone
        assert rows[row["student_id"]] == row
    assert rows["floods_the_grader"]["status"] != "error"
    assert "suspicious-code" in rows["every_lab_forges_replies_to_the_next_requests"]["flags"]
    assert "suspicious-code" not in rows["numpy_names_in_a_long_comment"]["flags"]
    assert "metadata-repaired" in rows["metadata_of_other_types"]["flags"].split(";")
    # no cell of any CSV we write starts a formula; the ids come back exactly when read again
    for table in ("grades.csv", "cells.csv"):
        text = (tmp_path / "out" / table).read_text()
        assert not re.search(r'(^|,)"?[=+@\t\r]', text, flags=re.M), table
    from autograder.grade.tables import read_results
    assert {r["student"] for r in read_results(tmp_path / "out")} >= {"=HYPERLINK(\"x\";\"y\")", "@SUM(1+1)"}
    from autograder import export
    export.main(out=tmp_path / "out", format="csv", course_toml=course_toml_for_tests(), allow_ungraded=True)
    assert not re.search(r'(^|,)"?[=+@\t\r]', (tmp_path / "out" / "grades_export.csv").read_text(), flags=re.M)


REPLAY_COURSE = {"notebook_timeout": 20, "cell_timeout": 10, "check_timeout": 10}

# every function ends the kernel when a check calls it (not when the student's cells do), and a
# cell that sleeps 3 s runs again in every replay: 8 checks x (a restart + 3 s) used to run on,
# past notebook_timeout
EXITS_AT_EACH_CHECK = """
import os, sys, time
time.sleep(3)
for _name in ("df_dx", "df_dy", "sigmoid", "sigmoid_prime", "relu", "relu_prime", "neuron_grads",
              "numerical_gradient", "relative_error"):
    _real = globals().get(_name)
    def _exits(*args, _real=_real, **kwargs):
        if sys._getframe(1).f_globals.get("__name__") == "__autograder__":
            os._exit(1)
        return _real(*args, **kwargs)
    globals()[_name] = _exits
"""


@SANDBOX
@pytest.mark.xdist_group("lab1_gradients")
def test_do_replays_keep_to_the_notebooks_deadline(tmp_path):
    text = course_toml_for_tests().read_text()
    for key, value in REPLAY_COURSE.items():
        text = re.sub(rf"^{key} = .*$", f"{key} = {value}", text, flags=re.M)
    toml = tmp_path / "course" / "course.toml"
    toml.parent.mkdir()
    toml.write_text(text)
    (toml.parent / "source").symlink_to(course_mod.ROOT / "source")
    submissions = tmp_path / "submitted"
    _write(submissions, "exits_at_each_check", _with_cell(EXITS_AT_EACH_CHECK))
    _write(submissions, "right", _right_notebook())
    from autograder.grade import pipeline

    pipeline.main(submissions=submissions, out=tmp_path / "out", labs=[LAB], workers=1, progress=False,
                  course_toml=toml)
    results = {r["student"]: r for r in pipeline.saved_results(tmp_path / "out", course_mod.load(toml))}
    hostile = results["exits_at_each_check"]
    print(f"exits_at_each_check: {hostile['seconds']:.1f} s against notebook_timeout = 20; events: {hostile['events']}")
    assert hostile["seconds"] <= REPLAY_COURSE["notebook_timeout"] + 10  # a last interrupt and restart
    assert hostile["status"] in ("timeout", "crashed")
    assert hostile["score"] < results["right"]["score"]
    assert results["right"]["status"] == "ok"
    assert all(c["passed"] for c in results["right"]["cells"] if not c.get("manual"))


@SANDBOX
@pytest.mark.xdist_group("lab3_backprop")
def test_does_a_killed_class_leave_nothing_in_dev_shm(tmp_path):
    """The class runs with a folder of ours as its /dev/shm (a mount namespace of its own; the
    machine's /dev/shm is shared with every other program here), is killed mid-run with all its
    processes, and that folder must be empty."""
    own = ["unshare", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc", "--propagation", "private"]
    if os.geteuid() != 0 or not shutil.which("unshare") or subprocess.run([*own, "true"]).returncode != 0:
        pytest.skip("needs root and unshare for a /dev/shm of the class's own")
    submissions = build_class([c for c in corpus.cases("lab3_backprop") if c.name in ("right", "blank", "right_with_loops")],
                              tmp_path / "submitted")
    private_tmp = Path(tempfile.mkdtemp(prefix="agkilled-", dir="/tmp"))
    private_tmp.chmod(0o711)
    shm = private_tmp / "shm"
    shm.mkdir(mode=0o1777)
    shm.chmod(0o1777)
    out = tmp_path / "out"
    cmd = [*own, "sh", "-c", f'mount --bind {shm} /dev/shm && exec "$@"', "sh",
           sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out), "--labs",
           "lab3_backprop", "--workers", "2", "--quiet", "--course", str(course_toml_for_tests())]
    proc = subprocess.Popen(cmd, start_new_session=True, env={**os.environ, "TMPDIR": str(private_tmp)})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list((out / ".units").glob("*/*.json")):
        time.sleep(0.2)
    assert proc.poll() is None, "the class ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # the grader, its workers, their kernels: mid-class
    proc.wait()
    left = sorted(os.listdir(shm))
    shutil.rmtree(private_tmp, ignore_errors=True)
    assert left == []


def test_does_every_text_that_would_start_a_formula_become_text_and_read_back_exactly():
    from autograder.grade.tables import from_spreadsheet, spreadsheet_text

    for text, written in [("=1+2", "'=1+2"), ("@SUM(A1)", "'@SUM(A1)"), ("+x", "'+x"), ("-2+3", "'-2+3"),
                          ("\tx", "'\tx"), ("\rx", "'\rx"), ("'=x", "''=x"), ("-0.5", "-0.5"), ("1e5", "1e5"),
                          ("ada", "ada"), ("'ada", "'ada"), ("", "")]:
        assert spreadsheet_text(text) == written
        assert from_spreadsheet(written) == text
