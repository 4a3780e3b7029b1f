# 2 / the smallest eigenvalue (eigvalsh sorts ascending): too large a rate, so the notebook's
# training at 0.9 times it diverges and estimated_prices fails too.
# base: solution
# estimated_prices is what the notebook's recipe gives with the student's own max_stable_lr
# (error carried forward): it keeps its points.
# expect-failing: max_stable_lr
# %% solution_max_stable_lr
def max_stable_lr(X):
    """2 / (largest eigenvalue of X.T @ X): the batch rule converges for every rate below it."""
    return float(2.0 / np.linalg.eigvalsh(X.T @ X)[0])
