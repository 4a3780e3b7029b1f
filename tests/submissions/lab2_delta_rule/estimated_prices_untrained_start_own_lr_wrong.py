# max_stable_lr is 1 / lambda (half the right rate) and estimated_prices = (50, 50, 50), the untrained
# start: row 0 of every history the student's own training gives. Error carried forward accepts only
# the settled end of that training (the weights no longer changing), never its start: 0 for both.
# expect-failing: max_stable_lr, estimated_prices
# %% solution_max_stable_lr
def max_stable_lr(X):
    return float(1.0 / np.linalg.eigvalsh(X.T @ X)[-1])
# %% solution_estimated_prices
estimated_prices = np.array([50.0, 50.0, 50.0])
