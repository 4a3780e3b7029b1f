# In the style of the well-known 11-line numpy network: the error is target minus output, the
# deltas point downhill (the update direction, as `syn0 += l0.T.dot(l1_delta)` adds it), and the
# gradient is returned as minus that direction. Recomputes the layers from cache["X"]: full marks.
# expect-failing:
# %% solution_backward
def backward(params, cache, T):
    l0 = cache["X"]
    l1 = 1 / (1 + np.exp(-(l0.dot(params["W1"].T) + params["b1"])))
    l2 = 1 / (1 + np.exp(-(l1.dot(params["W2"].T) + params["b2"])))
    l2_error = T - l2
    l2_delta = l2_error * (l2 * (1 - l2))
    l1_error = l2_delta.dot(params["W2"])
    l1_delta = l1_error * (l1 * (1 - l1))
    update = {"W1": l1_delta.T.dot(l0), "b1": l1_delta.sum(0), "W2": l2_delta.T.dot(l1), "b2": l2_delta.sum(0)}
    return {k: -v for k, v in update.items()}
