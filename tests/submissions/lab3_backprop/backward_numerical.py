# Differentiates the loss numerically instead of by the chain rule: not backprop, no points for
# backward (training still works, so train and train_xor keep theirs).
# expect-failing: backward
# %% solution_backward
def backward(params, cache, T):
    X, eps = cache["X"], 1e-6
    grads = {}
    for key, value in params.items():
        g = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[key][idx] += eps
            minus[key][idx] -= eps
            g[idx] = (loss(forward(plus, X)[0], T) - loss(forward(minus, X)[0], T)) / (2 * eps)
        grads[key] = g
    return grads
