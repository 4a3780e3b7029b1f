"""Hidden checks for lab4_feedback_alignment: one per graded cell, named by its grade_id."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from autograder.checks.backprop import (KEYS, check_backward, describe, expect_backprop_cost, forward_each,
                                       expect_gradient_dicts, judge_gradients)
from autograder.checks.core import (CheckFailed, check, expect_close, expect_dict_of_arrays, expect_either,
                                    expect_float, expect_returned, expect_unchanged, judge_parts)
from autograder.checks.replay import Chains, as_floats
from autograder.reference import lab4_feedback_alignment as ref
from autograder.strategies import float_arrays, shapes, three_layer_cases

LAB = "lab4_feedback_alignment"
ANGLE_ATOL = 1e-4  # degrees: arccos is ill-conditioned near 0 and 180 (an error of 1e-16 in the
                   # cosine moves the angle by about 1e-6 degrees), so angles get an absolute margin

# The seeded teacher task of `train_fa_teacher` (30 inputs, 50 hidden units, 10 outputs, 100 cases,
# small initial weights, lr 1e-3, 200 epochs). Measured on the reference over 1000 seeds: the loss
# falls by at least 99.6 percent and the final FA/BP angle of the W1 updates is at most 41 degrees
# (mean 31); a network trained by backprop instead ends at 80 degrees or more against the same B.
TEACHER = {"n_cases": 100, "n_in": 30, "n_hidden": 50, "n_out": 10}
TEACHER_LR, TEACHER_EPOCHS = 1e-3, 200
MIN_REDUCTION, MAX_ANGLE = 0.90, 60.0


def _edge_cases():
    """Always checked: saturated tanh units, a single case, one hidden unit, one output."""
    rng = np.random.default_rng(4)
    saturated = ({"W1": rng.normal(0, 8, (3, 2)), "b1": np.array([20.0, -20.0, 0.0]),
                  "W2": rng.normal(0, 2, (2, 3)), "b2": np.array([1.5, -1.5])},
                 rng.normal(0, 10, (4, 2)), rng.normal(0, 2, (4, 2)))
    single = ({"W1": rng.normal(size=(4, 3)), "b1": rng.normal(size=4), "W2": rng.normal(size=(2, 4)),
               "b2": rng.normal(size=2)}, rng.normal(size=(1, 3)), rng.normal(size=(1, 2)))
    one_hidden = ({"W1": rng.normal(size=(1, 5)), "b1": rng.normal(size=1), "W2": rng.normal(size=(3, 1)),
                   "b2": rng.normal(size=3)}, rng.normal(size=(6, 5)), rng.normal(size=(6, 3)))
    one_output = ({"W1": rng.normal(size=(4, 2)), "b1": rng.normal(size=4), "W2": rng.normal(size=(1, 4)),
                   "b2": rng.normal(size=1)}, rng.normal(size=(5, 2)), rng.normal(size=(5, 1)))
    return [saturated, single, one_hidden, one_output]


def _cases(ctx, **kw):
    return ctx.cases(three_layer_cases(target_range=(-3.0, 3.0), **kw), explicit=_edge_cases())


_what = describe


def _feedback(ctx, cases):
    rng = ctx.rng("B")
    return [rng.normal(0, 1, p["W2"].T.shape) for p, _, _ in cases]


@check(LAB, "bp_backward")
def bp_backward(ctx):
    check_backward(ctx, "bp_backward", _cases(ctx), ref, ref.bp_backward)


@check(LAB, "fa_backward")
def fa_backward(ctx):
    """One part per parameter, over calls with a random B and with B = W2.T (then FA is BP),
    timed like bp_backward (checks/cost.py)."""
    cases = _cases(ctx)
    calls = [(p, ref.forward(p, X)[1], T, B) for (p, X, T), B in zip(cases, _feedback(ctx, cases))]
    calls += [(p, c, T, p["W2"].T.copy()) for p, c, T, _ in calls]
    whats = [_what("fa_backward", p, T) + (" and a random B" if i < len(cases) else " and B = W2.T")
             for i, (p, _, T, _) in enumerate(calls)]
    got = expect_gradient_dicts(ctx.call("fa_backward", calls), calls, whats)
    timed = expect_backprop_cost(ctx, "fa_backward", ref,
                                 lambda p, X, T: (p, ref.forward(p, X)[1], T, _feedback(ctx, [(p, X, T)])[0]))
    timed_whats = [_what("fa_backward", args[0], args[2]) + " and a random B" for args, _ in timed]
    got += expect_gradient_dicts([ret for _, ret in timed], [args for args, _ in timed], timed_whats)
    whats += timed_whats
    calls += [args for args, _ in timed]

    wants = [ref.fa_backward(*args) for args in calls]
    bps = [ref.bp_backward(*args[:3])["W1"] for args in calls]
    rtol, atol = ctx.tol()
    transported = [np.allclose(w["W1"], bp, rtol=rtol, atol=atol) for w, bp in zip(wants, bps)]

    def hint_w1(g, w):
        for grads, want, bp, same in zip(got, wants, bps, transported):
            if grads["W1"] is g and not same and isinstance(g, np.ndarray) and g.shape == bp.shape \
                    and np.allclose(g, bp, rtol=rtol, atol=atol):
                return "that is backprop's gradient: send the output error back through B, not through W2.T"
        return ""

    judge_gradients(ctx, got, wants, whats, hints={"W1": hint_w1})


@check(LAB, "fa_backward_output_layer")
def fa_backward_output_layer(ctx):
    cases = _cases(ctx)
    rtol, atol = ctx.tol()
    calls = [(p, ref.forward(p, X)[1], T, B) for (p, X, T), B in zip(cases, _feedback(ctx, cases))]
    for args, ret in zip(calls, ctx.call("fa_backward", calls)):
        what = _what("fa_backward", args[0], args[2]) + " and a random B"
        grads = expect_returned(ret, what)
        if not isinstance(grads, dict) or not {"W2", "b2"} <= set(grads):
            raise CheckFailed(f"{what}: expected a dict with keys W1, b1, W2, b2")
        want = ref.bp_backward(*args[:3])
        for key in ("W2", "b2"):
            expect_close(grads[key], want[key], f"{what}: {key}", rtol=rtol, atol=atol,
                         hint="the output layer's gradient is backprop's, whatever B is")


def _nonzero(a: np.ndarray) -> np.ndarray:
    a = np.where(np.abs(a) < 1e-3, 0.0, a)  # no denormal-sized entries: their norms underflow
    if np.linalg.norm(a) < 1e-2:
        a = a.copy()
        a.flat[0] = 1.0
    return a


@st.composite
def _angle_cases(draw):
    shape = draw(shapes(min_dims=1, max_dims=3, max_side=5))
    u = _nonzero(draw(float_arrays(shape)))
    v = _nonzero(draw(float_arrays(shape)))
    scale = draw(st.floats(min_value=1e-3, max_value=1e3))
    return u, v, scale


# Vectors for which the plain cosine dot(u, u) / (norm(u) * norm(u)) rounds to just above 1 (and
# just below -1 for -u): arccos then gives nan unless the cosine is clipped to [-1, 1].
ROUNDING = [np.array([0.9, 0.09]), np.array([-0.7, -1.27, -0.62, 0.04, -2.33]),
            np.array([-0.13, 0.64, 0.1, -0.54, 0.36, 1.3, 0.95]), np.array([-1.25, -0.73, -0.54, -0.32, 0.41])]


@check(LAB, "angle_between")
def angle_between(ctx):
    explicit = [(u, np.roll(u, 1), 2.0) for u in ROUNDING] + [
        (np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[0.0, 1.0], [0.0, 0.0]]), 5.0),
        (np.array([1.0, 2.0, 3.0]), np.array([-1.0, 0.5, 0.0]), 0.1)]
    cases = ctx.cases(_angle_cases(), explicit=explicit)
    calls, wants, props = [], [], []
    for u, v, c in cases:
        for args, want, prop in [((u, v), ref.angle_between(u, v), "against the reference"),
                                 ((u, u.copy()), 0.0, "of an array with itself"),
                                 ((u, -u), 180.0, "of an array with its negative"),
                                 ((c * u, v), ref.angle_between(u, v), f"unchanged when u is scaled by {c:.3g}"),
                                 ((v, u), ref.angle_between(u, v), "symmetric: angle_between(v, u)")]:
            calls.append(args)
            wants.append(want)
            props.append(prop)
    for args, want, prop, ret in zip(calls, wants, props, ctx.call("angle_between", calls)):
        what = f"angle_between of arrays of shape {args[0].shape} ({prop})"
        got = expect_returned(ret, what)
        if isinstance(got, float) and np.isnan(got):
            raise CheckFailed(f"{what}: got nan: rounding can push the cosine just outside [-1, 1]; clip it")
        radians = isinstance(got, float) and want > 1 and np.isclose(got, np.radians(want), rtol=1e-6)
        expect_float(got, want, what, rtol=1e-6, atol=ANGLE_ATOL, hint="radians? return degrees" if radians else "")
        expect_unchanged(ret, args, what)


def _as_floats(seq, what):
    values = as_floats(seq, size_one=True)
    if values is None:
        raise CheckFailed(f"{what}: expected a list of floats, one per epoch")
    return values


def _expect_train(value, what):
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], dict) and isinstance(value[1], dict)):
        raise CheckFailed(f"{what}: expected (params, history), history a dict of per-epoch lists")
    return value


def own_training(ctx, calls: list[tuple]) -> list:
    """What the notebook's forward and loss and the student's own bp_backward, fa_backward and
    angle_between give, chained as train chains them (the step p - lr * update taken here;
    checks/replay.py), for each train call: (params, {"loss": [...], "angle": [...]}), or None
    where a part gave nothing usable."""
    chains = Chains(ctx, calls, epochs_at=4)
    params = [c[0] for c in calls]
    history = [{"loss": [], "angle": []} for _ in calls]
    for _, idx in chains.epochs():
        fwd = []
        for i, v, _ in forward_each(chains, params, calls, idx):
            if v is None:
                chains.stop(i)
            else:
                fwd.append((i, v))
        if not fwd:
            break
        fa = [(i, v) for i, v in fwd if calls[i][5] == "fa"]
        rl, rb, rf = chains.call_many([("loss", [(v[0], calls[i][2]) for i, v in fwd]),
                                       ("bp_backward", [(params[i], v[1], calls[i][2]) for i, v in fwd]),
                                       ("fa_backward", [(params[i], v[1], calls[i][2], calls[i][6]) for i, v in fa])])
        fa_grads = dict(zip([i for i, _ in fa], rf))
        angles_for = []
        for (i, _), r_loss, r_bp in zip(fwd, rl, rb):
            value = as_floats([r_loss.value], size_one=True) if r_loss.status == "returned" else None
            update = r_bp if calls[i][5] == "bp" else fa_grads[i]
            usable = [r for r in (r_bp, update) if r.status == "returned" and isinstance(r.value, dict)
                      and all(isinstance(r.value.get(k), np.ndarray) for k in KEYS)]
            if value is None or len(usable) < 2:
                chains.stop(i)
                continue
            history[i]["loss"].append(float(value[0]))
            try:
                params[i] = {k: params[i][k] - calls[i][3] * update.value[k] for k in KEYS}
            except ValueError:  # shapes that do not fit the weights
                chains.stop(i)
                continue
            if calls[i][5] == "fa":
                angles_for.append((i, update.value["W1"], r_bp.value["W1"]))
        if angles_for:
            for (i, _, _), ret in zip(angles_for, chains.call("angle_between", [(u, v) for _, u, v in angles_for])):
                value = as_floats([ret.value], size_one=True) if ret.status == "returned" else None
                if value is None:
                    chains.stop(i)
                else:
                    history[i]["angle"].append(float(value[0]))
    return [(params[i], history[i]) if chains.alive[i] else None for i in range(len(calls))]


OWN_PARTS = "what the notebook's forward and loss and your own bp_backward, fa_backward and angle_between give"


@check(LAB, "train")
def train(ctx):
    """Three parts: the losses, the angles (rule "fa"), the params; each right given the
    reference parts or given the student's own (error carried forward)."""
    cases = _cases(ctx, max_cases=6, max_hidden=5)[:8]
    rng = ctx.rng()
    Bs = _feedback(ctx, cases)
    calls = []
    for (p, X, T), B in zip(cases, Bs):
        p = {k: v / 3.0 for k, v in p.items()}  # milder weights: a few steps must not diverge
        lr, n = float(rng.uniform(0.01, 0.1)), int(rng.integers(1, 6))
        fa_args = (p, X, T, lr, n, "fa", B)
        with np.errstate(all="ignore"):
            usable = np.all(np.isfinite(ref.train(*fa_args)[1]["angle"]))  # no angle with a zero W1 update
        if usable:
            calls += [(p, X, T, lr, n, "bp"), fa_args]
    rtol, atol = ctx.tol()
    got = []
    for args, ret in zip(calls, ctx.call("train", calls)):
        what = f"train with rule {args[5]!r} for {args[4]} epochs, lr={args[3]:.3g}"
        params, history = _expect_train(expect_returned(ret, what), what)
        expect_unchanged(ret, args, what)
        got.append((what, params, history))
    wants = [ref.train(*args) for args in calls]
    own_cache: list = []

    def own(i):
        if not own_cache:
            own_cache.append(own_training(ctx, calls))
        return own_cache[0][i]

    def history_part(key):
        def judge():
            for i, ((what, _, history), (_, want_history), args) in enumerate(zip(got, wants, calls)):
                if key not in want_history:
                    continue
                if key not in history:
                    raise CheckFailed(f"{what}: history has no {key!r} (keys {sorted(map(str, history))})")
                values = _as_floats(history[key], f"{what}: history[{key!r}]")
                hint = _loss_hint(values, want_history[key], args, rtol, atol) if key == "loss" else \
                    "the angle in degrees between the FA and BP updates of W1, before each update"
                tol = (rtol, atol) if key == "loss" else (1e-6, ANGLE_ATOL)
                expect_either(lambda w: expect_close(values, np.array(w), f"{what}: history[{key!r}]",
                                                     rtol=tol[0], atol=tol[1], hint=hint),
                              want_history[key], lambda: own(i) and own(i)[1][key], own_note=OWN_PARTS)
        return judge

    def params_part():
        for i, ((what, params, _), (want, _)) in enumerate(zip(got, wants)):
            expect_either(lambda w: expect_dict_of_arrays(params, w, f"{what}: params", rtol=rtol, atol=atol),
                          want, lambda: own(i) and own(i)[0], own_note=OWN_PARTS)

    judge_parts([("loss", 1.0, history_part("loss")), ("angle", 1.0, history_part("angle")),
                 ("params", 1.0, params_part)])


def _loss_hint(got, want, args, rtol, atol) -> str:
    want = np.array(want)
    if got.shape == want.shape and len(want) > 1 and np.allclose(got[:-1], want[1:], rtol=rtol, atol=atol):
        return "history['loss'][i] is the loss before the i-th update"
    if args[5] == "fa" and got.shape == want.shape and np.allclose(
            got, ref.train(*args[:4], args[4], "bp")[1]["loss"], rtol=rtol, atol=atol):
        return "the weights moved as backprop moves them: with rule 'fa', step along fa_backward's update"
    return ""


@check(LAB, "train_fa_teacher")
def train_fa_teacher(ctx):
    params, X, T, B = ref.teacher_task(ctx.rng(), **TEACHER)
    what = (f"train(..., rule='fa') on a linear teacher task ({TEACHER['n_in']} inputs, {TEACHER['n_hidden']} "
            f"hidden, {TEACHER['n_out']} outputs, lr {TEACHER_LR}, {TEACHER_EPOCHS} epochs)")
    ret = ctx.call("train", [(params, X, T, TEACHER_LR, TEACHER_EPOCHS, "fa", B)], again=0)[0]
    learned, _ = _expect_train(expect_returned(ret, what), what)
    try:
        learned = {k: np.asarray(learned[k], dtype=float).reshape(params[k].shape) for k in KEYS}
        Y, cache = ref.forward(learned, X)
    except Exception:
        raise CheckFailed(f"{what}: the returned params are not a network of the shapes given") from None
    start, end = ref.loss(ref.forward(params, X)[0], T), ref.loss(Y, T)
    if not end <= (1 - MIN_REDUCTION) * start:
        raise CheckFailed(f"{what}: the loss went from {start:.4g} to {end:.4g}, expected a fall of at least "
                          f"{MIN_REDUCTION:.0%}")
    angle = ref.angle_between(ref.fa_backward(learned, cache, T, B)["W1"], ref.bp_backward(learned, cache, T)["W1"])
    if not angle < MAX_ANGLE:
        raise CheckFailed(f"{what}: after training, the FA update of W1 is {angle:.1f} degrees from backprop's, "
                          f"expected below {MAX_ANGLE:.0f}: is B what sends the error back during training?")
from autograder.checks import lab4_vision  # noqa: E402,F401 - the checks of "Do networks trained this way see like us?"
from autograder.checks import lab4_dfa  # noqa: E402,F401 - the check of direct feedback alignment (dfa_backward)
