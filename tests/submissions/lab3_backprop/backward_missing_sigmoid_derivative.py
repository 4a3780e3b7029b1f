# The hidden layer's error forgets the sigmoid's derivative H (1 - H): W1 and b1 wrong, W2 and b2
# right (half of backward). XOR is not learned, but train follows the student's own parts, so
# train and train_xor keep their points (error carried forward).
# expect-score: backward=3
# %% solution_backward
def backward(params, cache, T):
    X, H, Y = cache["X"], cache["H"], cache["Y"]
    delta2 = (Y - T) * Y * (1.0 - Y)
    delta1 = delta2 @ params["W2"]
    return {"W1": delta1.T @ X, "b1": delta1.sum(axis=0), "W2": delta2.T @ H, "b2": delta2.sum(axis=0)}
