# A correct backward written case by case with explicit loops: full marks.
# expect-failing:
# %% solution_backward
def backward(params, cache, T):
    X, H, Y = cache["X"], cache["H"], cache["Y"]
    W2 = params["W2"]
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    for n in range(X.shape[0]):
        d2 = (Y[n] - T[n]) * Y[n] * (1 - Y[n])
        for k in range(W2.shape[0]):
            for h in range(W2.shape[1]):
                grads["W2"][k, h] += d2[k] * H[n, h]
        grads["b2"] += d2
        d1 = np.zeros(H.shape[1])
        for h in range(H.shape[1]):
            d1[h] = sum(d2[k] * W2[k, h] for k in range(W2.shape[0])) * H[n, h] * (1 - H[n, h])
        grads["W1"] += np.outer(d1, X[n])
        grads["b1"] += d1
    return grads
