"""What crosses from the student's kernel to the grader is plain data, and what the kernel can see."""
from __future__ import annotations

import dataclasses
import json
import os
import stat
import sys
import sysconfig
import tempfile
import time

import numpy as np
import pytest
import zmq

from autograder import course as course_mod
from autograder.checks import in_process_caller, run_check
from autograder.checks.core import Context
from autograder.kernel import inside, sandbox
from autograder.kernel.boundary import (MAX_MESSAGE, SandboxUnavailable, StudentKernel, Unsupported, clean_text, decode,
                                        decode_replies, decode_reply)
from autograder.grade.run import RunLog, kernel_caller
from autograder import gradcheck


def roundtrip(value):
    return decode(json.loads(json.dumps(inside.encode(value))))


def test_do_arrays_dicts_and_tuples_survive_the_round_trip_exactly():
    value = {"W": np.arange(6.0).reshape(2, 3), "b": np.array([np.nan, -0.0]), "t": (1, 2.5, "x")}
    got = roundtrip(value)
    assert np.array_equal(got["W"], value["W"]) and got["W"].dtype == np.float64
    assert np.isnan(got["b"][0]) and got["t"] == (1, 2.5, "x")


def test_are_lying_objects_reported_as_unsupported():
    class Agreeable:
        def __eq__(self, other):
            return True

        def __array__(self, dtype=None, copy=None):
            return np.zeros(3)

    class FakeArray(np.ndarray):
        pass

    assert isinstance(roundtrip(Agreeable()), Unsupported)
    assert isinstance(roundtrip(np.array([Agreeable()], dtype=object)), Unsupported)
    assert isinstance(roundtrip(np.zeros(2).view(FakeArray)), Unsupported)


@pytest.mark.parametrize("report", [
    {"t": "ndarray", "dtype": "|O", "shape": [1], "b64": ""},
    {"t": "ndarray", "dtype": "<f8", "shape": [3], "b64": "AAAAAAAAAAA="},
    {"t": "ndarray", "dtype": "<f8", "shape": [-1], "b64": ""},
    {"t": "pickle", "data": "gASVAAAAAAAAAAA="},
    {"t": "dict", "items": [[{"t": "list", "items": []}, {"t": "none"}]]},
    {"t": "ndarray", "dtype": "<f8", "shape": [2**64], "b64": ""},
    {"t": "ndarray", "dtype": "<f8", "shape": [2**32, 2**32], "b64": ""},
    {"t": "ndarray", "dtype": "<f8", "shape": [True], "b64": "AAAAAAAAAAA="},
    {"t": "int", "v": 2**70},
    {"t": "dict", "items": [[{"t": "str", "v": "k"}]]},
    {"t": "tuple", "items": None},
    "not even a dict",
])
def test_does_the_grader_reject_malformed_reports(report):
    assert isinstance(decode(report), Unsupported)


def test_is_a_missing_report_a_crash_not_a_pass():
    assert decode_reply(None).status == "crashed"
    assert decode_reply({"status": "passed"}).status == "crashed"


def _in_place_step(params, grads, lr):
    for k in params:
        params[k] -= lr * grads[k]
    return params


def test_is_a_change_to_the_arguments_caught_by_a_second_call_even_when_the_report_is_forged():
    from autograder.checks.core import CheckFailed, expect_unchanged
    from autograder.kernel.boundary import NOT_ASKED

    params, grads = {"W": np.ones((2, 2))}, {"W": np.full((2, 2), 0.5)}
    ctx = Context(lab="lab3_backprop", grade_id="sgd_step", secret="s", n_examples=1,
                  caller=in_process_caller({"sgd_step": _in_place_step}))
    ret = ctx.call("sgd_step", [(params, grads, 0.1)])[0]
    # the second call halves the learning rate on the objects the first changed; fresh copies give another result
    assert np.allclose(ret.value["W"], 0.95) and np.allclose(ret.again["W"], 0.925)
    assert np.allclose(ret.fresh.value["W"], 0.975)
    forged = dataclasses.replace(ret, args_after=(params, grads, 0.1))  # "the arguments never changed"
    with pytest.raises(CheckFailed, match="called a second time on the objects it was given .* it returned "
                                          "something else than on fresh copies"):
        expect_unchanged(forged, (params, grads, 0.1), "sgd_step")
    # nor does a memo of the first call (keyed by the params' id) answer the second
    memo = {}

    def memoised(p, g, lr):
        if id(p) not in memo:
            memo[id(p)] = {k: v.copy() for k, v in _in_place_step(p, g, lr).items()}
        return memo[id(p)]

    ret = Context(lab="lab3_backprop", grade_id="sgd_step", secret="s", n_examples=1,
                  caller=in_process_caller({"sgd_step": memoised})).call("sgd_step", [(params, grads, 0.1)])[0]
    assert np.allclose(ret.again["W"], ret.value["W"])  # the memo's answer
    with pytest.raises(CheckFailed, match="than on fresh copies"):
        expect_unchanged(dataclasses.replace(ret, args_after=(params, grads, 0.1)), (params, grads, 0.1), "sgd_step")
    # a report that drops the second result the grader asked for (or says None) is no escape
    request = [{"name": "sgd_step", "kind": "call", "again": 1, "cases": [(params, grads, 0.1)]}]
    stepped = {"W": params["W"] - 0.1 * grads["W"]}
    report = {"status": "returned", "value": inside.encode(stepped),
              "args_after": inside.encode((params, grads, 0.1))}  # "the arguments never changed"
    for forged in (report, dict(report, again={"t": "none"})):
        (ret,), = decode_replies(request, [[json.loads(json.dumps(forged))]])
        with pytest.raises(CheckFailed, match="called a second time on the same arguments"):
            expect_unchanged(ret, (params, grads, 0.1), "sgd_step")
    # a right function, called twice, passes; a timed call (again=0) and a random generator are called once
    right = Context(lab="lab3_backprop", grade_id="sgd_step", secret="s", n_examples=1, caller=in_process_caller(
        {"sgd_step": lambda p, g, lr: {k: p[k] - lr * g[k] for k in p}, "draw": lambda rng: rng.normal()}))
    ret = right.call("sgd_step", [(params, grads, 0.1)])[0]
    expect_unchanged(ret, (params, grads, 0.1), "sgd_step")
    assert right.call("sgd_step", [(params, grads, 0.1)], again=0)[0].again == NOT_ASKED
    assert right.call("draw", [(np.random.default_rng(0),)])[0].again == NOT_ASKED


def test_does_a_memo_keyed_by_id_never_answer_a_later_request_with_another_cases_result():
    # the CI run that failed once: a memo keyed by id() answered a later request with an earlier,
    # freed argument's result whenever the allocator gave the new argument the same address; every
    # argument now lives as long as the student's namespace, so the grade is the same on every run
    memo = {}

    def memoised(p, g, lr):
        if id(p) not in memo:
            memo[id(p)] = {k: v - lr * g[k] for k, v in p.items()}
        return memo[id(p)]

    ctx = Context(lab="lab3_backprop", grade_id="sgd_step", secret="s", n_examples=1,
                  caller=in_process_caller({"sgd_step": memoised}))
    for i in range(50):  # separate requests: each one's arguments are freed in the grader after it
        params, grads = {"W": np.full((2, 2), float(i))}, {"W": np.ones((2, 2))}
        (ret,) = ctx.call("sgd_step", [(params, grads, 0.5)], again=0)
        assert np.allclose(ret.value["W"], i - 0.5), f"request {i} got an earlier request's answer"


def test_is_what_the_kernel_keeps_alive_bounded():
    namespace = {}
    for _ in range(5):
        inside.keep(namespace, (np.zeros(inside.KEEP_BYTES // 16, dtype=np.uint8),))
    kept, size = namespace[inside.KEPT]
    assert size <= inside.KEEP_BYTES and size == sum(s for _, s in kept) and len(kept) == 5
    inside.keep(namespace, (np.zeros(inside.KEEP_BYTES // 2, dtype=np.uint8),) * 4)  # past the bound: the oldest go
    kept, size = namespace[inside.KEPT]
    assert len(kept) == 1 and size == 2 * inside.KEEP_BYTES  # a single request is never dropped


def test_does_a_check_fail_with_a_message_when_the_function_is_missing():
    course = course_mod.load()
    passed, message = run_check("lab3_backprop", "backward", caller=in_process_caller({}), secret="s",
                                n_examples=3, tolerances=course.tolerances)
    assert not passed and message.startswith("backward") and "not defined" in message


def test_do_the_directional_and_coordinate_checks_agree_on_a_quadratic():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    f = lambda x: float(x @ A @ x)  # noqa: E731
    x = np.array([0.3, -1.2])
    grad = 2 * A @ x
    assert gradcheck.relative_error(gradcheck.numerical_gradient(f, x), grad) < 1e-8
    tol = gradcheck.tolerances(course_mod.load().tolerances)
    v = np.array([0.6, 0.8])
    assert gradcheck.directional_check(f, x, grad, v, **tol)[0]
    assert not gradcheck.directional_check(f, x, grad * [1, -1], v, **tol)[0]


def test_does_the_gradient_check_move_and_read_only_the_parameter_it_checks():
    params = {"a": np.array([1.0, 2.0]), "b": np.array([3.0])}
    f = lambda p: float(np.sum(p["a"] ** 2) + 5 * p["b"][0])  # noqa: E731
    grad = {"a": 2 * params["a"], "b": np.array([np.nan])}  # b's gradient is wrong: a's check must not see it
    tol = gradcheck.tolerances(course_mod.load().tolerances)
    v = gradcheck.direction_in(params, "a", np.random.default_rng(0))
    assert set(v) == {"a"} and np.isclose(np.linalg.norm(v["a"]), 1.0)
    assert gradcheck.directional_check(f, params, grad, v, **tol)[0]
    assert not gradcheck.directional_check(f, params, grad, gradcheck.direction_in(params, "b", np.random.default_rng(0)),
                                           **tol)[0]


@pytest.fixture(scope="module")
def kernel():
    with StudentKernel(memory_mb=2048, file_size_mb=1, output_limit_kb=4,
                       hide=[str(course_mod.ROOT)]) as k:
        yield k


BWRAP = pytest.mark.skipif(bool(sandbox.probe()), reason=f"bubblewrap cannot run here: {sandbox.probe()}")
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="one unprivileged uid per kernel needs the grader to be root")


def output(kernel, code, timeout=10):
    run = kernel.run(code, timeout)
    assert run.status == "ok", (code, run)
    return run.stdout.strip()


@BWRAP
def test_can_the_kernel_see_neither_the_course_nor_the_network(kernel):
    assert kernel.run("import autograder", 10).ename == "ModuleNotFoundError"
    run = kernel.run(f"open({str(course_mod.ROOT / 'autograder' / 'checks' / 'core.py')!r})", 10)
    assert run.ename == "FileNotFoundError"
    run = kernel.run("import socket; socket.create_connection(('93.184.216.34', 80), timeout=2)", 10)
    assert run.ename == "OSError" and "unreachable" in run.evalue
    # an allow-list: nothing of the machine but /usr, a few files of /etc, the interpreter, the
    # virtualenv, and the kernel's own home, /tmp and /dev/shm
    venv = os.path.realpath(sys.prefix)
    assert output(kernel, f"import os; print(os.listdir({os.path.dirname(venv)!r}))") == str([os.path.basename(venv)])
    assert output(kernel, "import os; print(os.listdir('/root'))") == str([".pyenv"] if sys.base_prefix.startswith("/root/") else [])
    assert output(kernel, "import os; print(sorted(os.listdir('/etc')))") == str(sorted(
        os.path.basename(p) for p in sandbox.ETC if os.path.exists(p)))
    assert output(kernel, "import os; print(os.path.exists('/home/student'), os.listdir('/home'))") == "True ['student']"


@BWRAP
def test_does_the_kernel_see_only_its_own_processes_and_no_capability(kernel):
    pids = output(kernel, "import os; print(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))")
    assert pids == "[1, 2]"  # bwrap's init and the kernel: no grader, no classmate
    assert output(kernel, "print(open('/proc/self/status').read().split('CapEff:')[1].split()[0])") == "0000000000000000"
    # a fresh kernel's user namespace shows uid 1000; a forked one has none, and its own uid outside
    inside = sandbox.UID_BASE + kernel.km.provisioner.process.pid if kernel.forked else sandbox.INSIDE_UID
    assert output(kernel, "import os; print(os.getuid(), os.getgid())") == f"{inside} {inside}"
    assert "NoNewPrivs:\t1" in output(kernel, "print(open('/proc/self/status').read())")
    # no nested user namespace (unshare(CLONE_NEWUSER) fails)
    assert output(kernel, "import ctypes; print(ctypes.CDLL(None).unshare(0x10000000))") == "-1"
    output(kernel, "import os, signal; os.kill(1, signal.SIGKILL); print('init survives')")
    assert output(kernel, "print('still here')") == "still here"


@BWRAP
@ROOT_ONLY
def test_does_each_kernel_run_as_its_own_unprivileged_uid(kernel):
    owners = {os.stat(f"/proc/{p}").st_uid for p in _pids_under(kernel.km.provisioner.process.pid)}
    assert len(owners) == 1 and min(owners) == sandbox.UID_BASE + kernel.km.provisioner.process.pid


def _pids_under(pid: int) -> list[int]:
    out = [pid]
    for p in os.listdir("/proc"):
        if p.isdigit() and (stat := sandbox.proc_stat(p)) and stat[1] == pid:
            out += _pids_under(int(p))
    return out


@BWRAP
def test_are_the_interpreter_and_virtualenv_read_only(kernel):
    for folder in {sys.prefix, sys.base_prefix, sysconfig.get_paths()["purelib"]}:
        run = kernel.run(f"open({os.path.join(folder, 'evil.pth')!r}, 'w')", 10)
        assert run.ename == "OSError" and "Read-only file system" in run.evalue
        assert not os.path.exists(os.path.join(folder, "evil.pth"))


@BWRAP
def test_does_the_kernel_start_without_a_debugger_or_the_editable_hook(kernel):
    # ipykernel looks for debugpy at start (0.15 s of every start); the sandbox shows its folder
    # empty and read-only, and the package's editable-install .pth empty
    masked = sandbox.masked_paths()
    assert any(path.endswith("debugpy") and is_dir for path, is_dir in masked)
    loaded = "import sys; print(sorted(m for m in sys.modules if m.startswith(('debugpy.', 'pydevd', '_pydevd'))))"
    assert output(kernel, loaded) == "[]"  # ("debugpy" itself is an empty namespace)
    assert output(kernel, "import importlib.util; print(importlib.util.find_spec('debugpy.server'))") == "None"
    assert output(kernel, "import sys; print([f for f in sys.meta_path if 'editable' in repr(f)])") == "[]"
    for path, is_dir in masked:
        look = f"import os; print(os.listdir({path!r}))" if is_dir else f"print(repr(open({path!r}).read()))"
        assert output(kernel, look) == ("[]" if is_dir else "''")
        run = kernel.run(f"open({os.path.join(path, 'api.py') if is_dir else path!r}, 'w')", 10)
        assert run.ename in ("OSError", "PermissionError"), run  # read-only: nothing can be planted there


@pytest.mark.parametrize("mode", [pytest.param("auto", marks=BWRAP), "off"])
def test_does_the_kernel_plot_from_the_graders_font_list_without_building_one(mode):
    # every lab imports pyplot; a home without matplotlib's font cache makes each kernel run
    # fc-list and open every font (0.2-0.4 s of every notebook); each kernel gets a copy of its own
    name, content = sandbox.font_list()
    with StudentKernel(memory_mb=2048, file_size_mb=1, output_limit_kb=4, hide=[], sandbox=mode) as k:
        cached = f"os.path.join(os.environ['HOME'], {name!r})"
        assert output(k, f"import os; print(open({cached}, 'rb').read() == {content!r})") == "True"
        plot = ("import logging, io; log = io.StringIO(); logging.getLogger('matplotlib').addHandler(logging.StreamHandler(log))\n"
                "logging.getLogger('matplotlib').setLevel(logging.INFO)\n"
                "import matplotlib.pyplot as plt, matplotlib.font_manager as fm\n"
                "plt.plot([0, 1]); plt.title('loss'); plt.savefig('plot.png')\n"
                "print(repr(log.getvalue()), os.path.getsize('plot.png') > 0, fm.fontManager.ttflist != [])")
        # no "generated new fontManager", no fc-list; the figure drawn inline, for formgrader
        assert output(k, plot) == "'' True True\n<Figure size 640x480 with 1 Axes>"
        if mode == "auto":
            run = k.run(f"open({cached}, 'w')", 10)
            assert run.ename in ("OSError", "PermissionError"), run  # read-only in the sandbox


def test_does_a_kernel_for_the_checks_draw_no_figure_and_a_restart_keep_it_so():
    """After the student's cells, the checks' kernels (a clean state, the cells replayed) show no
    one a figure: none is drawn into an image, and the cell's definitions and results are the same."""
    cell = ("import matplotlib.pyplot as plt\nplt.plot([0, 1, 4]); plt.title('loss')\n"
            "print(len(plt.gcf().axes[0].lines[0].get_ydata()))")
    with StudentKernel(memory_mb=2048, file_size_mb=1, output_limit_kb=4, hide=[]) as k:
        drawn = k.run(cell, 30)
        assert drawn.status == "ok" and [mime for mime, _ in drawn.figures] == ["image/png"]
        k.figures = False
        k.restart()
        for _ in range(2):  # and again after a restart of its own
            quiet = k.run(cell, 30)
            assert quiet.status == "ok" and quiet.figures == [] and quiet.stdout.startswith("3\n"), quiet
            assert output(k, "import matplotlib.pyplot as plt; print(plt.get_fignums())") == "[]"  # shown, closed
            k.restart()


@BWRAP
def test_can_the_kernel_not_replace_its_sockets_with_links(kernel):
    folder = os.path.dirname(kernel.km.ip)
    run = kernel.run(f"import os\nfor n in os.listdir({folder!r}):\n    os.replace('/tmp', os.path.join({folder!r}, n))", 10)
    assert run.ename in ("PermissionError", "OSError")
    run = kernel.run(f"import os; os.symlink('/etc/passwd', os.path.join({folder!r}, 'ipc-99'))", 10)
    assert run.ename == "PermissionError"
    assert all(stat.S_ISSOCK(os.lstat(os.path.join(folder, n)).st_mode) for n in os.listdir(folder))
    assert output(kernel, "print('still talking')") == "still talking"


@BWRAP
def test_are_tmp_and_shm_private_and_gone_with_the_kernel(monkeypatch):
    tmp_path = tempfile.mkdtemp(prefix="agk-test-", dir="/tmp")  # /tmp itself is shared with other runs
    os.chmod(tmp_path, 0o711)  # the kernel's unprivileged uid passes through (pytest's tmp_path is 0700)
    monkeypatch.setattr(tempfile, "tempdir", tmp_path)
    before = set(os.listdir("/dev/shm"))
    with StudentKernel(memory_mb=2048, file_size_mb=1, output_limit_kb=4, hide=[]) as k:
        output(k, "open('/dev/shm/answers', 'w').write('42'); open('/tmp/answers', 'w').write('42'); print()")
        workdir = k.workdir
        pid = k.km.provisioner.process.pid
        output(k, "import subprocess; subprocess.Popen(['sleep', '600'], start_new_session=True); print()")
    with StudentKernel(memory_mb=2048, file_size_mb=1, output_limit_kb=4, hide=[]) as k:
        assert k.run("open('/dev/shm/answers').read()", 10).ename == "FileNotFoundError"
        assert k.run("open('/tmp/answers').read()", 10).ename == "FileNotFoundError"
    assert not os.path.exists(workdir)
    assert os.listdir(tmp_path) == []
    os.rmdir(tmp_path)
    assert [n for n in set(os.listdir("/dev/shm")) - before if os.stat(f"/dev/shm/{n}").st_uid >= sandbox.UID_BASE
            or n == "answers"] == []
    left = [p for p in os.listdir("/proc") if p.isdigit() and os.stat(f"/proc/{p}").st_uid == sandbox.UID_BASE + pid]
    assert left == [] or os.geteuid() != 0


@BWRAP
def test_does_a_forged_reply_become_unsupported_data_not_an_error(kernel):
    forge = ("import IPython.display as d, json\n"
             "d.publish_display_data = lambda data, *a, **k: d.__dict__['_real']({%r: json.dumps("
             "[[{'status': 'returned', 'value': {'t': 'ndarray', 'dtype': '<f8', 'shape': [2**32, 2**32], 'b64': ''}}]])})\n"
             % inside.REPLY_MIME)
    output(kernel, "import IPython.display as d; d._real = d.publish_display_data; print()")
    output(kernel, forge + "print()")
    output(kernel, "def f(x):\n    return x\nprint()")
    replies, run = kernel.call([{"name": "f", "kind": "call", "cases": [(1,)]}], 10)
    (ret,), = decode_replies([{"name": "f", "kind": "call", "cases": [(1,)]}], replies)
    assert ret.status == "returned" and isinstance(ret.value, Unsupported)
    output(kernel, "import IPython.display as d; d.publish_display_data = d._real; print()")


@BWRAP
def test_does_a_message_over_the_cap_never_reach_the_grader(kernel):
    code = ("import IPython.display as d\ndef f(x):\n    d.publish_display_data({%r: 'x' * (200 * 2**20)})\n"
            "    return x\nprint()") % inside.REPLY_MIME
    output(kernel, code)
    replies, run = kernel.call([{"name": "f", "kind": "call", "cases": [(1,)]}], 8)
    assert replies is None  # dropped by zmq unread: the real reply never arrives either (a timeout)
    assert kernel.kc.iopub_channel.socket.getsockopt(zmq.MAXMSGSIZE) == MAX_MESSAGE
    assert output(kernel, "print('back')", 20) == "back"


def test_is_kernel_text_cleaned_of_surrogates_and_control_characters(kernel):
    run = kernel.run("raise ValueError('bad \\udcff \\x1b[31m \\u202e' + 'x' * 5000)", 10)
    assert run.ename == "ValueError" and len(run.evalue) <= 2000
    assert "\udcff" not in run.evalue and "\x1b" not in run.evalue and "\u202e" not in run.evalue
    run.evalue.encode("utf-8")  # nbgrader and the pages need valid UTF-8
    assert clean_text("a\ud800b\x00c\nd", 100) == "a\ufffdb\ufffdc\nd"


def test_does_the_notebook_deadline_cover_the_checks():
    course = course_mod.load()
    log = RunLog()

    class NoKernel:
        def alive(self):
            raise AssertionError("past the notebook's deadline the kernel is not asked")

    caller = kernel_caller(NoKernel(), course, log, deadline=time.monotonic() - 1)
    (ret,), = caller([{"name": "f", "kind": "call", "cases": [(1,)]}])
    assert ret.status == "timeout" and log.timed_out
    assert log.events == [f"the notebook ran past {course.limits.notebook_timeout:g} s: the checks from then on were not run"]


def test_does_sandbox_required_refuse_without_bubblewrap(monkeypatch):
    from autograder.grade import pipeline

    monkeypatch.setattr(sandbox, "probe", lambda: "bwrap is not installed")
    with pytest.raises(SandboxUnavailable, match="--sandbox required: bwrap is not installed"):
        pipeline.sandbox_status("required")
    assert pipeline.sandbox_status("auto") == (True, "sandbox: NONE (bwrap is not installed): kernels get limits "
                                               "only; files and network are not hidden; every row is flagged no-sandbox")
    with pytest.raises(SandboxUnavailable):
        StudentKernel(memory_mb=100, file_size_mb=1, output_limit_kb=1, hide=[], sandbox="required")


def test_is_the_output_cap_in_force_before_the_first_cell():
    # it runs as the kernel starts (IPKernelApp.exec_lines), where a failure would only be logged
    with StudentKernel(memory_mb=2048, file_size_mb=1, output_limit_kb=4, hide=[str(course_mod.ROOT)]) as k:
        first = k.run("import sys; print(type(sys.stdout).__name__, type(sys.stderr).__name__, "
                      "'__autograder_reserve' in sys.__dict__)", 10)
    assert first.stdout.strip() == "Capped Capped True"


def test_are_output_and_file_size_capped(kernel):
    run = kernel.run("print('x' * 100_000)", 10)
    assert run.truncated and len(run.stdout) == 4 * 1024
    run = kernel.run("open('big.bin', 'wb').write(b'0' * 2 * 2**20)", 10)
    assert run.ename == "OSError" and "File too large" in run.evalue


def test_does_a_memory_bomb_fail_inside_the_kernel_only(kernel):
    run = kernel.run("import numpy as np; x = np.ones((40_000, 40_000))", 10)
    assert run.ename == "MemoryError"
    assert kernel.run("print('still here')", 10).stdout == "still here\n"


def test_does_a_check_that_fails_itself_show_the_student_no_traceback():
    from autograder.grade.run import _for_the_student

    log = RunLog()
    message = ('backward: the check itself failed (tell your instructor):\nTraceback (most recent call last):\n'
               '  File "/work/course/autograder/checks/core.py", line 3, in check\nKeyError: 1')
    assert _for_the_student((False, message), log) == (False, "backward: the check itself failed (tell your instructor)")
    assert log.events == [f"for a TA: {message}"]
    assert _for_the_student((0.5, "backward: W1 is wrong"), log) == (0.5, "backward: W1 is wrong")


def test_is_the_boundary_with_the_students_kernel_in_one_file():
    """Launch, requests, replies and decoding live in autograder/kernel/boundary.py: the checks and
    the pipeline reach the kernel only through autograder/kernel, never through each other."""
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "autograder"

    def imported(path: Path) -> set[str]:
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        return names

    talks_to_kernels = {str(p.relative_to(package)) for p in package.rglob("*.py")
                        if any(n.split(".")[0] in ("jupyter_client", "zmq") for n in imported(p))}
    # validate.py runs the student's own notebook on the student's machine (it ships in their bundle)
    assert talks_to_kernels == {"kernel/boundary.py", "validate.py"}
    for p in (package / "checks").glob("*.py"):
        assert not any(n.startswith("autograder.grade") for n in imported(p)), p.name
    for p in (package / "kernel").glob("*.py"):  # the boundary depends on nothing else of ours
        assert all(n.startswith("autograder.kernel") for n in imported(p) if n.startswith("autograder")), p.name
