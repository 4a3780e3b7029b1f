# Differentiates the loss numerically (central differences, from cache["X"] with the student's own
# forward and loss, each weight nudged in place and put back): right values, but a forward pass
# per parameter is not backprop: 0 for backward, caught by its cost (checks/cost.py).
# train and train_xor keep their points (they are right given the student's own backward).
# expect-failing: backward
# %% solution_backward
def backward(params, cache, T):
    X, eps = cache["X"], 1e-6
    work = {k: np.array(v, dtype=float) for k, v in params.items()}
    grads = {}
    for key, value in work.items():
        g = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            old = value[idx]
            value[idx] = old + eps
            up = loss(forward(work, X)[0], T)
            value[idx] = old - eps
            down = loss(forward(work, X)[0], T)
            value[idx] = old
            g[idx] = (up - down) / (2 * eps)
        grads[key] = g
    return grads
