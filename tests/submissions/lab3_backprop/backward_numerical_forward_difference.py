# Forward differences with a hand-written forward pass from cache["X"] (no call to forward or
# loss): a forward pass per parameter, not backprop: 0 for backward only.
# expect-failing: backward
# %% solution_backward
def backward(params, cache, T):
    X, eps = cache["X"], 1e-7
    work = {k: np.array(v, dtype=float) for k, v in params.items()}

    def cost():
        H = 1 / (1 + np.exp(-(X @ work["W1"].T + work["b1"])))
        Y = 1 / (1 + np.exp(-(H @ work["W2"].T + work["b2"])))
        return 0.5 * np.sum((T - Y) ** 2)

    base = cost()
    grads = {}
    for key, value in work.items():
        flat = value.reshape(-1)
        g = np.zeros(flat.size)
        for i in range(flat.size):
            flat[i] += eps
            g[i] = (cost() - base) / eps
            flat[i] -= eps
        grads[key] = g.reshape(value.shape)
    return grads
