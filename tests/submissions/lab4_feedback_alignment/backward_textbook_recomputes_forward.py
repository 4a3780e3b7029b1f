# In the style of public feedback-alignment code: both backward passes recompute the layers from
# cache["X"] and params (column vectors, one example at a time, gradients summed) instead of
# reading the cached activations. That is backprop (and FA): full marks.
# expect-failing:
# %% solution_bp_backward
def _layers(params, x):
    h = np.tanh(params["W1"] @ x + params["b1"][:, None])
    return h, params["W2"] @ h + params["b2"][:, None]


def _backward_through(params, cache, T, feedback):
    grads = {k: np.zeros(v.shape) for k, v in params.items()}
    for x, t in zip(cache["X"], T):
        x, t = x[:, None], t[:, None]
        h, y = _layers(params, x)
        e = y - t
        grads["W2"] += e @ h.T
        grads["b2"] += e[:, 0]
        d = (feedback @ e) * (1 - h ** 2)
        grads["W1"] += d @ x.T
        grads["b1"] += d[:, 0]
    return grads


def bp_backward(params, cache, T):
    """The true gradient of the loss: a dict like params."""
    return _backward_through(params, cache, T, params["W2"].T)
# %% solution_fa_backward
def fa_backward(params, cache, T, B):
    """Feedback alignment: bp_backward with the hidden error sent back through B."""
    return _backward_through(params, cache, T, B)
