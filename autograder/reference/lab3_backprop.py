"""Reference for lab3_backprop (shared/LABS.md): a sigmoid three-layer network."""
import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def init_params(n_in, n_hidden, n_out, rng):
    scale1, scale2 = 1.0 / np.sqrt(n_in), 1.0 / np.sqrt(n_hidden)
    return {"W1": rng.normal(0.0, scale1, (n_hidden, n_in)), "b1": np.zeros(n_hidden),
            "W2": rng.normal(0.0, scale2, (n_out, n_hidden)), "b2": np.zeros(n_out)}


def forward(params, X):
    Z1 = X @ params["W1"].T + params["b1"]
    H = sigmoid(Z1)
    Z2 = H @ params["W2"].T + params["b2"]
    Y = sigmoid(Z2)
    return Y, {"X": X, "Z1": Z1, "H": H, "Z2": Z2, "Y": Y}


def loss(Y, T):
    return float(0.5 * np.sum((T - Y) ** 2))


def backward(params, cache, T):
    X, H, Y = cache["X"], cache["H"], cache["Y"]
    delta2 = (Y - T) * Y * (1.0 - Y)
    delta1 = (delta2 @ params["W2"]) * H * (1.0 - H)
    return {"W1": delta1.T @ X, "b1": delta1.sum(axis=0), "W2": delta2.T @ H, "b2": delta2.sum(axis=0)}


def sgd_step(params, grads, lr):
    return {k: params[k] - lr * grads[k] for k in params}


def train(params, X, T, lr, n_epochs):
    losses = []
    for _ in range(n_epochs):
        Y, cache = forward(params, X)
        losses.append(loss(Y, T))
        params = sgd_step(params, backward(params, cache, T), lr)
    return params, losses
