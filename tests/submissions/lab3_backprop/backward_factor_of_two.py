# Differentiates (T - Y)**2 without the 0.5: every gradient twice too large, so all four parts of
# backward fail. train is right given the student's own backward (error carried forward): full.
# expect-failing: backward
# %% solution_backward
def backward(params, cache, T):
    X, H, Y = cache["X"], cache["H"], cache["Y"]
    delta2 = 2 * (Y - T) * Y * (1.0 - Y)
    delta1 = (delta2 @ params["W2"]) * H * (1.0 - H)
    return {"W1": delta1.T @ X, "b1": delta1.sum(axis=0), "W2": delta2.T @ H, "b2": delta2.sum(axis=0)}
