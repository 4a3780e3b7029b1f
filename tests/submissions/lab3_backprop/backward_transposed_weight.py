# dW1 computed as X.T @ delta1: the transpose of the right shape. b1, W2, b2 right: 4.5 of 6.
# train and train_xor are right given the student's own parts: full.
# expect-score: backward=4.5
# %% solution_backward
def backward(params, cache, T):
    X, H, Y = cache["X"], cache["H"], cache["Y"]
    delta2 = (Y - T) * Y * (1.0 - Y)
    delta1 = (delta2 @ params["W2"]) * H * (1.0 - H)
    return {"W1": X.T @ delta1, "b1": delta1.sum(axis=0), "W2": delta2.T @ H, "b2": delta2.sum(axis=0)}
