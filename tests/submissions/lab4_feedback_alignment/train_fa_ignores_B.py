# train learns with bp_backward whatever the rule (it only measures FA's update): the "FA"
# network is a BP network and its W2 never aligns with B.
# expect-failing: train, train_fa_teacher
# %% solution_train
def train(params, X, T, lr, n_epochs, rule, B=None):
    history = {"loss": []} if rule == "bp" else {"loss": [], "angle": []}
    for _ in range(n_epochs):
        Y, cache = forward(params, X)
        history["loss"].append(loss(Y, T))
        bp = bp_backward(params, cache, T)
        if rule == "fa":
            history["angle"].append(angle_between(fa_backward(params, cache, T, B)["W1"], bp["W1"]))
        params = {k: params[k] - lr * bp[k] for k in params}
    return params, history
