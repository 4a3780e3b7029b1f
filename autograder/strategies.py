"""Hypothesis strategies for grading inputs (after hypothesis.extra.numpy): keyword-only bounds,
documented defaults, impossible arguments rejected up front with both values named."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = ["floats", "float_arrays", "shapes", "network_params", "three_layer_cases"]


def floats(*, min_value: float = -10.0, max_value: float = 10.0) -> st.SearchStrategy[float]:
    """Finite float64 values in [min_value, max_value] (defaults -10, 10)."""
    if min_value > max_value:
        raise ValueError(f"min_value={min_value} is larger than max_value={max_value}")
    return st.floats(min_value=min_value, max_value=max_value, allow_nan=False, allow_infinity=False, width=64)


def float_arrays(shape, *, min_value: float = -10.0, max_value: float = 10.0) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of `shape` (a tuple or a strategy of tuples) with entries in the bounds."""
    return hnp.arrays(np.float64, shape, elements=floats(min_value=min_value, max_value=max_value))


def shapes(*, min_dims: int = 1, max_dims: int = 3, min_side: int = 1, max_side: int = 4):
    if min_dims > max_dims:
        raise ValueError(f"min_dims={min_dims} is larger than max_dims={max_dims}")
    if min_side > max_side:
        raise ValueError(f"min_side={min_side} is larger than max_side={max_side}")
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


@st.composite
def network_params(draw, *, n_in: int, n_hidden: int, n_out: int, scale: float = 3.0):
    """A params dict W1 (H, D), b1 (H,), W2 (K, H), b2 (K,) with entries in [-scale, scale]."""
    return {
        "W1": draw(float_arrays((n_hidden, n_in), min_value=-scale, max_value=scale)),
        "b1": draw(float_arrays((n_hidden,), min_value=-scale, max_value=scale)),
        "W2": draw(float_arrays((n_out, n_hidden), min_value=-scale, max_value=scale)),
        "b2": draw(float_arrays((n_out,), min_value=-scale, max_value=scale)),
    }


@st.composite
def three_layer_cases(draw, *, max_inputs: int = 6, max_hidden: int = 8, max_outputs: int = 4,
                      max_cases: int = 10, scale: float = 3.0, target_range: tuple = (0.0, 1.0)):
    """(params, X, T) for a three-layer network: 1..max_inputs inputs, 1..max_hidden hidden units,
    1..max_outputs outputs, 1..max_cases cases (defaults 6, 8, 4, 10, as the labs ask).
    Entries of X up to 2*scale, so that some sigmoids saturate."""
    for name, value in (("max_inputs", max_inputs), ("max_hidden", max_hidden),
                        ("max_outputs", max_outputs), ("max_cases", max_cases)):
        if value < 1:
            raise ValueError(f"{name}={value} must be at least 1")
    d = draw(st.integers(1, max_inputs))
    h = draw(st.integers(1, max_hidden))
    k = draw(st.integers(1, max_outputs))
    n = draw(st.integers(1, max_cases))
    params = draw(network_params(n_in=d, n_hidden=h, n_out=k, scale=scale))
    X = draw(float_arrays((n, d), min_value=-2 * scale, max_value=2 * scale))
    T = draw(float_arrays((n, k), min_value=target_range[0], max_value=target_range[1]))
    return params, X, T
