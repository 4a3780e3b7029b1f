# Backprop with a Python loop over every weight (no matrix products at all): the slowest honest
# backprop, its time per parameter within 1.5x on the units test (checks/cost.py): full marks.
# expect-failing:
# %% solution_backward
def backward(params, cache, T):
    X, H, Y = cache["X"], cache["H"], cache["Y"]
    W2 = params["W2"]
    N, D = X.shape
    K, Hn = W2.shape
    grads = {k: np.zeros(v.shape) for k, v in params.items()}
    for n in range(N):
        d2 = [(Y[n, k] - T[n, k]) * Y[n, k] * (1 - Y[n, k]) for k in range(K)]
        for k in range(K):
            grads["b2"][k] += d2[k]
            for j in range(Hn):
                grads["W2"][k, j] += d2[k] * H[n, j]
        for j in range(Hn):
            d1 = 0.0
            for k in range(K):
                d1 += d2[k] * W2[k, j]
            d1 *= H[n, j] * (1 - H[n, j])
            grads["b1"][j] += d1
            row = grads["W1"][j]
            for i in range(D):
                row[i] += d1 * X[n, i]
    return grads
