# The complex-step derivative Im(J(w + ih)) / h, exact to rounding, from cache["X"]: a forward pass
# per parameter, not backprop: 0 for backward only.
# expect-failing: backward
# %% solution_backward
def backward(params, cache, T):
    X, h = cache["X"], 1e-30
    work = {k: np.array(v, dtype=complex) for k, v in params.items()}

    def cost():
        H = 1 / (1 + np.exp(-(X @ work["W1"].T + work["b1"])))
        Y = 1 / (1 + np.exp(-(H @ work["W2"].T + work["b2"])))
        return np.sum(0.5 * (T - Y) ** 2)

    grads = {}
    for key, value in work.items():
        flat = value.reshape(-1)
        g = np.zeros(flat.size)
        for i in range(flat.size):
            flat[i] += 1j * h
            g[i] = cost().imag / h
            flat[i] -= 1j * h
        grads[key] = g.reshape(value.shape)
    return grads
