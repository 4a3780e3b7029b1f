# A fixed step of 1e-6 whatever eps is passed.
# base: solution
# expect-failing: numerical_gradient
# %% solution_numerical_gradient
def numerical_gradient(fun, x, eps=1e-6):
    """Central-difference estimate of the gradient of the scalar function fun at x (any shape)."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x_plus, x_minus = x.copy(), x.copy()
        x_plus[idx] += 1e-6
        x_minus[idx] -= 1e-6
        grad[idx] = (fun(x_plus) - fun(x_minus)) / 2e-6
    return grad
