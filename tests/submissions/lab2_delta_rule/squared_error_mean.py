# The mean over cases instead of 0.5 times the sum.
# base: solution
# expect-failing: squared_error
# %% solution_squared_error
def squared_error(w, X, t):
    """0.5 * sum over cases of (t - X @ w)**2, as a float."""
    return float(np.mean((t - X @ w) ** 2))
