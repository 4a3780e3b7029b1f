# Central differences for every parameter at once, vectorised over the cached activations: each
# weight's nudge is pushed only through the layers above it (one big array per layer, no loop).
# Right values, and faster than backprop written with loops on small networks; still a pass through
# the outputs per parameter: on the units test (the same weights per layer next to 1,250 hidden
# units and 4 outputs, or 50 and 100 outputs) its time per parameter is about 20x on the second,
# backprop's within 1.5x: 0 for backward. train and train_xor keep their points (right given the
# student's own backward). Graded in the sandbox only (timed as the sandboxed kernel runs it).
# expect-failing: backward
# sandbox-only
# %% solution_backward
def backward(params, cache, T):
    X, Z1, H, Z2 = cache["X"], cache["Z1"], cache["H"], cache["Z2"]
    W2, eps = params["W2"], 1e-6

    def total(Z2p):  # the loss for every leading index of a stack of output-layer inputs
        return 0.5 * np.sum((T - sigmoid(Z2p)) ** 2, axis=(-2, -1))

    outputs = np.eye(Z2.shape[1])
    b2_nudge = outputs[:, None, :]  # (K, 1, K)
    g_b2 = (total(Z2[None] + eps * b2_nudge) - total(Z2[None] - eps * b2_nudge)) / (2 * eps)
    w2_nudge = H.T[None, :, :, None] * outputs[:, None, None, :]  # (K, H, N, K)
    g_W2 = (total(Z2[None, None] + eps * w2_nudge) - total(Z2[None, None] - eps * w2_nudge)) / (2 * eps)

    def hidden(dz):  # dz (J, I, N): the nudge of Z1[:, j]; its effect on the loss, pushed through W2
        ends = []
        for sign in (1.0, -1.0):
            dH = sigmoid(Z1.T[:, None, :] + sign * eps * dz) - H.T[:, None, :]
            ends.append(total(Z2[None, None] + dH[..., None] * W2.T[:, None, None, :]))
        return (ends[0] - ends[1]) / (2 * eps)

    g_W1 = hidden(np.broadcast_to(X.T[None], (H.shape[1],) + X.T.shape))
    g_b1 = hidden(np.ones((H.shape[1], 1, X.shape[0])))[:, 0]
    return {"W1": g_W1, "b1": g_b1, "W2": g_W2, "b2": g_b2}
