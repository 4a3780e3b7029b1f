"""Hidden checks for lab1_gradients: one per graded cell, named by its grade_id.

Every derivative is compared first with central differences of the reference function (the
meaning of a derivative), then with the reference formula (to the course's tolerance).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from autograder.checks.core import (CheckFailed, KernelFunction, check, expect_array, expect_choice, expect_close, expect_float,
                                    expect_returned, expect_unchanged, judge_parts)
from autograder.reference import lab1_gradients as ref
from autograder.strategies import float_arrays, shapes

LAB = "lab1_gradients"

# Central differences of an elementwise function, step relative to |z|: agreement to FD_RTOL is
# what a right formula reaches and a wrong one does not.
FD_RTOL, FD_ATOL = 1e-5, 1e-7


def _fd(fun, z):
    z = np.asarray(z, dtype=float)
    h = 1e-6 * np.maximum(1.0, np.abs(z))
    return (fun(z + h) - fun(z - h)) / (2 * h)


def _same_shape_arrays(n: int, *, low: float, high: float, max_side: int = 5):
    """n float arrays of one drawn shape, entries in [low, high]."""
    return shapes(min_dims=1, max_dims=2, max_side=max_side).flatmap(
        lambda s: st.tuples(*(float_arrays(s, min_value=low, max_value=high) for _ in range(n))))


def _judge_derivative(got, fd_want, want, what, ctx, *, hint=""):
    """got against central differences (fd_want), then against the reference formula (want)."""
    rtol, atol = ctx.tol()
    want = np.asarray(want, dtype=float)
    got = expect_array(got, what, shape=want.shape)
    expect_close(got, fd_want, f"{what} (against the slope measured by central differences)",
                 rtol=FD_RTOL, atol=FD_ATOL, hint=hint)
    expect_close(got, want, what, rtol=rtol, atol=atol, hint=hint)


# partial derivatives of f(x, y) = y**4 + 5*x*y ------------------------------------------------------

def _partial_cases(ctx):
    scalars = [(2.0, 1.0), (-1.5, 0.0), (0.0, -3.0)]
    return ctx.cases(_same_shape_arrays(2, low=-10, high=10), explicit=scalars)


def _check_partial(ctx, name, want_fn, fd_fn):
    cases = _partial_cases(ctx)
    for (x, y), ret in zip(cases, ctx.call(name, cases)):
        what = f"{name}(x={x!r:.60}, y={y!r:.60})" if np.ndim(x) == 0 else f"{name} on arrays of shape {np.shape(x)}"
        got = expect_returned(ret, what)
        _judge_derivative(got, fd_fn(x, y), want_fn(x, y), what, ctx)
        expect_unchanged(ret, (x, y), what)


@check(LAB, "df_dx")
def df_dx(ctx):
    _check_partial(ctx, "df_dx", ref.df_dx, lambda x, y: _fd(lambda v: ref.f(v, y), x))


@check(LAB, "df_dy")
def df_dy(ctx):
    _check_partial(ctx, "df_dy", ref.df_dy, lambda x, y: _fd(lambda v: ref.f(x, v), y))


# activation functions --------------------------------------------------------------------------------

EXTREME = np.array([-1000.0, -745.0, -710.0, -30.0, -1.0, 0.0, 1.0, 30.0, 710.0, 745.0, 1000.0])


def _activation_cases(ctx):
    """Arrays with moderate entries and arrays up to |z| = 1e3 (where a naive exp overflows)."""
    arrays = st.one_of(_same_shape_arrays(1, low=-20, high=20), _same_shape_arrays(1, low=-1e3, high=1e3))
    return ctx.cases(arrays.map(lambda t: t[0]), explicit=[EXTREME, EXTREME.reshape(1, -1).T,
                                                            np.array([[0.5, -2.0], [3.0, 0.0]])])


def _check_values(ctx, name, want_fn, *, hint=""):
    cases = _activation_cases(ctx)
    rtol, atol = ctx.tol()
    for z, ret in zip(cases, ctx.call(name, [(z,) for z in cases])):
        what = f"{name} on an array of shape {z.shape} (entries from {z.min():.4g} to {z.max():.4g})"
        expect_close(expect_returned(ret, what), want_fn(z), what, rtol=rtol, atol=atol, hint=hint)
        expect_unchanged(ret, (z,), what)
    return cases


@check(LAB, "sigmoid")
def sigmoid(ctx):
    _check_values(ctx, "sigmoid", ref.sigmoid,
                  hint="for large |z| compute exp of -|z| only (np.exp(1000) overflows)")


@check(LAB, "sigmoid_prime")
def sigmoid_prime(ctx):
    cases = _activation_cases(ctx)
    for z, ret in zip(cases, ctx.call("sigmoid_prime", [(z,) for z in cases])):
        what = f"sigmoid_prime on an array of shape {z.shape} (entries from {z.min():.4g} to {z.max():.4g})"
        _judge_derivative(expect_returned(ret, what), _fd(ref.sigmoid, z), ref.sigmoid_prime(z), what, ctx,
                          hint="sigmoid'(z) = sigmoid(z) * (1 - sigmoid(z))")
        expect_unchanged(ret, (z,), what)


@check(LAB, "relu")
def relu(ctx):
    _check_values(ctx, "relu", ref.relu)


@check(LAB, "relu_prime")
def relu_prime(ctx):
    cases = _activation_cases(ctx)
    rtol, atol = ctx.tol()
    for z, ret in zip(cases, ctx.call("relu_prime", [(z,) for z in cases])):
        what = f"relu_prime on an array of shape {z.shape} (entries from {z.min():.4g} to {z.max():.4g})"
        got = expect_array(expect_returned(ret, what), what, shape=z.shape)
        away = np.abs(z) > 1e-3  # at 0 the slope is undefined; the course's convention decides
        expect_close(got[away], _fd(ref.relu, z[away]), f"{what} (against the slope measured by "
                     "central differences)", rtol=FD_RTOL, atol=FD_ATOL)
        expect_close(got, ref.relu_prime(z), what, rtol=rtol, atol=atol,
                     hint="relu_prime(0) is 0 in this course" if np.any(z[got != ref.relu_prime(z)] == 0) else "")
        expect_unchanged(ret, (z,), what)


# one sigmoid neuron: J = (sigmoid(w*a_prev + b) - y)**2 ----------------------------------------------

@st.composite
def _neuron_case(draw):
    shape = draw(shapes(min_dims=1, max_dims=2, max_side=5))
    w, b, a_prev = (draw(float_arrays(shape, min_value=-4, max_value=4)) for _ in range(3))
    return w, b, a_prev, draw(float_arrays(shape, min_value=0, max_value=1))


def _neuron_edge_cases():
    rng = np.random.default_rng(1)
    saturated = (np.array([20.0, -20.0, 8.0]), np.array([5.0, -5.0, 30.0]), np.array([3.0, 2.0, 1.0]),
                 np.array([0.0, 1.0, 0.5]))
    broadcast = (rng.normal(size=3), 0.3, rng.normal(size=(4, 1)), rng.uniform(size=(4, 1)))
    return [(0.5, 0.1, 2.0, 1.0), saturated, broadcast]


def _own_neuron_grads(ctx, cases) -> list:
    """The three gradients built from the student's own sigmoid and sigmoid_prime (error carried
    forward), per case: a list of candidate tuples (with sigmoid_prime, and with a * (1 - a) from
    the student's sigmoid), computed here from the plain data their calls return, in a clean kernel."""
    zs = [np.asarray(w, dtype=float) * np.asarray(a_prev, dtype=float) + np.asarray(b, dtype=float)
          for w, b, a_prev, _ in cases]
    sig, sig_prime = ctx.call_many([("sigmoid", [(z,) for z in zs]), ("sigmoid_prime", [(z,) for z in zs])],
                                   again=0, fresh=True)
    out = []
    for (w, b, a_prev, y), z, ra, rp in zip(cases, zs, sig, sig_prime):
        candidates = []
        a = _as_float_array(ra, np.shape(z))
        if a is not None:
            slopes = [s for s in (_as_float_array(rp, np.shape(z)), a * (1 - a)) if s is not None]
            for slope in slopes:
                common = 2 * (a - np.asarray(y, dtype=float)) * slope
                candidates.append((common * np.asarray(a_prev, dtype=float), common,
                                   common * np.asarray(w, dtype=float)))
        out.append(candidates)
    return out


def _as_float_array(ret, shape):
    if ret.status != "returned":
        return None
    v = ret.value
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        v = np.asarray(float(v))
    if not isinstance(v, np.ndarray) or v.dtype.kind not in "fiu" or v.shape != tuple(shape):
        return None
    return v.astype(float)


@check(LAB, "neuron_grads")
def neuron_grads(ctx):
    """One part per gradient (dJ_dw, dJ_db, dJ_da_prev): against central differences and the
    reference, or else against the same chain rule on the student's own sigmoid and sigmoid_prime
    (error carried forward)."""
    cases = ctx.cases(_neuron_case(), explicit=_neuron_edge_cases())
    got = []
    for args, ret in zip(cases, ctx.call("neuron_grads", cases)):
        w, b, a_prev, y = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in args))
        what = f"neuron_grads on arrays of shape {w.shape}" if w.ndim else f"neuron_grads{tuple(args)}"
        value = expect_returned(ret, what)
        if not (isinstance(value, (tuple, list)) and len(value) == 3):
            raise CheckFailed(f"{what}: expected the tuple (dJ_dw, dJ_db, dJ_da_prev), got {value!r:.80}")
        expect_unchanged(ret, args, what)
        fds = (_fd(lambda v: ref.neuron_loss(v, b, a_prev, y), w), _fd(lambda v: ref.neuron_loss(w, v, a_prev, y), b),
               _fd(lambda v: ref.neuron_loss(w, b, v, y), a_prev))
        got.append((what, value, fds, ref.neuron_grads(w, b, a_prev, y), w.shape))
    own_cache: list = []

    def own(i):
        if not own_cache:
            own_cache.append(_own_neuron_grads(ctx, cases))
        return own_cache[0][i]

    def part(j, name):
        def judge():
            rtol, atol = ctx.tol()
            for i, (what, value, fds, wants, shape) in enumerate(got):
                try:
                    _judge_derivative(value[j], fds[j], wants[j], f"{what}: {name}", ctx,
                                      hint="chain rule: dJ/da * da/dz * dz/d(parameter)")
                except CheckFailed as first:
                    mine = value[j] if isinstance(value[j], np.ndarray) else np.asarray(value[j])
                    if not any(mine.shape == shape and mine.dtype.kind in "fiu" and np.allclose(
                            mine.astype(float), np.broadcast_to(c[j], shape), rtol=rtol, atol=atol)
                               for c in own(i)):
                        raise CheckFailed(f"{first} (nor the chain rule on your own sigmoid and sigmoid_prime)") \
                            from None
        return judge

    judge_parts([(name, 1.0, part(j, name)) for j, name in enumerate(("dJ_dw", "dJ_db", "dJ_da_prev"))])


# numerical_gradient -----------------------------------------------------------------------------------
# Functions the students never saw, each with its exact gradient. For quadratics central
# differences are exact at any eps (a forward difference is off by eps * curvature); for the
# others the reference central difference with the same eps is the answer.

def _functions(shape, rng):
    A, B, C = (rng.uniform(0.5, 3.0, shape) for _ in range(3))
    return [
        (KernelFunction("lambda x: np.sum(A * x**2) + np.sum(B * x)", {"A": A, "B": B}), lambda x: 2 * A * x + B),
        (KernelFunction("lambda x: np.sum(C * x**3)", {"C": C}), lambda x: 3 * C * x**2),
        (KernelFunction("lambda x: np.log(1.0 + np.sum(x**2))"), lambda x: 2 * x / (1.0 + np.sum(x**2))),
        (KernelFunction("lambda x: np.sum(np.sin(A * x)) * np.sum(x)", {"A": A}),
         lambda x: A * np.cos(A * x) * np.sum(x) + np.sum(np.sin(A * x))),
    ]


@st.composite
def _gradient_case(draw):
    x = draw(float_arrays(shapes(min_dims=1, max_dims=3, max_side=4), min_value=-3, max_value=3))
    return x, draw(st.integers(0, 3)), draw(st.sampled_from([None, 1e-2, 1e-3, 1e-4]))


def _gradient_calls(ctx, cases):
    rng = ctx.rng()
    calls, exact = [], []
    for x, which, eps in cases:
        fun, grad = _functions(x.shape, rng)[which]
        calls.append((fun, x) if eps is None else (fun, x, eps))
        exact.append(grad)
    return calls, exact


@check(LAB, "numerical_gradient")
def numerical_gradient(ctx):
    explicit = [(np.array([0.5, -1.0, 2.0]), 0, 1e-2), (np.arange(6.0).reshape(2, 3) / 4, 3, None),
                (np.array([[[1.0, -2.0]], [[0.5, 0.0]]]), 1, 1e-2), (np.array([1.5]), 2, None)]
    calls, exact = _gradient_calls(ctx, ctx.cases(_gradient_case(), explicit=explicit))
    rtol, atol = ctx.tol()
    for args, grad, ret in zip(calls, exact, ctx.call("numerical_gradient", calls)):
        fun, x = args[0].build(), args[1]
        eps = args[2] if len(args) == 3 else None
        what = (f"numerical_gradient(fun, x) with x of shape {x.shape}" if eps is None else
                f"numerical_gradient(fun, x, eps={eps:g}) with x of shape {x.shape}")
        got = expect_array(expect_returned(ret, what), what, shape=x.shape)
        if eps is None:  # the default eps: close to the exact gradient
            expect_close(got, grad(x), f"{what} (the exact gradient)", rtol=1e-5, atol=1e-5,
                         hint="central differences with the default eps=1e-6?")
            continue
        want = ref.numerical_gradient(fun, x, eps)
        if not np.allclose(got.astype(float), want, rtol=rtol, atol=1e-7):
            forward = np.array([(fun(x + eps * e) - fun(x)) / eps for e in np.eye(x.size).reshape((x.size,) + x.shape)])
            hint = ""
            if np.allclose(got, forward.reshape(x.shape), rtol=1e-6, atol=1e-7):
                hint = "a forward difference? use (fun(x + eps e_i) - fun(x - eps e_i)) / (2 eps)"
            elif np.allclose(got, ref.numerical_gradient(fun, x, 1e-6), rtol=1e-6, atol=1e-6):
                hint = "use the eps passed in, not a fixed step"
            expect_close(got, want, what, rtol=rtol, atol=1e-7, hint=hint)


@check(LAB, "numerical_gradient_unchanged")
def numerical_gradient_unchanged(ctx):
    cases = ctx.cases(_gradient_case(), explicit=[(np.array([0.3, -1.2, 2.5]), 3, None)], n=5)
    calls, _ = _gradient_calls(ctx, cases)
    for args, ret in zip(calls, ctx.call("numerical_gradient", calls)):
        what = f"numerical_gradient with x of shape {args[1].shape}"
        expect_returned(ret, what)
        expect_unchanged(ret, args, what)


# relative_error -----------------------------------------------------------------------------------------

RELATIVE_EDGE_CASES = [
    (np.zeros(3), np.zeros(3)),                          # both zero: 0, not nan
    (np.array([1.5, -2.0, 4.0]), np.array([1.5, -2.0, 4.0])),
    (np.array([1.0, 2.0]), np.zeros(2)),                 # one of them zero: 1
    (np.array([1.0, -1.0]), np.array([-1.0, 1.0])),      # opposite signs: 1
    (np.array([1e-10]), np.array([0.0])),                # below the floor: 1e-10 / 1e-8
    (np.array([[3.0, 1e-9], [2.0, 2.0]]), np.array([[3.0, 0.0], [2.0, 2.0 + 1e-12]])),
]


@check(LAB, "relative_error")
def relative_error(ctx):
    cases = ctx.cases(_same_shape_arrays(2, low=-5, high=5), explicit=RELATIVE_EDGE_CASES)
    for (a, b), ret in zip(cases, ctx.call("relative_error", cases)):
        what = f"relative_error(a, b) with a = {a!r:.70}, b = {b!r:.70}"
        expect_float(expect_returned(ret, what), ref.relative_error(a, b), what, rtol=1e-9, atol=1e-15,
                     hint="max over entries of |a - b| / max(1e-8, |a| + |b|)")
        expect_unchanged(ret, (a, b), what)


# the question -----------------------------------------------------------------------------------------------

@check(LAB, "q_perceptron")
def q_perceptron(ctx):
    expect_choice(ctx.value("q_perceptron"), "q_perceptron", ref.Q_PERCEPTRON,
                  hint="think about what gradient descent needs from every step between the weights and the loss")
