# Changes x in place and forgets to restore it: x is left changed, and every later entry is
# differentiated at a shifted point (wrong values for functions that couple the entries).
# base: solution
# expect-failing: numerical_gradient, numerical_gradient_unchanged
# %% solution_numerical_gradient
def numerical_gradient(fun, x, eps=1e-6):
    """Central-difference estimate of the gradient of the scalar function fun at x (any shape)."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        f_plus = fun(x)
        x[idx] = old - eps
        f_minus = fun(x)
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad
