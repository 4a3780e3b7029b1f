# The bias gradients are left at zero: W1 and W2 right, b1 and b2 wrong: half of backward's
# points. train is right given the student's own backward: full.
# expect-score: backward=3
# %% solution_backward
def backward(params, cache, T):
    X, H, Y = cache["X"], cache["H"], cache["Y"]
    delta2 = (Y - T) * Y * (1.0 - Y)
    delta1 = (delta2 @ params["W2"]) * H * (1.0 - H)
    return {"W1": delta1.T @ X, "b1": np.zeros_like(params["b1"]), "W2": delta2.T @ H,
            "b2": np.zeros_like(params["b2"])}
