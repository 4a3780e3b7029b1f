# A forward difference (fun(x + eps e_i) - fun(x)) / eps: error of order eps.
# base: solution
# expect-failing: numerical_gradient
# %% solution_numerical_gradient
def numerical_gradient(fun, x, eps=1e-6):
    """Central-difference estimate of the gradient of the scalar function fun at x (any shape)."""
    grad = np.zeros_like(x)
    f0 = fun(x)
    for idx in np.ndindex(x.shape):
        x_plus = x.copy()
        x_plus[idx] += eps
        grad[idx] = (fun(x_plus) - f0) / eps
    return grad
