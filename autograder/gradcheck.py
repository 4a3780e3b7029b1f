"""Gradient checks by finite differences, as pure functions (after jax's public_test_util and
torch.autograd.gradcheck).

- `numerical_gradient`: central differences coordinate by coordinate: 2 evaluations per entry.
- `directional_check`: along a few seeded random directions v, compare
  (f(x + eps v) - f(x - eps v)) / (2 eps) with <grad, v>: 2 evaluations per direction, whatever
  the number of parameters.
Parameters may be one array or a dict of arrays (a network's params). Tolerances are data, by dtype.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["TOLERANCES", "central_difference", "numerical_gradient", "directional_derivative", "directional_check",
           "relative_error"]

# (eps, rtol) by dtype: central differences have error O(eps^2) from truncation and
# O(machine eps / eps) from round-off; these are the usual sweet spots.
TOLERANCES = {
    np.dtype(np.float64): {"eps": 1e-6, "rtol": 1e-5},
    np.dtype(np.float32): {"eps": 1e-3, "rtol": 1e-2},
}


def relative_error(a, b) -> float:
    """max |a - b| / max(1e-8, |a| + |b|), over all entries (the CS231n measure)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))) if a.size else 0.0


def _as_dict(x):
    return (x, False) if isinstance(x, dict) else ({"x": x}, True)


def _combine(params: dict, direction: dict, step: float) -> dict:
    return {k: params[k] + step * direction[k] for k in params}


def central_difference(f: Callable, params: dict, key: str, idx: tuple, eps: float) -> float:
    """(f(params + eps e) - f(params - eps e)) / (2 eps) for the unit vector e at params[key][idx]."""
    plus = {k: np.array(v, dtype=float, copy=True) for k, v in params.items()}
    minus = {k: np.array(v, dtype=float, copy=True) for k, v in params.items()}
    plus[key][idx] += eps
    minus[key][idx] -= eps
    return float((f(plus) - f(minus)) / (2 * eps))


def numerical_gradient(f: Callable, x, eps: float | None = None):
    """Central differences of the scalar f at x (an array or a dict of arrays), entry by entry."""
    params, single = _as_dict(x)
    out = {}
    for key, value in params.items():
        value = np.asarray(value, dtype=float)
        h = eps if eps is not None else TOLERANCES[value.dtype]["eps"]
        grad = np.zeros_like(value)
        g = (lambda p: f(p["x"])) if single else f
        for idx in np.ndindex(value.shape):
            grad[idx] = central_difference(g, params, key, idx, h)
        out[key] = grad
    return out["x"] if single else out


def directional_derivative(f: Callable, x, direction, eps: float = 1e-6) -> float:
    params, single = _as_dict(x)
    v, _ = _as_dict(direction)
    plus, minus = _combine(params, v, eps), _combine(params, v, -eps)
    if single:
        plus, minus = plus["x"], minus["x"]
    return float((f(plus) - f(minus)) / (2 * eps))


def random_directions(x, n: int, rng: np.random.Generator) -> list:
    params, single = _as_dict(x)
    out = []
    for _ in range(n):
        v = {k: rng.standard_normal(np.shape(p)) for k, p in params.items()}
        norm = np.sqrt(sum(float(np.sum(a * a)) for a in v.values())) or 1.0
        v = {k: a / norm for k, a in v.items()}
        out.append(v["x"] if single else v)
    return out


def directional_check(f: Callable, x, grad, *, n_directions: int = 3, rng=None,
                      eps: float = 1e-6, rtol: float = 1e-5, atol: float = 1e-8) -> tuple[bool, float]:
    """(agrees, worst relative error) of <grad, v> against the central difference along v."""
    rng = rng if rng is not None else np.random.default_rng(0)
    g, _ = _as_dict(grad)
    worst = 0.0
    for v in random_directions(x, n_directions, rng):
        vd, _ = _as_dict(v)
        analytic = sum(float(np.sum(np.asarray(g[k], dtype=float) * vd[k])) for k in vd)
        numeric = directional_derivative(f, x, v, eps)
        err = abs(analytic - numeric) / max(atol, abs(analytic) + abs(numeric))
        if abs(analytic - numeric) <= atol:
            err = 0.0
        worst = max(worst, err)
    return worst <= rtol, worst
