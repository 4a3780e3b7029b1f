"""What crosses from the student's kernel to the grader is plain data, and what the kernel can see."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

from autograder import course as course_mod
from autograder.checks import decode_reply, in_process_caller, run_check
from autograder.grade import kernel_side
from autograder.grade.kernel import StudentKernel
from autograder.grade.plaindata import Unsupported, decode
from autograder import gradcheck


def roundtrip(value):
    return decode(json.loads(json.dumps(kernel_side.encode(value))))


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
    "not even a dict",
])
def test_does_the_grader_reject_malformed_reports(report):
    assert isinstance(decode(report), Unsupported)


def test_is_a_missing_report_a_crash_not_a_pass():
    assert decode_reply(None).status == "crashed"
    assert decode_reply({"status": "passed"}).status == "crashed"


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
    assert gradcheck.directional_check(f, x, grad)[0]
    assert not gradcheck.directional_check(f, x, grad * [1, -1])[0]


@pytest.fixture(scope="module")
def kernel():
    with StudentKernel(memory_mb=2048, file_size_mb=1, output_limit_kb=4,
                       hide=[str(course_mod.ROOT)]) as k:
        yield k


@pytest.mark.skipif(os.geteuid() != 0, reason="namespaces need root: isolation degrades without it")
def test_can_the_kernel_see_neither_the_course_nor_the_network(kernel):
    assert kernel.run("import autograder", 10).ename == "ModuleNotFoundError"
    run = kernel.run(f"open({str(course_mod.ROOT / 'autograder' / 'checks' / 'core.py')!r})", 10)
    assert run.ename == "FileNotFoundError"
    run = kernel.run("import socket; socket.create_connection(('127.0.0.1', 22), timeout=2)", 10)
    assert run.ename in ("OSError", "ConnectionRefusedError") and "unreachable" in run.evalue
    run = kernel.run("import os; open(f'/proc/{os.getppid()}/environ').read()", 10)
    assert run.ename in ("PermissionError", "FileNotFoundError")


def test_are_output_and_file_size_capped(kernel):
    run = kernel.run("print('x' * 100_000)", 10)
    assert run.truncated and len(run.stdout) == 4 * 1024
    run = kernel.run("open('big.bin', 'wb').write(b'0' * 2 * 2**20)", 10)
    assert run.ename == "OSError" and "File too large" in run.evalue


def test_does_a_memory_bomb_fail_inside_the_kernel_only(kernel):
    run = kernel.run("import numpy as np; x = np.ones((40_000, 40_000))", 10)
    assert run.ename == "MemoryError"
    assert kernel.run("print('still here')", 10).stdout == "still here\n"
