# (T - Y) instead of (Y - T): backprop's "gradient" points uphill, and training by BP diverges.
# FA learning uses fa_backward, still right, so the teacher task is learned.
# train is right given the student's own bp_backward (error carried forward): full.
# expect-failing: bp_backward
# %% solution_bp_backward
def bp_backward(params, cache, T):
    delta2 = T - cache["Y"]
    delta1 = (delta2 @ params["W2"]) * (1.0 - cache["H"] ** 2)
    return {"W1": delta1.T @ cache["X"], "b1": delta1.sum(axis=0),
            "W2": delta2.T @ cache["H"], "b2": delta2.sum(axis=0)}
