# Loops over units and einsum instead of matrix products; the angle from norms computed by hand,
# train with a ternary and an array history: all correct, full marks.
# expect-failing:
# %% solution_bp_backward
def bp_backward(params, cache, T):
    X, H, Y = cache["X"], cache["H"], cache["Y"]
    W2 = params["W2"]
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    back = np.zeros_like(H)
    for k in range(W2.shape[0]):  # one output unit at a time
        e = Y[:, k] - T[:, k]
        grads["W2"][k] = e @ H
        grads["b2"][k] = e.sum()
        back = back + np.outer(e, W2[k])
    d1 = back * (1 - np.tanh(cache["Z1"]) ** 2)
    for j in range(H.shape[1]):  # one hidden unit at a time
        grads["W1"][j] = d1[:, j] @ X
        grads["b1"][j] = d1[:, j].sum()
    return grads
# %% solution_fa_backward
def fa_backward(params, cache, T, B):
    E = cache["Y"] - T
    D1 = np.einsum("nk,hk->nh", E, B) * (1 - cache["H"] * cache["H"])
    return {"W1": np.einsum("nh,nd->hd", D1, cache["X"]), "b1": np.einsum("nh->h", D1),
            "W2": np.einsum("nk,nh->kh", E, cache["H"]), "b2": np.einsum("nk->k", E)}
# %% solution_angle_between
def angle_between(u, v):
    u = np.asarray(u, dtype=float).reshape(-1)
    v = np.asarray(v, dtype=float).reshape(-1)
    cos = (u @ v) / np.sqrt((u @ u) * (v @ v))
    return np.rad2deg(np.arccos(min(1.0, max(-1.0, cos))))
# %% solution_train
def train(params, X, T, lr, n_epochs, rule, B=None):
    params = {k: v.copy() for k, v in params.items()}
    losses, angles = [], []
    for epoch in range(n_epochs):
        Y, cache = forward(params, X)
        losses.append(loss(Y, T))
        grads = bp_backward(params, cache, T)
        step = grads if rule == "bp" else fa_backward(params, cache, T, B)
        if rule == "fa":
            angles.append(angle_between(step["W1"], grads["W1"]))
        for k in params:
            params[k] = params[k] - lr * step[k]
    history = {"loss": np.array(losses)}
    if rule == "fa":
        history["angle"] = np.array(angles)
    return params, history
