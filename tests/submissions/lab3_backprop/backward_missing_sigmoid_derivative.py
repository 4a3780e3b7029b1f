# The hidden layer's error forgets the sigmoid's derivative H (1 - H): XOR is not learned either.
# expect-failing: backward, train, train_xor
# %% solution_backward
def backward(params, cache, T):
    X, H, Y = cache["X"], cache["H"], cache["Y"]
    delta2 = (Y - T) * Y * (1.0 - Y)
    delta1 = delta2 @ params["W2"]
    return {"W1": delta1.T @ X, "b1": delta1.sum(axis=0), "W2": delta2.T @ H, "b2": delta2.sum(axis=0)}
