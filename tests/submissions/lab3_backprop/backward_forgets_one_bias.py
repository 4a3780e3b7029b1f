# Forgets the output bias's gradient (returns zeros for b2); W1, b1 and W2 are right: 3 of the
# 4 parameters, 4.5 of backward's 6 points. train keeps its points (right given its parts).
# expect-score: backward=4.5
# %% solution_backward
def backward(params, cache, T):
    X, H, Y = cache["X"], cache["H"], cache["Y"]
    delta2 = (Y - T) * Y * (1.0 - Y)
    delta1 = (delta2 @ params["W2"]) * H * (1.0 - H)
    return {"W1": delta1.T @ X, "b1": delta1.sum(axis=0), "W2": delta2.T @ H, "b2": np.zeros_like(params["b2"])}
