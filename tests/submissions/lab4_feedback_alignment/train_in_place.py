# Updates the caller's params dict in place (params[k] -= ...).
# expect-failing: train
# %% solution_train
def train(params, X, T, lr, n_epochs, rule, B=None):
    history = {"loss": []} if rule == "bp" else {"loss": [], "angle": []}
    for _ in range(n_epochs):
        Y, cache = forward(params, X)
        history["loss"].append(loss(Y, T))
        bp = bp_backward(params, cache, T)
        update = bp if rule == "bp" else fa_backward(params, cache, T, B)
        if rule == "fa":
            history["angle"].append(angle_between(update["W1"], bp["W1"]))
        for k in params:
            params[k] -= lr * update[k]
    return params, history
