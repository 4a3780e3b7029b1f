# train_delta_rule ignores mode and always learns online. The cafeteria's prices, learned online
# at the notebook's rate, still land near the batch answer, so estimated_prices passes.
# base: solution
# expect-failing: train_delta_rule_batch
# %% solution_train
def train_delta_rule(w0, X, t, lr, n_epochs, mode):
    """Weight history, shape (n_epochs + 1, D), of the delta rule in mode "batch" or "online"."""
    w = np.array(w0, dtype=float)
    history = [w]
    for _ in range(n_epochs):
        for x_n, t_n in zip(X, t):
            w = delta_rule_online_step(w, x_n, t_n, lr)
        history.append(w)
    return np.array(history)
