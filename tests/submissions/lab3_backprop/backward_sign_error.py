# (T - Y) instead of (Y - T): every gradient points uphill: 0 for backward. Training climbs, but
# train and train_xor are right given the student's own backward: they keep their points.
# expect-failing: backward
# %% solution_backward
def backward(params, cache, T):
    X, H, Y = cache["X"], cache["H"], cache["Y"]
    delta2 = (T - Y) * Y * (1.0 - Y)
    delta1 = (delta2 @ params["W2"]) * H * (1.0 - H)
    return {"W1": delta1.T @ X, "b1": delta1.sum(axis=0), "W2": delta2.T @ H, "b2": delta2.sum(axis=0)}
