# The history leaves out w0: n_epochs rows instead of n_epochs + 1.
# base: solution
# expect-failing: train_delta_rule_batch, train_delta_rule_online
# %% solution_train
def train_delta_rule(w0, X, t, lr, n_epochs, mode):
    """Weight history, shape (n_epochs + 1, D), of the delta rule in mode "batch" or "online"."""
    w = np.array(w0, dtype=float)
    history = []
    for _ in range(n_epochs):
        if mode == "batch":
            w = delta_rule_batch_step(w, X, t, lr)
        else:
            for x_n, t_n in zip(X, t):
                w = delta_rule_online_step(w, x_n, t_n, lr)
        history.append(w)
    return np.array(history)
