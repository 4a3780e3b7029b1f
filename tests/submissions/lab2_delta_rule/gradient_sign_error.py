# dE/dw with the wrong sign: the batch rule (built on it) climbs the error and diverges.
# base: solution
# train_delta_rule and estimated_prices are right given the student's own batch step (error
# carried forward): they keep their points.
# expect-failing: error_gradient, delta_rule_batch_step
# %% solution_error_gradient
def error_gradient(w, X, t):
    """dE/dw for E = squared_error(w, X, t), shape (D,)."""
    return X.T @ (t - X @ w)
