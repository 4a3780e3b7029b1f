# Textbook backprop (in the style of Nielsen's network.py): the forward pass recomputed from
# cache["X"] and params, one example at a time as column vectors, the per-example gradients
# summed. It ignores the cached activations, and it is backprop: full marks.
# expect-failing:
# %% solution_backward
def backward(params, cache, T):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    nabla = {k: np.zeros(v.shape) for k, v in params.items()}
    for x, t in zip(cache["X"], T):
        x, t = x.reshape(-1, 1), t.reshape(-1, 1)
        z1 = W1 @ x + b1.reshape(-1, 1)
        a1 = 1.0 / (1.0 + np.exp(-z1))
        z2 = W2 @ a1 + b2.reshape(-1, 1)
        a2 = 1.0 / (1.0 + np.exp(-z2))
        delta = (a2 - t) * a2 * (1 - a2)
        nabla["W2"] += delta @ a1.T
        nabla["b2"] += delta.ravel()
        delta = (W2.T @ delta) * a1 * (1 - a1)
        nabla["W1"] += delta @ x.T
        nabla["b1"] += delta.ravel()
    return nabla
