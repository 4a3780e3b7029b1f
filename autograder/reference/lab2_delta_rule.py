"""Reference for lab2_delta_rule (shared/LABS.md): a linear neuron y = X @ w and the delta rule."""
import numpy as np

TRUE_PRICES = np.array([150.0, 50.0, 100.0])  # fish, chips, ketchup: the cashier's secret


def cafeteria_meals():
    """(X_cafe, t_cafe): the notebook's cafeteria, generated exactly as its given cell does."""
    rng_cafe = np.random.default_rng(2020)
    X_cafe = rng_cafe.integers(1, 6, size=(30, 3)).astype(float)
    t_cafe = X_cafe @ TRUE_PRICES + rng_cafe.normal(0.0, 10.0, size=30)
    return X_cafe, t_cafe


def predict(w, X):
    return X @ w


def squared_error(w, X, t):
    return float(0.5 * np.sum((t - X @ w) ** 2))


def error_gradient(w, X, t):
    return -(X.T @ (t - X @ w))


def delta_rule_online_step(w, x, t, lr):
    return w + lr * (t - x @ w) * x


def delta_rule_batch_step(w, X, t, lr):
    return w - lr * error_gradient(w, X, t)


def train_delta_rule(w0, X, t, lr, n_epochs, mode):
    if mode not in ("batch", "online"):
        raise ValueError(f"mode must be 'batch' or 'online', got {mode!r}")
    history = [np.array(w0, dtype=float)]
    w = history[0]
    for _ in range(n_epochs):
        if mode == "batch":
            w = delta_rule_batch_step(w, X, t, lr)
        else:
            for x_i, t_i in zip(X, t):
                w = delta_rule_online_step(w, x_i, t_i, lr)
        history.append(w)
    return np.array(history)


def max_stable_lr(X):
    return float(2.0 / np.linalg.eigvalsh(X.T @ X)[-1])


def least_squares_prices():
    """What the batch delta rule converges to on the notebook's meals."""
    X, t = cafeteria_meals()
    return np.linalg.lstsq(X, t, rcond=None)[0]


FIRST_UPDATE = delta_rule_online_step(np.array([50.0, 50.0, 50.0]), np.array([2.0, 5.0, 3.0]), 850.0, 1 / 35)
