# dL/dz of every unit by a complex step (each hidden and output unit's input nudged by 1e-30 i, the
# network above it run again), only dz/dW by hand (delta.T @ input). Exact values, and a loop over
# units, not weights: on small networks a few hundred small passes cost what backprop costs, but a
# pass through the layers above per hidden unit grows with the units: on the units test (the same
# weights per layer next to 1,250 hidden units or to 50) its time per parameter is about 20x on
# the first, backprop's within 1.5x: 0 for backward. Timed as the sandboxed kernel runs it (numpy on
# one thread): graded in the sandbox only.
# expect-failing: backward
# sandbox-only
# %% solution_backward
def backward(params, cache, T):
    X, Z1, H, Z2 = cache["X"], cache["Z1"], cache["H"], cache["Z2"]
    W2, b2, h = params["W2"], params["b2"], 1e-30

    def per_case_loss(Y):
        return 0.5 * np.sum((T - Y) ** 2, axis=1)

    delta1 = np.zeros(Z1.shape)
    for j in range(Z1.shape[1]):
        Zc = Z1.astype(complex)
        Zc[:, j] += 1j * h
        Y = 1 / (1 + np.exp(-((1 / (1 + np.exp(-Zc))) @ W2.T + b2)))
        delta1[:, j] = per_case_loss(Y).imag / h
    delta2 = np.zeros(Z2.shape)
    for k in range(Z2.shape[1]):
        Zc = Z2.astype(complex)
        Zc[:, k] += 1j * h
        delta2[:, k] = per_case_loss(1 / (1 + np.exp(-Zc))).imag / h
    return {"W1": delta1.T @ X, "b1": delta1.sum(axis=0), "W2": delta2.T @ H, "b2": delta2.sum(axis=0)}
