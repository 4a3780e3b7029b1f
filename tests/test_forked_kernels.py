"""Kernels forked from the worker's pre-imported template (kernel/forks.py, kernel/template.py):
nothing one student's kernel does reaches the next one's, through the template or otherwise."""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder.kernel import forks, sandbox
from autograder.kernel.boundary import StudentKernel
from tests import corpus
from tests.grading import grade

# root with bubblewrap, and a template that starts (where it cannot, kernels start fresh: the whole
# suite then tests those, and these tests say why they did not run)
FORKED = pytest.mark.skipif(not forks.available(), reason=f"no forked kernels here: root with bubblewrap needed, "
                                                         f"and the template: {forks.why_not() or 'not wanted'}")

# everything a notebook can reach at import time: modules and their attributes, numpy's and
# random's state, matplotlib's rcParams, the environment, builtins, files in /tmp, /dev/shm and
# the home (an IPython startup file, a module that would shadow numpy)
POLLUTE = '''
import builtins, os, random, sys
import matplotlib as mpl
import numpy as np
np.set_printoptions(precision=1, threshold=3)
np.seterr(all="raise")
np.random.seed(1234)
random.seed(1234)
mpl.rcParams["lines.linewidth"] = 42
np.exp = lambda z: z
np.linalg.norm = lambda *a, **k: 0.0
np.allclose = lambda *a, **k: True
sys.modules["scipy"] = None
sys.path.insert(0, "/tmp/evil")
os.environ["PYTHONPATH"] = "/tmp/evil"
os.environ["MPLBACKEND"] = "pdf"
builtins.abs = lambda x: 0
builtins.print = lambda *a, **k: None
for path in ("/tmp/evil/numpy.py", os.path.expanduser("~/.ipython/profile_default/startup/00-evil.py"),
             "/dev/shm/evil.py"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("raise SystemExit('planted by a classmate')\\n")
'''

LOOK = '''
import builtins, os, random, sys
import matplotlib as mpl
import numpy as np
print(np.get_printoptions()["precision"], np.geterr()["divide"], mpl.rcParams["lines.linewidth"],
      np.exp(0.0), np.linalg.norm([3.0, 4.0]), "scipy" in sys.modules and sys.modules["scipy"] is None,
      "/tmp/evil" in sys.path, os.environ.get("PYTHONPATH"), os.environ.get("MPLBACKEND"), abs(-2),
      os.path.exists("/tmp/evil"), os.listdir("/dev/shm"), os.path.exists(os.path.expanduser("~/.ipython/profile_default/startup/00-evil.py")))
'''


def _kernel():
    return StudentKernel(memory_mb=2048, file_size_mb=1, output_limit_kb=64, hide=[])


@FORKED
def test_does_the_next_kernel_see_none_of_what_the_last_one_changed():
    with _kernel() as first:
        assert first.forked
        before = first.run(LOOK, 30)
        assert first.run(POLLUTE, 30).status == "ok"
        polluted = first.run("import sys, matplotlib as mpl; sys.stdout.write(str(mpl.rcParams['lines.linewidth']))", 30)
    with _kernel() as second:
        after = second.run(LOOK, 30)
    assert before.status == after.status == "ok", (before, after)
    assert after.stdout == before.stdout
    assert before.stdout.split()[:5] == ["8", "warn", "1.5", "1.0", "5.0"]
    assert "42" in polluted.stdout  # the first kernel was changed indeed


@FORKED
def test_can_a_kernel_neither_see_nor_signal_its_template():
    template = forks.shared().proc.pid  # bwrap's pid; the template is its child, in the host's namespace
    with _kernel() as k:
        assert k.forked
        run = k.run(f"import os\nfor pid in range({template}, {template} + 4):\n"
                    f"    try:\n        os.kill(pid, 0)\n        print('reached', pid)\n"
                    f"    except ProcessLookupError:\n        pass\nprint(sorted(os.listdir('/proc'))[:2])", 30)
        assert run.status == "ok", run
        assert "reached" not in run.stdout
        # nor its init's open files (which hold nothing of the template's anyway)
        assert k.run("import os; os.listdir('/proc/1/fd')", 30).ename == "PermissionError"
        pipes = k.run("import os\nfor fd in os.listdir('/proc/self/fd'):\n"
                      "    try:\n        print(os.readlink('/proc/self/fd/' + fd))\n"
                      "    except OSError:\n        pass", 30)
        held = pipes.stdout.split()
        assert pipes.status == "ok" and os.path.join(k.workdir, "launcher.log") in held, pipes  # its own log
        assert not [f for f in held if f.startswith(forks.shared().base) and not f.startswith(k.workdir)], held
        # the pids of its own namespace only: its init and itself
        assert sorted(int(p) for p in k.run("import os; print(*[p for p in os.listdir('/proc') if p.isdigit()])",
                                            30).stdout.split()) == [1, 2]
    assert forks.shared().proc.poll() is None  # the template is still there, for the next kernel


@FORKED
def test_does_the_kernel_keep_the_sandboxs_bounds_though_forked():
    with _kernel() as k:
        uid = sandbox.UID_BASE + k.km.provisioner.process.pid
        out = k.run("import os\nst = open('/proc/self/status').read()\n"
                    "print(os.getuid(), st.split('CapEff:')[1].split()[0], 'NoNewPrivs:\\t1' in st, 'Seccomp:\\t2' in st)\n"
                    "import resource; print(resource.getrlimit(resource.RLIMIT_AS)[0] // 2**20,"
                    " resource.getrlimit(resource.RLIMIT_NPROC)[0])", 30)
        assert out.status == "ok", out
        assert out.stdout.split() == [str(uid), "0000000000000000", "True", "True", "2048", "64"]
        # its own /tmp, /dev/shm and home, and the grader's folder of every kernel's files empty
        base, own = forks.shared().base, k.workdir
        look = k.run(f"import os; print(os.listdir({base!r}), os.listdir({own!r}), os.listdir('/dev/shm'))", 30)
        sockets = os.path.basename(os.path.dirname(k.km.ip))
        assert look.stdout.strip() == f"{[os.path.basename(own)]} {[sockets]} []", look
        assert "launcher.log" in os.listdir(own)  # which the grader has, and the kernel does not see
        assert k.run("import socket; socket.create_connection(('93.184.216.34', 80), timeout=2)", 10).ename == "OSError"


LAZY_IMPORTS = """
import os, sys
import scipy.optimize, sklearn.tree  # not pre-imported: read from the virtualenv now
print(os.path.exists(sys.executable), sorted(os.listdir("/tmp")))
"""


@FORKED
@pytest.mark.skipif(not shutil.which("unshare"), reason="needs unshare(1)")
def test_does_a_forked_kernel_see_a_virtualenv_under_tmp_over_its_private_tmp():
    # a checkout (and its .venv) cloned under /tmp, in a path with spaces: the kernel's private /tmp
    # must not hide it, or every import the template did not make fails
    root = Path(__file__).resolve().parent.parent
    venv = Path(os.path.realpath(sys.prefix))
    clone = Path(tempfile.mkdtemp(prefix="forked-checkout-", dir="/tmp"))
    seen = clone / "my course" / ".venv"
    seen.mkdir(parents=True)
    code = ("from autograder.kernel.boundary import StudentKernel\n"
            "with StudentKernel(memory_mb=2048, file_size_mb=1, output_limit_kb=64, hide=[]) as k:\n"
            f"    r = k.run({LAZY_IMPORTS!r}, 60)\n"
            "    print(k.forked, r.status, repr(r.stdout.strip()), r.ename, r.evalue)\n")
    script = (f"mount --bind {shlex.quote(str(venv))} {shlex.quote(str(seen))} && cd {shlex.quote(str(root))} && "
              f"PYTHONPATH={shlex.quote(str(root))} {shlex.quote(str(seen / 'bin' / 'python'))} -c {shlex.quote(code)}")
    try:
        run = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                             capture_output=True, text=True, timeout=300)
    finally:
        shutil.rmtree(clone, ignore_errors=True)
    last = run.stdout.strip().splitlines()[-1:]
    # forked, ok, the interpreter there, and /tmp holding only the way to the clone and the
    # template's (covered) folder
    assert last and last[0].startswith("True ok "), (run.stdout, run.stderr[-3000:])
    import ast
    exists, tmp = ast.literal_eval(last[0].split(" ", 2)[2].strip()).split(" ", 1)
    assert exists == "True" and len(ast.literal_eval(tmp)) == 2 and clone.name in tmp and "'agk-" in tmp, last


def _kernel_in_a_forked_worker(_):
    with _kernel() as k:
        return k.forked, k.run("print(6 * 7)", 30).stdout.strip(), forks.shared().base


@FORKED
def test_does_a_worker_forked_from_a_process_with_a_template_leave_the_parents_alone():
    # the grading pipeline forks its workers: one inherits the parent's Template object (not its
    # process), must start a template of its own, and must not remove or stop the parent's
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    parent = forks.shared()
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        forked, answer, base = pool.submit(_kernel_in_a_forked_worker, 0).result(timeout=300)
    assert (forked, answer) == (True, "42") and base != parent.base
    assert forks.shared() is parent and os.path.isdir(parent.base) and parent.proc.poll() is None
    with _kernel() as k:
        assert k.forked and k.run("print(6 * 7)", 30).stdout.strip() == "42"


@FORKED
def test_does_a_template_that_cannot_start_leave_kernels_starting_fresh_and_say_why(monkeypatch):
    class Refused(forks.Template):
        def __init__(self):
            raise forks.TemplateFailed("the kernel template did not start: bwrap: Creating new namespace failed")

    monkeypatch.setattr(forks, "Template", Refused)
    monkeypatch.setattr(forks, "_shared", None)
    monkeypatch.setattr(forks, "_why_not", None)
    with _kernel() as k:
        assert not k.forked
        assert k.run("print(6 * 7)", 30).stdout.strip() == "42"
        said = " ".join(k.sandbox_report()["isolation"])
        assert "started fresh: the template could not start" in said and "Creating new namespace failed" in said
    monkeypatch.setattr(forks, "_why_not", None)


@FORKED
@pytest.mark.xdist_group("lab1_gradients")
def test_is_a_classmate_graded_after_a_polluter_in_the_same_worker_graded_as_if_alone(tmp_path):
    right = next(c for c in corpus.cases("lab1_gradients") if c.name == "right")
    polluter = corpus.load_case(_polluter(tmp_path / "case" / "lab1_gradients" / "a_polluter.py"), "lab1_gradients")
    both, alone = tmp_path / "both", tmp_path / "alone"
    corpus.write_submission(polluter, both / "a_polluter" / "lab1_gradients")
    corpus.write_submission(right, both / "b_classmate" / "lab1_gradients")
    corpus.write_submission(right, alone / "b_classmate" / "lab1_gradients")
    grade(both, tmp_path / "out-both", labs=["lab1_gradients"], workers=1)  # one worker: the same template
    grade(alone, tmp_path / "out-alone", labs=["lab1_gradients"], workers=1)

    def classmate_rows(out):
        lines = (out / "cells.csv").read_text().splitlines(keepends=True)
        return [lines[0], *[line for line in lines[1:] if line.startswith("b_classmate,")]]

    assert classmate_rows(tmp_path / "out-both") == classmate_rows(tmp_path / "out-alone")
    assert len(classmate_rows(tmp_path / "out-both")) > 3
    polluted = [line for line in (tmp_path / "out-both" / "cells.csv").read_text().splitlines()
                if line.startswith("a_polluter,")]
    assert polluted and polluted != classmate_rows(tmp_path / "out-alone")[1:]  # it ran, and did change itself


def _polluter(path):
    """A lab 1 submission whose first solution cell changes all it can at import, then answers right."""
    path.parent.mkdir(parents=True)
    solution = corpus.solution_code("lab1_gradients")
    first = next(iter(solution))
    path.write_text(f"# pollutes everything it can reach at import time\n# base: solution\n# %% {first}\n"
                    + POLLUTE + "\n" + solution[first])
    return path


if __name__ == "__main__":
    os._exit(pytest.main([__file__, "-q"]))
