"""Hidden checks for lab2_delta_rule: one per graded cell, named by its grade_id."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from autograder import gradcheck
from autograder.checks.core import (CheckFailed, check, expect_array, expect_close, expect_either, expect_float,
                                    expect_returned, expect_unchanged)
from autograder.checks.replay import Chains
from autograder.reference import lab2_delta_rule as ref
from autograder.strategies import float_arrays

LAB = "lab2_delta_rule"


@st.composite
def linear_cases(draw, *, max_cases: int = 8, max_inputs: int = 5):
    """(w, X, t) for a linear neuron: 1..max_cases cases, 1..max_inputs inputs. X is never all
    zeros (its largest eigenvalue is at least 0.01), so that max_stable_lr is finite."""
    n, d = draw(st.integers(1, max_cases)), draw(st.integers(1, max_inputs))
    X = draw(float_arrays((n, d), min_value=-3, max_value=3))
    if np.linalg.eigvalsh(X.T @ X)[-1] < 1e-2:
        X = X.copy()
        X.flat[draw(st.integers(0, X.size - 1))] += 1.0
    return draw(float_arrays((d,), min_value=-5, max_value=5)), X, draw(float_arrays((n,), min_value=-10, max_value=10))


def _edge_cases():
    rng = np.random.default_rng(2)
    X_meals, t_meals = ref.cafeteria_meals()
    one_case = (rng.normal(size=3), rng.normal(size=(1, 3)), rng.normal(size=1))
    one_input = (rng.normal(size=1), rng.normal(size=(6, 1)), rng.normal(size=6))
    correlated = rng.integers(1, 6, size=(8, 3)).astype(float)
    correlated[:, 2] = correlated[:, 1]
    return [(np.full(3, 50.0), X_meals[:6], t_meals[:6]), one_case, one_input,
            (np.zeros(3), correlated, correlated @ ref.TRUE_PRICES)]


def _cases(ctx, **kw):
    return ctx.cases(linear_cases(**kw), explicit=_edge_cases())


def _shape(X):
    return f"{X.shape[0]} cases of {X.shape[1]} inputs"


@check(LAB, "predict")
def predict(ctx):
    cases = [(w, X) for w, X, _ in _cases(ctx)]
    rtol, atol = ctx.tol()
    for (w, X), ret in zip(cases, ctx.call("predict", cases)):
        what = f"predict on {_shape(X)}"
        expect_close(expect_returned(ret, what), ref.predict(w, X), what, rtol=rtol, atol=atol,
                     hint="one output per case: X @ w")
        expect_unchanged(ret, (w, X), what)


@check(LAB, "squared_error")
def squared_error(ctx):
    cases = _cases(ctx)
    rtol, atol = ctx.tol()
    for (w, X, t), ret in zip(cases, ctx.call("squared_error", cases)):
        what = f"squared_error on {_shape(X)}"
        got = expect_returned(ret, what)
        want = ref.squared_error(w, X, t)
        n = X.shape[0]
        hint = "0.5 times the sum over cases, not the mean" if n > 1 and isinstance(got, float) and any(
            np.isclose(got, mean, rtol=rtol) for mean in (want / n, 2 * want / n)) else ""
        expect_float(got, want, what, rtol=rtol, atol=atol, hint=hint)
        expect_unchanged(ret, (w, X, t), what)


def _per_case_hint(got, want, n):
    if n > 1 and isinstance(got, np.ndarray) and got.shape == want.shape and np.allclose(got * n, want, rtol=1e-6):
        return "the error is summed over cases, so is its gradient: not the mean"
    return ""


@check(LAB, "error_gradient")
def error_gradient(ctx):
    cases = _cases(ctx)
    rtol, atol = ctx.tol()
    for (w, X, t), ret in zip(cases, ctx.call("error_gradient", cases)):
        what = f"error_gradient on {_shape(X)}"
        got = expect_array(expect_returned(ret, what), what, shape=w.shape)
        want = ref.error_gradient(w, X, t)
        fd = gradcheck.numerical_gradient(lambda v: ref.squared_error(v, X, t), w)
        hint = _per_case_hint(got, want, X.shape[0])
        expect_close(got, fd, f"{what} (against central differences of squared_error)", rtol=1e-5, atol=1e-4,
                     hint=hint)
        expect_close(got, want, what, rtol=rtol, atol=atol, hint=hint)
        expect_unchanged(ret, (w, X, t), what)


@check(LAB, "delta_rule_online_step")
def delta_rule_online_step(ctx):
    rng = ctx.rng()
    cases = [(w, X[i], float(t[i]), float(rng.uniform(0.001, 0.5)))
             for w, X, t in _cases(ctx) for i in [int(rng.integers(X.shape[0]))]]
    cases.append((np.full(3, 50.0), np.array([2.0, 5.0, 3.0]), 850.0, 1 / 35))
    rtol, atol = ctx.tol()
    for args, ret in zip(cases, ctx.call("delta_rule_online_step", cases)):
        what = f"delta_rule_online_step with {args[0].size} inputs, lr={args[3]:.3g}"
        expect_close(expect_returned(ret, what), ref.delta_rule_online_step(*args), what, rtol=rtol, atol=atol,
                     hint="w + lr * (t - x @ w) * x")
        expect_unchanged(ret, args, what)


@check(LAB, "delta_rule_batch_step")
def delta_rule_batch_step(ctx):
    rng = ctx.rng()
    cases = [(w, X, t, float(rng.uniform(0.05, 0.95)) * ref.max_stable_lr(X)) for w, X, t in _cases(ctx)]
    rtol, atol = ctx.tol()
    for args, ret in zip(cases, ctx.call("delta_rule_batch_step", cases)):
        what = f"delta_rule_batch_step on {_shape(args[1])}, lr={args[3]:.3g}"
        got = expect_returned(ret, what)
        w, X, t, lr = args
        hint = "w - lr * error_gradient(w, X, t): downhill" if isinstance(got, np.ndarray) and got.shape == w.shape \
            and np.allclose(got, w + lr * ref.error_gradient(w, X, t), rtol=rtol, atol=atol) else ""
        expect_close(got, ref.delta_rule_batch_step(*args), what, rtol=rtol, atol=atol, hint=hint)
        expect_unchanged(ret, args, what)


def _as_weights(ret, d):
    v = ret.value if ret.status == "returned" else None
    return v.astype(float) if isinstance(v, np.ndarray) and v.shape == (d,) and v.dtype.kind in "fiu" else None


def own_histories(ctx, calls: list[tuple]) -> list:
    """The weight histories the student's own delta_rule_batch_step / delta_rule_online_step give
    for each train_delta_rule call (error carried forward, checks/replay.py), one step at a time
    for all calls; None where a step gave nothing usable or never moved the weights (a step that
    returns its input carries no error forward: nothing was learned)."""
    chains = Chains(ctx, calls, epochs_at=4)
    hist = [[np.asarray(c[0], dtype=float)] for c in calls]

    def stepped(i, ret):
        w = _as_weights(ret, calls[i][0].size)
        if w is None:
            chains.stop(i)
        return w

    for _, idx in chains.epochs():
        if calls[idx[0]][5] == "batch":
            rets = chains.call("delta_rule_batch_step", [(hist[i][-1], *calls[i][1:4]) for i in idx])
            for i, ret in zip(idx, rets):
                hist[i].append(stepped(i, ret))
            continue
        w_now = {i: hist[i][-1] for i in idx}
        for n in range(max(calls[i][1].shape[0] for i in idx)):
            step = [i for i in idx if chains.alive[i] and n < calls[i][1].shape[0]]
            if not step:
                break
            rets = chains.call("delta_rule_online_step", [(w_now[i], calls[i][1][n], float(calls[i][2][n]), calls[i][3])
                                                         for i in step])
            for i, ret in zip(step, rets):
                w_now[i] = stepped(i, ret)
        for i in idx:
            hist[i].append(w_now[i])
    return [np.array(h) if chains.alive[i] and any(not np.array_equal(w, h[0]) for w in h[1:]) else None
            for i, h in enumerate(hist)]


def _check_train(ctx, mode):
    other = "online" if mode == "batch" else "batch"
    rng = ctx.rng()
    cases = [(w, X, t, float(rng.uniform(0.05, 0.9)) * ref.max_stable_lr(X), int(rng.integers(1, 6)), mode)
             for w, X, t in _cases(ctx, max_cases=6)]
    rtol, atol = ctx.tol()
    own_cache: list = []

    def own(i):
        if not own_cache:
            own_cache.append(own_histories(ctx, cases))
        return own_cache[0][i]

    for i, (args, ret) in enumerate(zip(cases, ctx.call("train_delta_rule", cases))):
        w0, X, t, lr, n_epochs, _ = args
        what = f"train_delta_rule(..., lr={lr:.3g}, n_epochs={n_epochs}, mode={mode!r}) on {_shape(X)}"
        got = expect_array(expect_returned(ret, what), what, shape=(n_epochs + 1, w0.size))
        if not np.allclose(got[0], w0, rtol=rtol, atol=atol):
            raise CheckFailed(f"{what}: row 0 of the history should be w0 (the weights before training)")
        hint = ""
        if np.allclose(got, ref.train_delta_rule(w0, X, t, lr, n_epochs, other), rtol=rtol, atol=atol) \
                and not np.allclose(got, ref.train_delta_rule(*args), rtol=rtol, atol=atol):
            hint = (f"that is the {other} result; " + ("one batch step per epoch" if mode == "batch" else
                    "one step per case, each starting from the weights the previous case left"))
        expect_either(lambda w: expect_close(got, w, what, rtol=rtol, atol=atol, hint=hint),
                      ref.train_delta_rule(*args), lambda: own(i),
                      own_note=f"what your own delta_rule_{mode}_step gives, step by step")
        expect_unchanged(ret, args, what)


@check(LAB, "train_delta_rule_batch")
def train_delta_rule_batch(ctx):
    _check_train(ctx, "batch")


@check(LAB, "train_delta_rule_online")
def train_delta_rule_online(ctx):
    _check_train(ctx, "online")


MEANING_CASES = 10


def _gradient_growth(X, lr, rng, n_epochs=300):
    """How much the gradient's norm grows over n_epochs batch steps at rate lr (ratio, end / start)."""
    w = rng.normal(size=X.shape[1])
    t = rng.normal(size=X.shape[0])
    start = np.linalg.norm(ref.error_gradient(w, X, t))
    with np.errstate(over="ignore", invalid="ignore"):  # a far too large rate overflows: diverged
        for _ in range(n_epochs):
            w = ref.delta_rule_batch_step(w, X, t, lr)
        growth = np.linalg.norm(ref.error_gradient(w, X, t)) / start
    return growth if np.isfinite(growth) else np.inf


@check(LAB, "max_stable_lr")
def max_stable_lr(ctx):
    cases = [(X,) for _, X, _ in _cases(ctx)]
    rng = ctx.rng()
    rtol, atol = ctx.tol()
    for i, ((X,), ret) in enumerate(zip(cases, ctx.call("max_stable_lr", cases))):
        what = f"max_stable_lr on {_shape(X)}"
        got = expect_returned(ret, what)
        if isinstance(got, np.ndarray) and got.shape == ():
            got = float(got)
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            raise CheckFailed(f"{what}: expected a number, got {type(got).__name__} {got!r:.80}")
        rate = float(got)
        if not (np.isfinite(rate) and rate > 0):
            raise CheckFailed(f"{what}: expected a positive learning rate, got {rate}")
        # its meaning, on the first few cases (300 epochs each): just below it the batch rule
        # converges from any start, just above it diverges
        if i < MEANING_CASES and not _gradient_growth(X, 0.97 * rate, rng) < 1.0:
            raise CheckFailed(f"{what}: at 0.97 times your rate ({rate:.4g}) the batch rule diverges: "
                              "your rate is too large (use the largest eigenvalue of X.T @ X)")
        if i < MEANING_CASES and not _gradient_growth(X, 1.03 * rate, rng) > 10.0:
            raise CheckFailed(f"{what}: at 1.03 times your rate ({rate:.4g}) the batch rule still converges: "
                              "your rate is too small")
        expect_float(got, ref.max_stable_lr(X), what, rtol=rtol, atol=atol)


def _answer_vector(ctx, name: str) -> np.ndarray:
    """The notebook's value of `name` as a float vector of 3 (a list or tuple of numbers is fine)."""
    value = expect_returned(ctx.value(name), name)
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        value = np.array(value, dtype=float)
    return expect_array(value, name, shape=(3,)).astype(float)


FIRST_STEP = (np.full(3, 50.0), np.array([2.0, 5.0, 3.0]), 850.0, 1 / 35)


@check(LAB, "first_update")
def first_update(ctx):
    """The value, or what the student's own delta_rule_online_step gives (error carried forward)."""
    got = _answer_vector(ctx, "first_update")
    expect_either(lambda w: expect_close(got, w, "first_update", rtol=1e-6, atol=1e-6,
                                         hint="one online step: w + lr * (t - x @ w) * x, with lr = 1/35"),
                  ref.FIRST_UPDATE, lambda: _own_first_update(ctx),
                  own_note="what your own delta_rule_online_step gives")


def _own_first_update(ctx):
    """The student's own step from FIRST_STEP, in a clean kernel (nothing it remembers from its own
    check carries over); None when it did not move the weights (nothing was learned)."""
    w = _as_weights(ctx.call("delta_rule_online_step", [FIRST_STEP], again=0, fresh=True)[0], 3)
    return None if w is None or np.array_equal(w, FIRST_STEP[0]) else w


# Learning rates, as fractions of max_stable_lr, and the most epochs, of the batch training
# whose weights estimated_prices may be when the student's own parts are wrong.
OWN_RATE_FRACTIONS, OWN_EPOCHS = (0.5, 0.8, 0.9, 0.95, 0.99), 5000


# A row of a history is learned (not the untrained start, nor a step or two from it) once the run
# has trained this many epochs, as the notebook's recipe does, or once the weights stopped moving
# (the step into the row moved them less than SETTLED, relative).
TRAINED_EPOCHS, SETTLED = 100, 1e-4


def _learned_by_own_parts(ctx, got: np.ndarray) -> bool:
    """Error carried forward: `got` is a learned row (TRAINED_EPOCHS) of the history the student's
    own train_delta_rule gives on the notebook's meals from (50, 50, 50), batch mode, at a good
    fraction of the student's own (or the right) max_stable_lr: what the notebook's recipe makes of
    their parts (never its start). Run in a clean kernel."""
    X, t = ref.cafeteria_meals()
    rates = [ref.max_stable_lr(X)]
    own_rate = ctx.call("max_stable_lr", [(X,)], again=0, fresh=True)[0]
    if own_rate.status == "returned" and isinstance(own_rate.value, float) and np.isfinite(own_rate.value):
        rates.append(own_rate.value)
    calls = [(np.full(3, 50.0), X, t, f * r, OWN_EPOCHS, "batch") for r in rates for f in OWN_RATE_FRACTIONS]
    for ret in ctx.call("train_delta_rule", calls, again=0):
        history = ret.value if ret.status == "returned" else None
        if not (isinstance(history, np.ndarray) and history.ndim == 2 and history.shape[1] == 3
                and history.shape[0] > 1 and history.dtype.kind in "fiu"):
            continue
        with np.errstate(all="ignore"):
            history = history.astype(float)
            steps = np.linalg.norm(np.diff(history, axis=0), axis=1)
            settled = np.isfinite(steps) & (steps <= SETTLED * np.maximum(1.0, np.linalg.norm(history[1:], axis=1)))
            learned = settled | (np.arange(1, history.shape[0]) >= TRAINED_EPOCHS)
            matches = np.all(np.isclose(history[1:], got, rtol=1e-9, atol=1e-9, equal_nan=True), axis=1)
        if np.any(matches & learned):
            return True
    return False


@check(LAB, "estimated_prices")
def estimated_prices(ctx):
    got = _answer_vector(ctx, "estimated_prices")
    try:
        _judge_prices(got)
    except CheckFailed as first:
        if not _learned_by_own_parts(ctx, got):
            raise
        del first


def _judge_prices(got):
    if not np.all(np.isfinite(got)):
        raise CheckFailed(f"estimated_prices: got {got}: did the training diverge? (the learning rate)")
    off = np.abs(got - ref.TRUE_PRICES)
    if off.max() > 1.0:
        raise CheckFailed(f"estimated_prices {np.round(got, 2)} are more than 1.0 from the cashier's prices: "
                          "train longer, or check your learning rate")
    if np.abs(got - ref.least_squares_prices()).max() > 0.2:
        raise CheckFailed("estimated_prices: not what the delta rule learns from the notebook's meals "
                          "(X_cafe, t_cafe): train on them until the weights stop changing")


# The cerebellum as a delta-rule learner (deck 001). Imported here rather than at the top so that
# this check stays one self-contained block at the end of the module.
from autograder.checks.core import expect_choice  # noqa: E402

Q_CEREBELLUM = "b"  # the climbing fibre, from the inferior olive


@check(LAB, "q_cerebellum")
def q_cerebellum(ctx):
    expect_choice(ctx.value("q_cerebellum"), "q_cerebellum", Q_CEREBELLUM,
                  hint="which input reaches a Purkinje cell once, from outside the parallel-fibre pathway, "
                       "and changes the strength of the synapses active with it?")
