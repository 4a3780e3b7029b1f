"""Hidden checks for lab 4's "Do networks trained this way see like us?": input_gradient, fgsm, rdm,
rsa_similarity. Imported by checks/lab4_feedback_alignment.py, so registered under the same lab.

`fgsm` is graded with error carried forward: it earns its points when it is right given the
reference input gradient, or given the student's own `input_gradient` (called in the kernel on the
same inputs, compared here), so one mistake in `input_gradient` costs its points once."""
from __future__ import annotations

import numpy as np

from autograder.checks.core import CheckFailed, check, expect_close, expect_float, expect_returned, expect_unchanged
from autograder.reference import lab4_feedback_alignment as ref
from autograder.strategies import three_layer_cases

LAB = "lab4_feedback_alignment"


def _network_cases(ctx):
    """(params, X, T): drawn networks, plus saturated tanh units, a single case and one hidden unit."""
    rng = np.random.default_rng(13)
    explicit = [({"W1": rng.normal(0, 8, (3, 2)), "b1": np.array([20.0, -20.0, 0.0]),
                  "W2": rng.normal(0, 2, (2, 3)), "b2": np.array([1.5, -1.5])},
                 rng.normal(0, 10, (4, 2)), rng.normal(0, 2, (4, 2))),
                ({"W1": rng.normal(size=(4, 3)), "b1": rng.normal(size=4), "W2": rng.normal(size=(2, 4)),
                  "b2": rng.normal(size=2)}, rng.normal(size=(1, 3)), rng.normal(size=(1, 2))),
                ({"W1": rng.normal(size=(1, 5)), "b1": rng.normal(size=1), "W2": rng.normal(size=(3, 1)),
                  "b2": rng.normal(size=3)}, rng.normal(size=(6, 5)), rng.normal(size=(6, 3)))]
    return ctx.cases(three_layer_cases(target_range=(-3.0, 3.0)), explicit=explicit)


def _describe(name, params, X):
    return f"{name} with {X.shape[0]} cases, {X.shape[1]} inputs, {params['W1'].shape[0]} hidden"


def _hint_input_gradient(got, params, X, T):
    Y, cache = ref.forward(params, X)
    e = Y - T
    if not isinstance(got, np.ndarray) or got.shape != X.shape:
        return ""
    if np.allclose(got, (e @ params["W2"]) @ params["W1"], rtol=1e-6, atol=1e-9):
        return "the tanh derivative 1 - H**2 is missing between the layers"
    if np.allclose(got, -ref.input_gradient(params, X, T), rtol=1e-6, atol=1e-9):
        return "a sign error? the output error is Y - T"
    return ""


@check(LAB, "input_gradient")
def input_gradient(ctx):
    cases = _network_cases(ctx)
    rtol, atol = ctx.tol()
    for args, ret in zip(cases, ctx.call("input_gradient", cases)):
        what = _describe("input_gradient", *args[:2])
        got = expect_returned(ret, what)
        want = ref.input_gradient(*args)
        if isinstance(got, np.ndarray) and got.shape != want.shape:
            raise CheckFailed(f"{what}: expected shape {want.shape} (one row per case, one column per input), "
                              f"got {got.shape}")
        expect_close(got, want, what, rtol=rtol, atol=atol, hint=_hint_input_gradient(got, *args))
        expect_unchanged(ret, args, what)


def _fgsm_want(X, grad, eps, got):
    """X + eps * sign(grad), where entries of grad too small for their sign to be sure may take any
    of X - eps, X, X + eps (two right implementations can round a zero gradient either way)."""
    want = X + eps * np.sign(grad)
    unsure = np.abs(grad) <= 1e-9 * max(1.0, float(np.max(np.abs(grad))))
    if isinstance(got, np.ndarray) and got.shape == X.shape and got.dtype.kind == "f":
        fine = np.isclose(got, X, atol=1e-12) | np.isclose(got, X + eps, atol=1e-12) | np.isclose(got, X - eps, atol=1e-12)
        want = np.where(unsure & fine, got, want)
    return want


def _fgsm_hint(got, X, grad, eps):
    if not isinstance(got, np.ndarray) or got.shape != X.shape:
        return ""
    if np.allclose(got, X + eps * grad, rtol=1e-6, atol=1e-9):
        return "step by eps times the SIGN of the gradient, not the gradient itself"
    if np.allclose(got, X - eps * np.sign(grad), rtol=1e-6, atol=1e-9):
        return "the attack moves up the loss: add eps * sign(gradient), do not subtract it"
    if np.allclose(got, eps * np.sign(grad), rtol=1e-6, atol=1e-9):
        return "return the perturbed input X + eps * sign(gradient), not the perturbation alone"
    return ""


@check(LAB, "fgsm")
def fgsm(ctx):
    rng = ctx.rng()
    cases = [(p, X, T, float(eps)) for (p, X, T), eps in
             zip(_network_cases(ctx), rng.choice([0.01, 0.05, 0.1, 0.25, 0.5, 1.0], size=100))]
    grad_cases = [c[:3] for c in cases]
    got, own_grads = ctx.call_many([("fgsm", cases), ("input_gradient", grad_cases)])
    rtol, atol = ctx.tol()
    for args, ret, own in zip(cases, got, own_grads):
        params, X, T, eps = args
        what = _describe("fgsm", params, X) + f", eps={eps:g}"
        result = expect_returned(ret, what)
        ref_grad = ref.input_gradient(params, X, T)
        own_grad = own.value if own.status == "returned" else None
        carried = (isinstance(own_grad, np.ndarray) and own_grad.shape == X.shape and own_grad.dtype.kind == "f"
                   and np.all(np.isfinite(own_grad)))
        if carried and isinstance(result, np.ndarray) and result.shape == X.shape and np.allclose(
                result, _fgsm_want(X, own_grad, eps, result), rtol=rtol, atol=atol):
            expect_unchanged(ret, args, what)  # right given the student's own input_gradient
            continue
        hint = _fgsm_hint(result, X, ref_grad, eps) or (_fgsm_hint(result, X, own_grad, eps) if carried else "")
        expect_close(result, _fgsm_want(X, ref_grad, eps, result), what, rtol=rtol, atol=atol, hint=hint)
        expect_unchanged(ret, args, what)


def _responses(rng, n, u):
    """Responses of n stimuli by u units: rows with some spread (a constant row has no correlation)."""
    H = rng.normal(0.0, 1.0, (n, u)) * rng.uniform(0.1, 10.0, (n, 1)) + rng.normal(0.0, 2.0, (n, 1))
    H[:, 0] += 1.0  # no row exactly constant
    return H


def _rdm_cases(ctx):
    rng = ctx.rng("rdm")
    sizes = [(2, 2), (3, 5), (5, 3), (6, 6), (2, 9)] + [tuple(rng.integers(2, 12, 2)) for _ in range(ctx.n_examples)]
    cases = [(_responses(rng, int(n), int(u)),) for n, u in sizes]
    tanh_like = np.tanh(_responses(rng, 8, 30))  # a hidden layer's rates
    return cases + [(tanh_like,), (np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.1], [3.0, 1.0, -2.0]]),)]


@check(LAB, "rdm")
def rdm(ctx):
    cases = _rdm_cases(ctx)
    rtol, atol = ctx.tol()
    for args, ret in zip(cases, ctx.call("rdm", cases)):
        H = args[0]
        what = f"rdm of responses of shape {H.shape} (stimuli x units)"
        got = expect_returned(ret, what)
        want = ref.rdm(H)
        if isinstance(got, np.ndarray) and got.shape != (H.shape[0], H.shape[0]):
            hint = " (one row per stimulus: correlate the rows of H, not its columns)" \
                if got.shape == (H.shape[1], H.shape[1]) else ""
            raise CheckFailed(f"{what}: expected shape {want.shape}, got {got.shape}{hint}")
        hint = ""
        if isinstance(got, np.ndarray) and got.shape == want.shape:
            if np.allclose(got, 1.0 - want, rtol=1e-6, atol=1e-9):
                hint = "that is the correlation: a dissimilarity is 1 - the correlation"
            elif H.shape[0] == H.shape[1] and np.allclose(got, 1.0 - np.corrcoef(H.T), rtol=1e-6, atol=1e-9):
                hint = "correlate the rows of H (stimuli), not its columns (units)"
        expect_close(got, want, what, rtol=rtol, atol=1e-9, hint=hint)
        expect_unchanged(ret, args, what)


def _rsa_cases(ctx):
    rng = ctx.rng("rsa")
    cases = []
    for n in [3, 4, 10] + list(rng.integers(3, 15, ctx.n_examples)):
        a = ref.rdm(_responses(rng, int(n), int(rng.integers(3, 20))))
        b = ref.rdm(_responses(rng, int(n), int(rng.integers(3, 20))))
        cases.append((a, b))
        cases.append((a, 0.5 * a + ref.rdm(_responses(rng, int(n), 5))))  # related RDMs: a high score
    return cases


@check(LAB, "rsa_similarity")
def rsa_similarity(ctx):
    cases = _rsa_cases(ctx)
    rtol, _ = ctx.tol()
    for args, ret in zip(cases, ctx.call("rsa_similarity", cases)):
        a, b = args
        what = f"rsa_similarity of two RDMs of shape {a.shape}"
        got = expect_returned(ret, what)
        want = ref.rsa_similarity(a, b)
        hint = ""
        if isinstance(got, (float, np.floating)):
            if np.isclose(got, np.corrcoef(a.ravel(), b.ravel())[0, 1], rtol=1e-6, atol=1e-9):
                hint = "only the entries above the diagonal: the diagonal is 0 in every RDM and says nothing"
            else:
                upper = np.triu_indices(a.shape[0])
                if np.isclose(got, np.corrcoef(a[upper], b[upper])[0, 1], rtol=1e-6, atol=1e-9):
                    hint = "leave out the diagonal (k=1 in np.triu_indices)"
        expect_float(got, want, what, rtol=rtol, atol=1e-9, hint=hint)
        expect_unchanged(ret, args, what)
