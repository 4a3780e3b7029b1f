"""Gradient checks by finite differences, as pure functions (after jax's public_test_util and
torch.autograd.gradcheck).

- `directional_check`: the one check of a gradient against its loss, the one the grader runs
  (checks/backprop.py) and the bench times (bench/grading_speed.py): along a direction v, compare
  <grad, v> with (f(x + eps v) - f(x - eps v)) / (2 eps): 2 evaluations per direction, whatever
  the number of parameters. Its eps, rtol and atol are course.toml's [tolerances.gradient_check].
- `numerical_gradient`: central differences coordinate by coordinate: 2 evaluations per entry.
Parameters may be one array or a dict of arrays (a network's params).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["tolerances", "central_difference", "numerical_gradient", "direction_in", "directional_derivative",
           "directional_check", "relative_error"]

TABLE = "gradient_check"  # the table of course.toml's [tolerances] this module reads


def tolerances(table: dict) -> dict:
    """{"eps", "rtol", "atol"} of the gradient check, from course.toml's [tolerances] (as parsed)."""
    entry = table[TABLE]
    return {key: float(entry[key]) for key in ("eps", "rtol", "atol")}


def relative_error(a, b) -> float:
    """max |a - b| / max(1e-8, |a| + |b|), over all entries (the CS231n measure)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))) if a.size else 0.0


def _as_dict(x):
    return (x, False) if isinstance(x, dict) else ({"x": x}, True)


def central_difference(f: Callable, params: dict, key: str, idx: tuple, eps: float) -> float:
    """(f(params + eps e) - f(params - eps e)) / (2 eps) for the unit vector e at params[key][idx]."""
    plus = {k: np.array(v, dtype=float, copy=True) for k, v in params.items()}
    minus = {k: np.array(v, dtype=float, copy=True) for k, v in params.items()}
    plus[key][idx] += eps
    minus[key][idx] -= eps
    return float((f(plus) - f(minus)) / (2 * eps))


def numerical_gradient(f: Callable, x, eps: float = 1e-6):
    """Central differences of the scalar f at x (an array or a dict of arrays), entry by entry."""
    params, single = _as_dict(x)
    out = {}
    g = (lambda p: f(p["x"])) if single else f
    for key, value in params.items():
        grad = np.zeros(np.shape(value), dtype=float)
        for idx in np.ndindex(grad.shape):
            grad[idx] = central_difference(g, params, key, idx, eps)
        out[key] = grad
    return out["x"] if single else out


def direction_in(params: dict, key: str, rng: np.random.Generator) -> dict:
    """A random unit direction that moves params[key] only: a check per parameter, so a wrong
    gradient of one parameter is told apart from the others (partial credit)."""
    v = rng.standard_normal(np.shape(params[key]))
    return {key: v / (np.linalg.norm(v) or 1.0)}


def directional_derivative(f: Callable, x, direction, eps: float) -> float:
    """(f(x + eps v) - f(x - eps v)) / (2 eps); v may move only some of x's parameters."""
    params, single = _as_dict(x)
    v, _ = _as_dict(direction)

    def moved(step):
        return {k: (p + step * v[k] if k in v else p) for k, p in params.items()}

    plus, minus = moved(eps), moved(-eps)
    if single:
        plus, minus = plus["x"], minus["x"]
    return float((f(plus) - f(minus)) / (2 * eps))


def directional_check(f: Callable, x, grad, direction, *, eps: float, rtol: float,
                      atol: float) -> tuple[bool, float]:
    """(agrees, relative error) of <grad, v> against the central difference of f along v. Only the
    parameters v moves are read from grad. They agree within atol, or within rtol of
    |<grad, v>| + |numeric|."""
    g, _ = _as_dict(grad)
    v, _ = _as_dict(direction)
    analytic = sum(float(np.sum(np.asarray(g[k], dtype=float) * v[k])) for k in v)
    numeric = directional_derivative(f, x, direction, eps)
    error = abs(analytic - numeric) / max(atol, abs(analytic) + abs(numeric))
    return abs(analytic - numeric) <= atol or error <= rtol, error
