# Lab 3's sigmoid derivative H * (1 - H) kept for the tanh hidden layer.
# expect-failing: bp_backward, train
# %% solution_bp_backward
def bp_backward(params, cache, T):
    delta2 = cache["Y"] - T
    delta1 = (delta2 @ params["W2"]) * cache["H"] * (1.0 - cache["H"])
    return {"W1": delta1.T @ cache["X"], "b1": delta1.sum(axis=0),
            "W2": delta2.T @ cache["H"], "b2": delta2.sum(axis=0)}
