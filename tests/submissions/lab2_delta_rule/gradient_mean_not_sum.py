# The gradient of the mean error, not of the summed one: N times too small, so the batch rule
# crawls and the cafeteria's prices are not reached in the notebook's 500 epochs.
# base: solution
# train_delta_rule and estimated_prices are right given the student's own batch step and rate
# (error carried forward): they keep their points.
# expect-failing: error_gradient, delta_rule_batch_step
# %% solution_error_gradient
def error_gradient(w, X, t):
    """dE/dw for E = squared_error(w, X, t), shape (D,)."""
    return -(X.T @ (t - X @ w)) / X.shape[0]
