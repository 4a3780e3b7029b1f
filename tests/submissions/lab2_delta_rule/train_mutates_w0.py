# Updates w0 in place (w = w0; w += ...): the history is right, but the caller's w0 is changed.
# base: solution
# expect-failing: train_delta_rule_batch, train_delta_rule_online
# %% solution_train
def train_delta_rule(w0, X, t, lr, n_epochs, mode):
    """Weight history, shape (n_epochs + 1, D), of the delta rule in mode "batch" or "online"."""
    w = w0
    history = [w0.copy()]
    for _ in range(n_epochs):
        if mode == "batch":
            w -= lr * error_gradient(w, X, t)
        else:
            for x_n, t_n in zip(X, t):
                w += lr * (t_n - x_n @ w) * x_n
        history.append(w.copy())
    return np.array(history)
