"""lab2_delta_rule: its checks judge each named example submission as its header says (in-process,
no kernel), and its reference means what the lab says (the cafeteria, the stable learning rate)."""
from __future__ import annotations


import nbformat
import numpy as np
import pytest

from autograder import course as course_mod
from autograder import gradcheck
from autograder.checks.lab2_delta_rule import _gradient_growth
from autograder.reference import lab2_delta_rule as ref

LAB = "lab2_delta_rule"
RNG = np.random.default_rng(0)


def test_does_one_step_at_the_cafeteria_give_70_100_80():
    assert np.array_equal(ref.FIRST_UPDATE, [70.0, 100.0, 80.0])


def test_does_the_notebook_serve_the_same_meals_as_the_reference():
    nb = nbformat.read(course_mod.load().lab(LAB).source_notebook(), as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "cafeteria_data")
    namespace = {"np": np, "print": lambda *a, **k: None}
    exec(cell.source, namespace)  # noqa: S102 - the course's own locked cell
    X, t = ref.cafeteria_meals()
    assert np.array_equal(namespace["X_cafe"], X) and np.array_equal(namespace["t_cafe"], t)


def test_are_the_learned_prices_within_1_of_the_true_ones_and_yet_not_equal_to_them():
    # within 1.0: the criterion; more than 0.2 away: typing in the true prices is caught
    off = np.abs(ref.least_squares_prices() - ref.TRUE_PRICES).max()
    assert 0.2 < off < 1.0


def test_does_the_batch_rule_converge_on_the_meals_to_the_least_squares_prices():
    X, t = ref.cafeteria_meals()
    history = ref.train_delta_rule(np.full(3, 50.0), X, t, 0.9 * ref.max_stable_lr(X), 500, "batch")
    assert np.allclose(history[-1], ref.least_squares_prices(), atol=1e-6)


def test_does_the_reference_gradient_agree_with_central_differences():
    w, X, t = RNG.normal(size=4), RNG.normal(size=(7, 4)), RNG.normal(size=7)
    fd = gradcheck.numerical_gradient(lambda v: ref.squared_error(v, X, t), w)
    assert np.allclose(ref.error_gradient(w, X, t), fd, rtol=1e-6, atol=1e-8)


def test_is_an_epoch_of_online_steps_from_the_same_weights_a_batch_step():
    w, X, t, lr = RNG.normal(size=3), RNG.normal(size=(5, 3)), RNG.normal(size=5), 0.05
    summed = w + sum(ref.delta_rule_online_step(w, x, y, lr) - w for x, y in zip(X, t))
    assert np.allclose(summed, ref.delta_rule_batch_step(w, X, t, lr))


@pytest.mark.parametrize("shape", [(30, 3), (2, 5), (6, 1)])
def test_does_the_batch_rule_converge_just_below_max_stable_lr_and_diverge_just_above(shape):
    X = RNG.normal(size=shape)
    rate = ref.max_stable_lr(X)
    assert _gradient_growth(X, 0.97 * rate, RNG) < 1.0
    assert _gradient_growth(X, 1.03 * rate, RNG) > 10.0


def test_is_max_stable_lr_two_over_the_largest_eigenvalue():
    assert ref.max_stable_lr(np.array([[1.0, 0.0], [0.0, 2.0]])) == 0.5
