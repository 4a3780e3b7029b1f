"""lab5_dendritic_quiz: its checks judge each named example submission as its header says
(in-process, no kernel), the quiz's answers never reach the release notebook, and the reference
means what the lab says."""
from __future__ import annotations

import re

import nbformat
import numpy as np
import pytest

from autograder import course as course_mod
from autograder.reference import lab5_dendritic_quiz as ref

LAB = "lab5_dendritic_quiz"


def _cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_are_there_at_least_ten_questions_with_choice_numeric_and_fill_in_among_them():
    assert len(ref.QUESTIONS) >= 10 and ref.CHOICE and ref.NUMERIC and ref.FILL_IN
    assert ref.QUESTIONS == [f"q{i}" for i in range(1, len(ref.QUESTIONS) + 1)]


def test_does_the_release_notebook_hold_no_quiz_answer():
    release = course_mod.load().lab(LAB).release_notebook()
    text = "\n".join(c.source for c in _cells(release))
    for q in ref.QUESTIONS:
        assert not re.search(rf"^\s*{q}\s*=", text, flags=re.M), f"{q} is assigned in the release notebook"
    assert "BEGIN HIDDEN TESTS" not in text and "self-predicting" not in text.lower()


def test_do_the_instructors_answers_in_the_source_notebook_equal_the_references():
    namespace = {"np": np}
    for cell in _cells(course_mod.load().lab(LAB).source_notebook()):
        if re.fullmatch(r"solution_q\d+", cell.metadata.get("nbgrader", {}).get("grade_id", "")):
            exec(cell.source, namespace)  # noqa: S102 - the course's own cells
    for q, want in ref.CHOICE.items():
        assert namespace[q] == want
    for q, want in ref.NUMERIC.items():
        assert np.isclose(namespace[q], want, rtol=1e-12)
    for q, accepted in ref.FILL_IN.items():
        assert namespace[q] in accepted


def test_are_the_numeric_answers_what_the_formulas_give_by_hand():
    assert ref.NUMERIC == pytest.approx({"q5": 2.5 / 1.9, "q7": 0.5, "q9": 0.2}, rel=1e-12)


def test_is_the_dendritic_prediction_the_somatic_potential_when_the_apical_potential_is_zero():
    v_b = np.array([-1.0, 0.5, 3.0])
    steady = (ref.G_B * v_b + ref.G_A * 0.0) / (ref.G_LK + ref.G_B + ref.G_A)
    assert np.allclose(ref.dendritic_prediction(v_b), steady)


def test_does_the_urbanczik_senn_update_vanish_when_the_soma_sits_at_its_prediction():
    v_b = np.array([0.3, -2.0])
    dw = ref.urbanczik_senn_update(0.7, ref.dendritic_prediction(v_b), v_b, np.array([1.0, 0.5, 0.2]), np.tanh)
    assert dw.shape == (2, 3) and np.all(dw == 0.0)


def test_does_perfect_cancellation_give_a_zero_apical_potential():
    W_down, r = np.arange(6.0).reshape(3, 2), np.array([0.2, 0.9])
    assert np.all(ref.apical_potential(W_down, r, -W_down, r) == 0.0)


def _equilibrium_network():
    """The notebook's given relax, equilibrium_gradient and ep_task, with the reference's contrastive_update."""
    nb = nbformat.read(course_mod.load().lab(LAB).source_notebook(), as_version=4)
    namespace = {"np": np, "phi": lambda u: 1.0 / (1.0 + np.exp(-u)), "contrastive_update": ref.contrastive_update}
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ep_network")
    exec(cell.source, namespace)  # noqa: S102 - the course's own locked cell
    return namespace


def test_is_the_notebooks_equilibrium_gradient_what_finite_differences_of_the_relaxed_loss_give():
    ns = _equilibrium_network()
    X, T, W1, W2 = ns["ep_task"](0, n_cases=5)
    H, Y = ns["relax"](W1, W2, X, tol=1e-13)
    g1, g2 = ns["equilibrium_gradient"](W1, W2, X, T, H, Y)

    def loss(a, b):
        return 0.5 * np.sum((ns["relax"](a, b, X, tol=1e-13)[1] - T) ** 2)

    rng = np.random.default_rng(0)
    v1, v2 = rng.standard_normal(W1.shape), rng.standard_normal(W2.shape)
    eps = 1e-5
    numeric = (loss(W1 + eps * v1, W2 + eps * v2) - loss(W1 - eps * v1, W2 - eps * v2)) / (2 * eps)
    assert numeric == pytest.approx(np.sum(g1 * v1) + np.sum(g2 * v2), rel=1e-5)


def test_does_equilibrium_propagation_approach_minus_the_gradient_as_beta_shrinks():
    ns = _equilibrium_network()
    X, T, W1, W2 = ns["ep_task"](1, n_cases=8)
    H, Y = ns["relax"](W1, W2, X)
    g = -np.concatenate([m.ravel() for m in ns["equilibrium_gradient"](W1, W2, X, T, H, Y)])

    def gap(beta):  # relative distance between EP's update (eta = 1) and minus the gradient
        d1, d2, _ = ns["ep_updates"](W1, W2, X, T, beta, 1.0)
        return np.linalg.norm(np.concatenate([d1.ravel(), d2.ravel()]) - g) / np.linalg.norm(g)

    gaps = [gap(beta) for beta in (1.0, 0.1, 0.01)]
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 0.01


def test_is_the_contrastive_update_the_difference_of_the_two_phases_local_correlations():
    pre_f, post_f = np.array([1.0, 0.0]), np.array([0.5, 0.25, 0.0])
    dw = ref.contrastive_update(pre_f, post_f, pre_f, post_f + np.array([0.1, 0.0, 0.0]), 0.5, 1.0)
    assert dw.shape == (3, 2) and np.allclose(dw, [[0.2, 0.0], [0.0, 0.0], [0.0, 0.0]])
