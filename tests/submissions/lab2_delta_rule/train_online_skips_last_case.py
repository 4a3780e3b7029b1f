# Error carried forward, the dependent function wrong: the steps are right, but online training
# leaves out the last case of every epoch: train_delta_rule_online loses its points, nothing else.
# base: solution
# expect-failing: train_delta_rule_online
# %% solution_train
def train_delta_rule(w0, X, t, lr, n_epochs, mode):
    """The weight history, shape (n_epochs + 1, D), row 0 being w0."""
    history = [np.array(w0, dtype=float)]
    w = history[0]
    for _ in range(n_epochs):
        if mode == "batch":
            w = delta_rule_batch_step(w, X, t, lr)
        else:
            for x_n, t_n in zip(X[:-1], t[:-1]):
                w = delta_rule_online_step(w, x_n, t_n, lr)
        history.append(w)
    return np.array(history)
