# 1 / the largest eigenvalue: a safe rate, but half the largest one.
# base: solution
# expect-failing: max_stable_lr
# %% solution_max_stable_lr
def max_stable_lr(X):
    """2 / (largest eigenvalue of X.T @ X): the batch rule converges for every rate below it."""
    return 1.0 / np.max(np.linalg.eigvalsh(X.T @ X))
