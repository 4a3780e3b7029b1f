# Backprop computed in float32 (as GPU code would) and returned as float32 arrays: right to
# float32's precision, graded with float32's tolerance: full marks.
# expect-failing:
# %% solution_backward
def backward(params, cache, T):
    X, H, Y = (cache[k].astype(np.float32) for k in ("X", "H", "Y"))
    T32, W2 = T.astype(np.float32), params["W2"].astype(np.float32)
    delta2 = (Y - T32) * Y * (np.float32(1) - Y)
    delta1 = (delta2 @ W2) * H * (np.float32(1) - H)
    return {"W1": delta1.T @ X, "b1": delta1.sum(axis=0), "W2": delta2.T @ H, "b2": delta2.sum(axis=0)}
