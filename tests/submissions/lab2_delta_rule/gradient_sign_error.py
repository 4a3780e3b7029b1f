# dE/dw with the wrong sign: the batch rule (built on it) climbs the error and diverges.
# base: solution
# expect-failing: error_gradient, delta_rule_batch_step, train_delta_rule_batch, estimated_prices
# %% solution_error_gradient
def error_gradient(w, X, t):
    """dE/dw for E = squared_error(w, X, t), shape (D,)."""
    return X.T @ (t - X @ w)
