# Right numbers, but computed in place in cache["Y"]: the caller's cache is destroyed.
# expect-failing: backward
# %% solution_backward
def backward(params, cache, T):
    X, H = cache["X"], cache["H"]
    delta2 = cache["Y"]
    Y = delta2.copy()
    delta2 -= T
    delta2 *= Y * (1.0 - Y)
    delta1 = (delta2 @ params["W2"]) * H * (1.0 - H)
    return {"W1": delta1.T @ X, "b1": delta1.sum(axis=0), "W2": delta2.T @ H, "b2": delta2.sum(axis=0)}
