# history["loss"] records the loss after each update instead of before it.
# The angles and params are right: 2 of train's 3 parts (train's 2 points x 2/3).
# expect-score: train=1.3333
# %% solution_train
def train(params, X, T, lr, n_epochs, rule, B=None):
    history = {"loss": []} if rule == "bp" else {"loss": [], "angle": []}
    for _ in range(n_epochs):
        Y, cache = forward(params, X)
        bp = bp_backward(params, cache, T)
        update = bp if rule == "bp" else fa_backward(params, cache, T, B)
        if rule == "fa":
            history["angle"].append(angle_between(update["W1"], bp["W1"]))
        params = {k: params[k] - lr * update[k] for k in params}
        history["loss"].append(loss(forward(params, X)[0], T))
    return params, history
