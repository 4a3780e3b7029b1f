"""Hidden checks for lab5_dendritic_quiz: one per graded cell, named by its grade_id.

The quiz's answers live in autograder/reference/lab5_dendritic_quiz.py; messages say whether an
answer is right and what form it must take, never what the answer is."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from autograder.checks.core import (CheckFailed, KernelFunction, check, expect_answer, expect_choice, expect_close, expect_either,
                                    expect_float, expect_returned, expect_unchanged)
from autograder.reference import lab5_dendritic_quiz as ref
from autograder.strategies import float_arrays, floats, shapes

LAB = "lab5_dendritic_quiz"


# the quiz -------------------------------------------------------------------------------------

def _answer(ctx, q):
    return expect_answer(ctx.value(q), q)


def _choice_check(q, want):
    def judge(ctx):
        expect_choice(ctx.value(q), q, want)
    return judge


def _numeric_check(q, want):
    def judge(ctx):
        got = _answer(ctx, q)
        if isinstance(got, bool) or not isinstance(got, (float, int, np.floating)):
            raise CheckFailed(f"{q}: answer with a number (a float); got {type(got).__name__} {got!r:.60}")
        try:
            expect_float(got, want, q, rtol=1e-6, atol=1e-12)
        except CheckFailed:
            raise CheckFailed(f"{q}: not the right value (it is graded to a relative 1e-6: do not round)") from None
    return judge


def _normalise(text: str) -> str:
    return " ".join(text.strip().lower().split())


def _fill_in_check(q, accepted):
    def judge(ctx):
        got = _answer(ctx, q)
        if not isinstance(got, str) or not got.strip():
            raise CheckFailed(f"{q}: answer with a word or two, as a string; got {got!r:.60}")
        if _normalise(got) not in {_normalise(a) for a in accepted}:
            raise CheckFailed(f"{q}: not the expected answer (spelling counts; case and outer spaces do not)")
    return judge


for _q, _want in ref.CHOICE.items():
    check(LAB, _q)(_choice_check(_q, _want))
for _q, _want in ref.NUMERIC.items():
    check(LAB, _q)(_numeric_check(_q, _want))
for _q, _want in ref.FILL_IN.items():
    check(LAB, _q)(_fill_in_check(_q, _want))


def _close(got, want) -> bool:
    return isinstance(got, (np.ndarray, float)) and np.shape(got) == np.shape(want) and bool(
        np.allclose(got, want, rtol=1e-6, atol=1e-9))


# the three functions ----------------------------------------------------------------------------

conductances = st.tuples(floats(min_value=0.01, max_value=1.0), floats(min_value=0.1, max_value=3.0),
                         floats(min_value=0.0, max_value=3.0))


@check(LAB, "dendritic_prediction")
def dendritic_prediction(ctx):
    arrays = shapes(min_dims=0, max_dims=2, max_side=6).flatmap(float_arrays)
    cases = ctx.cases(st.tuples(arrays, conductances),
                      explicit=[(np.array([1.9, -3.8, 0.0]), None), (np.array(2.5), None), (np.array(-1.0), (0.2, 0.5, 0.3)),
                                (np.array([[1.0, 2.0]]), (0.1, 1.0, 0.0))])
    # scalars as Python floats, as a student would pass them
    cases = [(float(v) if v.ndim == 0 else v, g) for v, g in cases]
    calls = [(v,) if g is None else (v, *g) for v, g in cases]
    rtol, atol = ctx.tol()
    for args, ret in zip(calls, ctx.call("dendritic_prediction", calls)):
        g = "the default conductances" if len(args) == 1 else "g_lk={:.3g}, g_b={:.3g}, g_a={:.3g}".format(*args[1:])
        what = f"dendritic_prediction of v_basal of shape {np.shape(args[0])} with {g}"
        got = expect_returned(ret, what)
        if isinstance(got, np.ndarray) and got.size == 1 and np.ndim(args[0]) == 0:
            got = float(got.ravel()[0])  # a 0-d array for a float input is as good as a float
        g_lk, g_b, _ = args[1:] if len(args) > 1 else (ref.G_LK, ref.G_B, ref.G_A)
        no_apical = g_b / (g_lk + g_b) * np.asarray(args[0], dtype=float)
        hint = "the apical conductance g_a leaks current from the soma too" if _close(got, no_apical) else ""
        expect_close(got, ref.dendritic_prediction(*args), what, rtol=rtol, atol=atol, hint=hint)
        expect_unchanged(ret, args, what)


@st.composite
def _apical_cases(draw):
    n, m, p = (draw(st.integers(1, 6)) for _ in range(3))
    return (draw(float_arrays((n, m), min_value=-3, max_value=3)), draw(float_arrays((m,), min_value=0, max_value=1)),
            draw(float_arrays((n, p), min_value=-3, max_value=3)), draw(float_arrays((p,), min_value=0, max_value=1)))


@check(LAB, "apical_potential")
def apical_potential(ctx):
    explicit = [(np.array([[1.0, 2.0]]), np.array([0.5, 0.25]), np.array([[-1.0, -0.5]]), np.array([0.3, 0.4])),
                (np.eye(3), np.array([0.2, 0.4, 0.6]), -np.eye(3), np.array([0.2, 0.4, 0.6]))]
    cases = ctx.cases(_apical_cases(), explicit=explicit)
    rtol, atol = ctx.tol()
    for args, ret in zip(cases, ctx.call("apical_potential", cases)):
        what = (f"apical_potential with W_down {args[0].shape}, r_above {args[1].shape}, "
                f"W_inter {args[2].shape}, r_inter {args[3].shape}")
        got = expect_returned(ret, what)
        subtracted = args[0] @ args[1] - args[2] @ args[3]
        hint = "add the two inputs: the inhibition's sign is already in W_inter" if _close(got, subtracted) else ""
        expect_close(got, ref.apical_potential(*args), what, rtol=rtol, atol=atol, hint=hint)
        expect_unchanged(ret, args, what)


PHIS = [KernelFunction("lambda u: 1 / (1 + np.exp(-u))"), KernelFunction("lambda u: np.tanh(u)"),
        KernelFunction("lambda u: u"), KernelFunction("lambda u: np.log1p(np.exp(u))")]


@st.composite
def _update_cases(draw):
    n, m = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    eta = draw(floats(min_value=1e-3, max_value=1.0))
    u = draw(float_arrays((n,), min_value=-4, max_value=4))
    v = draw(float_arrays((n,), min_value=-4, max_value=4))
    r = draw(float_arrays((m,), min_value=0, max_value=1))
    phi = PHIS[draw(st.integers(0, len(PHIS) - 1))]
    g = draw(st.one_of(st.none(), conductances))
    return (eta, u, v, r, phi) if g is None else (eta, u, v, r, phi, *g)


@check(LAB, "urbanczik_senn_update")
def urbanczik_senn_update(ctx):
    explicit = [(0.5, np.array([2.0, 0.0]), np.array([1.9, 3.8]), np.array([0.4, 1.0, 0.1]), PHIS[2]),
                (0.1, np.array([1.0]), np.array([1.0]), np.array([0.5, 0.5]), PHIS[0], 0.1, 1.0, 0.0)]
    cases = ctx.cases(_update_cases(), explicit=explicit)
    rtol, atol = ctx.tol()
    own_cache: list = []

    def own(i):
        """eta * outer(phi(u) - phi(the student's own dendritic_prediction), r): error carried forward."""
        if not own_cache:
            preds = ctx.call("dendritic_prediction", [(c[2], *c[5:]) for c in cases], again=0)
            own_cache.append([None if r.status != "returned" or not isinstance(r.value, np.ndarray)
                              or r.value.shape != c[2].shape else
                              c[0] * np.outer(c[4].build()(c[1]) - c[4].build()(r.value.astype(float)), c[3])
                              for c, r in zip(cases, preds)])
        return own_cache[0][i]

    for i, (args, ret) in enumerate(zip(cases, ctx.call("urbanczik_senn_update", cases))):
        n, m = len(args[1]), len(args[3])
        what = (f"urbanczik_senn_update with {n} postsynaptic and {m} presynaptic neurons, phi = "
                f"{args[4].source.removeprefix('lambda u: ')}" + ("" if len(args) == 5 else ", conductances given"))
        want = ref.urbanczik_senn_update(*args[:4], args[4].build(), *args[5:])
        got = expect_returned(ret, what)
        if n != m and isinstance(got, np.ndarray) and got.shape == (m, n):
            raise CheckFailed(f"{what}: expected shape ({n}, {m}), got ({m}, {n}): one row per postsynaptic "
                              "neuron, like a weight matrix: outer(error, r_pre)")
        expect_either(lambda w: expect_close(got, w, what, rtol=rtol, atol=atol), want, lambda: own(i),
                      own_note="what your own dendritic_prediction gives")
        expect_unchanged(ret, args, what)


# questions added with the learning microcircuit (issue 13); their answers live here, not in
# reference/lab5_dendritic_quiz.py, which the quiz's first thirteen keep ---------------------------

Q14_SOMA = (ref.G_B * 1.9 + ref.G_A * 0.95) / (ref.G_LK + ref.G_B + ref.G_A)  # u with v_B = 1.9, v_A = 0.95
check(LAB, "q14")(_numeric_check("q14", Q14_SOMA))
check(LAB, "q15")(_choice_check("q15", "c"))  # the nudge reaches the apical dendrites through phi
