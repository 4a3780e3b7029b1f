"""Lab 4's "Do networks trained this way see like us?": the references mean what the lab says, and
fgsm is graded with error carried forward on input_gradient (in-process, no kernel, no notebook)."""
from __future__ import annotations

import numpy as np

from autograder import course as course_mod
from autograder.checks import in_process_caller, run_check
from autograder.reference import lab4_feedback_alignment as ref

LAB = "lab4_feedback_alignment"
COURSE = course_mod.load()


def _grade(namespace: dict, grade_id: str) -> tuple[bool, str]:
    return run_check(LAB, grade_id, caller=in_process_caller({"np": np, **namespace}), secret=COURSE.secret,
                     n_examples=5, tolerances=COURSE.tolerances)


def test_is_the_reference_input_gradient_the_gradient_of_the_loss_with_respect_to_X():
    params, X, T, _ = ref.teacher_task(np.random.default_rng(3), n_cases=5, n_in=4, n_hidden=6, n_out=3,
                                       init_scale=1.0)
    f = lambda Z: ref.loss(ref.forward(params, Z)[0], T)  # noqa: E731
    numeric = np.zeros_like(X)
    for idx in np.ndindex(X.shape):
        step = np.zeros_like(X)
        step[idx] = 1e-6
        numeric[idx] = (f(X + step) - f(X - step)) / 2e-6
    assert np.allclose(ref.input_gradient(params, X, T), numeric, rtol=1e-5, atol=1e-8)


def test_does_fgsm_move_every_pixel_by_eps_and_raise_the_loss():
    params, X, T, _ = ref.teacher_task(np.random.default_rng(4), n_cases=8, n_in=5, init_scale=1.0)
    X_adv = ref.fgsm(params, X, T, 0.05)
    assert np.allclose(np.abs(X_adv - X), 0.05)
    assert ref.loss(ref.forward(params, X_adv)[0], T) > ref.loss(ref.forward(params, X)[0], T)


def test_is_the_reference_rdm_one_minus_the_correlation_of_rows_and_rsa_blind_to_the_diagonal():
    R = ref.rdm(np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [3.0, 2.0, 1.0]]))
    assert np.allclose(R, [[0, 0, 2], [0, 0, 2], [2, 2, 0]])
    a = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [2.0, 3.0, 0.0]])
    b = np.array([[0.0, 2.0, 1.0], [2.0, 0.0, 3.0], [1.0, 3.0, 0.0]])
    assert np.isclose(ref.rsa_similarity(a, b), 0.5)
    assert np.isclose(ref.rsa_similarity(a, b + 5 * np.eye(3)), 0.5)


# input_gradient without the tanh derivative between the layers
MISSING_TANH = ("lambda params, X, T: ((np.tanh(X @ params['W1'].T + params['b1']) @ params['W2'].T + params['b2'] - T)"
                " @ params['W2']) @ params['W1']")


def _namespace(input_gradient, fgsm):
    ns: dict = {"np": np}
    exec(f"input_gradient = {input_gradient}\nfgsm = {fgsm}", ns)  # noqa: S102 - the test's own code
    return ns


def test_does_fgsm_keep_its_points_when_it_is_right_given_a_wrong_input_gradient():
    ns = _namespace(MISSING_TANH, "lambda params, X, T, eps: X + eps * np.sign(input_gradient(params, X, T))")
    ok, message = _grade(ns, "input_gradient")
    assert not ok and "tanh derivative" in message
    assert _grade(ns, "fgsm") == (True, "")


def test_does_fgsm_keep_its_points_when_it_is_right_with_its_own_gradient_and_input_gradient_is_wrong():
    ns = _namespace(MISSING_TANH, "lambda params, X, T, eps: X + eps * np.sign(REF(params, X, T))")
    ns["REF"] = ref.input_gradient
    assert _grade(ns, "fgsm") == (True, "")


def test_does_fgsm_lose_its_points_when_it_is_wrong_given_either_gradient():
    ns = _namespace(MISSING_TANH, "lambda params, X, T, eps: X + eps * input_gradient(params, X, T)")
    ok, message = _grade(ns, "fgsm")
    assert not ok and "SIGN" in message
