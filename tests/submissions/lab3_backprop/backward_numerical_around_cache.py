# Central differences around the cache: the output layer's gradients from the cached H (only the
# second layer re-run), the hidden layer's from the cached X. Values right, and with caches from
# the reference forward it looks like backprop; still a forward pass per parameter: 0 for backward.
# expect-failing: backward
# %% solution_backward
def backward(params, cache, T):
    X, H, eps = cache["X"], cache["H"], 1e-6
    work = {k: np.array(v, dtype=float) for k, v in params.items()}

    def out_loss():
        return loss(sigmoid(H @ work["W2"].T + work["b2"]), T)

    def full_loss():
        return loss(sigmoid(sigmoid(X @ work["W1"].T + work["b1"]) @ work["W2"].T + work["b2"]), T)

    grads = {}
    for key, value in work.items():
        f = out_loss if key in ("W2", "b2") else full_loss
        g = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            old = value[idx]
            value[idx] = old + eps
            up = f()
            value[idx] = old - eps
            g[idx] = (up - f()) / (2 * eps)
            value[idx] = old
        grads[key] = g
    return grads
