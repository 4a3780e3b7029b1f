# Lab 3's sigmoid derivative H * (1 - H) kept for the tanh hidden layer.
# W1 and b1 wrong, W2 and b2 right: half of bp_backward. train is right given its parts: full.
# expect-score: bp_backward=2
# %% solution_bp_backward
def bp_backward(params, cache, T):
    delta2 = cache["Y"] - T
    delta1 = (delta2 @ params["W2"]) * cache["H"] * (1.0 - cache["H"])
    return {"W1": delta1.T @ cache["X"], "b1": delta1.sum(axis=0),
            "W2": delta2.T @ cache["H"], "b2": delta2.sum(axis=0)}
