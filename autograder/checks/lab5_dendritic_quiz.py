"""Hidden checks for lab5_dendritic_quiz: one per graded cell, named by its grade_id.

The quiz's answers live in autograder/reference/lab5_dendritic_quiz.py; messages say whether an
answer is right and what form it must take, never what the answer is."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from autograder.checks.core import (CheckFailed, KernelFunction, check, expect_answer, expect_choice, expect_close, expect_either,
                                    expect_float, expect_returned, expect_unchanged, judge_parts)
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


# equilibrium propagation (shared/LABS.md, added 2026-12-07) -----------------------------------

@st.composite
def _contrastive_cases(draw):
    n_pre, n_post = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    rates = [draw(float_arrays((n,), min_value=0, max_value=1)) for n in (n_pre, n_post, n_pre, n_post)]
    beta = draw(st.sampled_from([1.0, 0.5, 0.2, 0.05, 0.01, 2.0]))
    eta = draw(floats(min_value=1e-3, max_value=1.0))
    return (*rates, beta, eta)


def _contrastive_hint(got, args) -> str:
    pre_f, post_f, pre_n, post_n, beta, eta = args
    nudged, free = np.outer(post_n, pre_n), np.outer(post_f, pre_f)
    guesses = {"a sign error? the nudged phase's correlation minus the free phase's": eta / beta * (free - nudged),
               "divide by beta: the nudge's strength must not set the step size": eta * (nudged - free),
               "multiply by eta, the learning rate": (nudged - free) / beta,
               "one row per postsynaptic unit, like a weight matrix: outer(post, pre)":
                   eta / beta * (np.outer(pre_n, post_n) - np.outer(pre_f, post_f)),
               "each phase's correlation is outer(post, pre) of that phase's own rates":
                   eta / beta * np.outer(post_n - post_f, pre_n - pre_f)}
    for hint, want in guesses.items():
        if isinstance(got, np.ndarray) and got.shape == want.shape and np.allclose(got, want, rtol=1e-6, atol=1e-9):
            return hint
    return ""


@check(LAB, "contrastive_update")
def contrastive_update(ctx):
    """Two parts: the direction (the right matrix up to a positive factor: the nudged phase's
    correlation minus the free phase's, one row per postsynaptic unit), and the exact value (the
    factor eta / beta)."""
    explicit = [(np.array([1.0, 0.5]), np.array([0.2, 0.4, 0.6]), np.array([1.0, 0.5]), np.array([0.3, 0.4, 0.5]),
                 0.5, 0.1),
                (np.array([0.9]), np.array([0.1, 0.8]), np.array([0.7]), np.array([0.1, 0.8]), 0.01, 1.0),
                (np.array([0.2, 0.3, 0.4]), np.array([0.5]), np.array([0.25, 0.3, 0.35]), np.array([0.55]), 1.0, 0.5)]
    cases = ctx.cases(_contrastive_cases(), explicit=explicit)
    rtol, atol = ctx.tol()
    got, whats = [], []
    for args, ret in zip(cases, ctx.call("contrastive_update", cases)):
        n_pre, n_post = len(args[0]), len(args[1])
        what = (f"contrastive_update with {n_pre} presynaptic and {n_post} postsynaptic units, "
                f"beta={args[4]:g}, eta={args[5]:.3g}")
        value = expect_returned(ret, what)
        if n_pre != n_post and isinstance(value, np.ndarray) and value.shape == (n_pre, n_post):
            raise CheckFailed(f"{what}: expected shape ({n_post}, {n_pre}), got ({n_pre}, {n_post}): one row per "
                              "postsynaptic unit, like a weight matrix: outer(post, pre)")
        expect_unchanged(ret, args, what)
        got.append(value)
        whats.append(what)
    wants = [ref.contrastive_update(*args) for args in cases]

    def direction():
        for value, want, what, args in zip(got, wants, whats, cases):
            if not np.sum(want * want) > 0:  # no direction to judge (nothing changed, or denormal-sized)
                continue
            array = np.asarray(value, dtype=float) if isinstance(value, np.ndarray) else None
            factor = float(np.sum(array * want) / np.sum(want * want)) if array is not None and \
                array.shape == want.shape and np.all(np.isfinite(array)) else 0.0
            if factor <= 0 or not np.allclose(array, factor * want, rtol=rtol, atol=atol * max(1.0, factor)):
                expect_close(value, want, what, rtol=rtol, atol=atol, hint=_contrastive_hint(value, args))

    def exact():
        for value, want, what, args in zip(got, wants, whats, cases):
            expect_close(value, want, what, rtol=rtol, atol=atol, hint=_contrastive_hint(value, args))

    judge_parts([("direction", 1.0, direction), ("scale", 1.0, exact)])
