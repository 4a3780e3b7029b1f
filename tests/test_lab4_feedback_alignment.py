"""lab4_feedback_alignment: its checks judge each named example submission as its header says
(in-process, no kernel), and its reference means what the lab says (backprop is the gradient, FA
with B = W2.T is backprop, FA learns the teacher task with the margins the hidden check relies on)."""
from __future__ import annotations


import nbformat
import numpy as np

from autograder import course as course_mod
from autograder import gradcheck
from autograder.checks import lab4_feedback_alignment as checks
from autograder.reference import lab4_feedback_alignment as ref

LAB = "lab4_feedback_alignment"
RNG = np.random.default_rng(0)


def test_does_the_notebook_give_the_reference_network():
    nb = nbformat.read(course_mod.load().lab(LAB).source_notebook(), as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup_network")
    namespace = {"np": np, "print": lambda *a, **k: None}
    exec(cell.source, namespace)  # noqa: S102 - the course's own locked cell
    params, X, T, _ = ref.teacher_task(np.random.default_rng(1), n_cases=7)
    Y, cache = namespace["forward"](params, X)
    want_Y, want_cache = ref.forward(params, X)
    assert np.array_equal(Y, want_Y) and set(cache) == set(want_cache) == {"X", "Z1", "H", "Y"}
    assert namespace["loss"](Y, T) == ref.loss(want_Y, T)


def test_does_the_reference_bp_backward_agree_with_central_differences():
    params, X, T, _ = ref.teacher_task(RNG, n_cases=6, n_in=4, n_hidden=5, n_out=3, init_scale=1.0)
    fd = gradcheck.numerical_gradient(lambda p: ref.loss(ref.forward(p, X)[0], T), params)
    grads = ref.bp_backward(params, ref.forward(params, X)[1], T)
    assert all(gradcheck.relative_error(grads[k], fd[k]) < 1e-6 for k in params)


def test_is_feedback_alignment_with_B_equal_to_W2_transpose_exactly_backprop():
    params, X, T, _ = ref.teacher_task(RNG, n_cases=6, n_in=4, n_hidden=5, n_out=3, init_scale=1.0)
    cache = ref.forward(params, X)[1]
    fa, bp = ref.fa_backward(params, cache, T, params["W2"].T), ref.bp_backward(params, cache, T)
    assert all(np.array_equal(fa[k], bp[k]) for k in params)


def test_does_a_random_B_change_only_the_hidden_layer_update():
    params, X, T, B = ref.teacher_task(RNG, n_cases=6, n_in=4, n_hidden=5, n_out=3, init_scale=1.0)
    cache = ref.forward(params, X)[1]
    fa, bp = ref.fa_backward(params, cache, T, B), ref.bp_backward(params, cache, T)
    assert np.array_equal(fa["W2"], bp["W2"]) and np.array_equal(fa["b2"], bp["b2"])
    assert not np.allclose(fa["W1"], bp["W1"])


def test_is_the_reference_angle_0_for_parallel_90_for_orthogonal_and_180_for_opposite_arrays():
    for u in checks.ROUNDING:  # the vectors whose unclipped cosine rounds past 1
        assert ref.angle_between(u, u) == 0.0 and ref.angle_between(u, -u) == 180.0
        assert not np.isnan(ref.angle_between(u, 3 * u))
    assert ref.angle_between(np.eye(2), np.array([[0.0, 1.0], [1.0, 0.0]])) == 90.0


def _teacher_run(seed, rule):
    params, X, T, B = ref.teacher_task(np.random.default_rng(seed), **checks.TEACHER)
    learned, _ = ref.train(params, X, T, checks.TEACHER_LR, checks.TEACHER_EPOCHS, rule, B)
    Y, cache = ref.forward(learned, X)
    reduction = 1 - ref.loss(Y, T) / ref.loss(ref.forward(params, X)[0], T)
    angle = ref.angle_between(ref.fa_backward(learned, cache, T, B)["W1"], ref.bp_backward(learned, cache, T)["W1"])
    return reduction, angle


def test_does_fa_clear_the_teacher_check_with_margin_on_20_seeds():
    # measured over 1000 seeds: reduction at least 0.9967, angle at most 41.1 degrees
    runs = np.array([_teacher_run(seed, "fa") for seed in range(20)])
    assert runs[:, 0].min() > 0.99 and runs[:, 1].max() < 50 < checks.MAX_ANGLE


def test_does_a_network_trained_by_backprop_fail_the_teacher_angle_with_margin():
    # a student whose "FA" learns by backprop: measured over 300 seeds, at least 79.9 degrees
    angles = [_teacher_run(seed, "bp")[1] for seed in range(10)]
    assert min(angles) > 75 > checks.MAX_ANGLE


def test_do_the_fa_update_angles_start_near_90_degrees_and_fall_on_the_notebooks_teacher_task():
    params, X, T, B = ref.teacher_task(np.random.default_rng(0), n_cases=200)
    _, history = ref.train(params, X, T, 5e-4, 100, "fa", B)
    assert 75 < history["angle"][0] < 105 and max(history["angle"][50:]) < 70


def _deep_case(seed):
    rng = np.random.default_rng(seed)
    params = ref.init_deep(4, 5, 3, 2, rng)
    X, T = rng.normal(size=(7, 4)), rng.normal(size=(7, 2))
    B = {"B1": rng.normal(size=(5, 2)), "B2": rng.normal(size=(3, 2))}
    return params, X, T, B


def test_is_the_reference_deep_backprop_the_gradient_of_the_deep_loss():
    params, X, T, _ = _deep_case(1)
    fd = gradcheck.numerical_gradient(lambda p: ref.loss(ref.forward_deep(p, X)[0], T), params)
    grads = ref.bp_backward_deep(params, ref.forward_deep(params, X)[1], T)
    assert all(gradcheck.relative_error(grads[k], fd[k]) < 1e-6 for k in params)


def test_does_dfa_agree_with_backprop_where_it_must_and_only_there():
    params, X, T, B = _deep_case(2)
    cache = ref.forward_deep(params, X)[1]
    bp = ref.bp_backward_deep(params, cache, T)
    dfa = ref.dfa_backward(params, cache, T, B)
    assert np.array_equal(dfa["W3"], bp["W3"]) and np.array_equal(dfa["b3"], bp["b3"])
    top = ref.dfa_backward(params, cache, T, {"B1": B["B1"], "B2": params["W3"].T})  # B2 = W3.T: layer 2 is BP's
    assert np.allclose(top["W2"], bp["W2"]) and np.allclose(top["b2"], bp["b2"])
    assert not np.allclose(dfa["W1"], bp["W1"]) and not np.allclose(dfa["W2"], bp["W2"])


def test_does_the_notebooks_deep_network_match_the_reference():
    nb = nbformat.read(course_mod.load().lab(LAB).source_notebook(), as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup_deep")
    namespace = {"np": np}
    exec(cell.source, namespace)  # noqa: S102 - the course's own locked cell
    params, X, T, B = _deep_case(3)
    Y, cache = namespace["forward_deep"](params, X)
    want_Y, want_cache = ref.forward_deep(params, X)
    assert np.array_equal(Y, want_Y) and set(cache) == set(want_cache) == {"X", "Z1", "H1", "Z2", "H2", "Y"}
    bp = namespace["bp_backward_deep"](params, cache, T)
    assert all(np.allclose(bp[k], v) for k, v in ref.bp_backward_deep(params, cache, T).items())
