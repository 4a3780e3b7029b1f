"""lab1_gradients: its checks judge each named example submission as its header says (in-process,
no kernel), and its reference derivatives mean what they say."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from autograder.checks.lab1_gradients import _fd, _functions
from autograder.reference import lab1_gradients as ref

LAB = "lab1_gradients"
RNG = np.random.default_rng(0)


def test_do_the_reference_partial_derivatives_agree_with_central_differences():
    x, y = RNG.uniform(-5, 5, 50), RNG.uniform(-5, 5, 50)
    assert np.allclose(ref.df_dx(x, y), _fd(lambda v: ref.f(v, y), x), rtol=1e-7, atol=1e-7)
    assert np.allclose(ref.df_dy(x, y), _fd(lambda v: ref.f(x, v), y), rtol=1e-7, atol=1e-7)
    assert ref.df_dx(1.0, 2.0) == 10.0 and ref.df_dy(1.0, 2.0) == 37.0


def test_do_the_reference_activation_slopes_agree_with_central_differences():
    z = np.concatenate([RNG.uniform(-20, 20, 100), [-1000.0, -30.0, 30.0, 1000.0]])
    assert np.allclose(ref.sigmoid_prime(z), _fd(ref.sigmoid, z), rtol=1e-7, atol=1e-10)
    away = z[np.abs(z) > 1e-3]
    assert np.allclose(ref.relu_prime(away), _fd(ref.relu, away), rtol=1e-9, atol=1e-9)
    assert ref.relu_prime(np.array([0.0]))[0] == 0.0


def test_are_the_reference_sigmoid_and_its_slope_free_of_overflow_at_1000():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s, ds = ref.sigmoid(np.array([-1000.0, 1000.0])), ref.sigmoid_prime(np.array([-1000.0, 1000.0]))
    assert np.array_equal(s, [0.0, 1.0]) and np.array_equal(ds, [0.0, 0.0])


def test_do_the_reference_neuron_grads_agree_with_central_differences():
    w, b, a_prev = (RNG.uniform(-4, 4, 40) for _ in range(3))
    y = RNG.uniform(0, 1, 40)
    dw, db, da = ref.neuron_grads(w, b, a_prev, y)
    assert np.allclose(dw, _fd(lambda v: ref.neuron_loss(v, b, a_prev, y), w), rtol=1e-6, atol=1e-9)
    assert np.allclose(db, _fd(lambda v: ref.neuron_loss(w, v, a_prev, y), b), rtol=1e-6, atol=1e-9)
    assert np.allclose(da, _fd(lambda v: ref.neuron_loss(w, b, v, y), a_prev), rtol=1e-6, atol=1e-9)
    assert np.allclose(ref.neuron_grads(0.0, 0.0, 1.0, 1.0), (-0.25, -0.25, 0.0))


@pytest.mark.parametrize("which", range(4))
def test_do_the_checks_exact_gradients_agree_with_the_reference_numerical_gradient(which):
    x = RNG.uniform(-3, 3, (2, 3, 2))
    fun, grad = _functions(x.shape, RNG)[which]
    assert np.allclose(ref.numerical_gradient(fun.build(), x), grad(x), rtol=1e-6, atol=1e-7)


def test_is_the_central_difference_of_a_quadratic_exact_at_a_large_eps():
    x = RNG.uniform(-3, 3, 5)
    fun, grad = _functions(x.shape, RNG)[0]
    assert np.allclose(ref.numerical_gradient(fun.build(), x, 0.1), grad(x), rtol=1e-10, atol=1e-10)


def test_does_the_reference_relative_error_give_the_edge_cases_their_values():
    assert ref.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert ref.relative_error(np.array([1.0, 2.0]), np.zeros(2)) == 1.0
    assert ref.relative_error(np.array([1.0, -1.0]), np.array([-1.0, 1.0])) == 1.0
    assert np.isclose(ref.relative_error(np.array([1e-10]), np.array([0.0])), 0.01)
    assert ref.relative_error(np.array([1.0, 5.0]), np.array([3.0, 5.0])) == 0.5
