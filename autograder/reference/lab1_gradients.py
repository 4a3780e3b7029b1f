"""Reference for lab1_gradients (shared/LABS.md): derivatives by hand, checked by finite differences."""
import numpy as np


def f(x, y):
    """The function whose partial derivatives the students write."""
    return y**4 + 5 * x * y


def df_dx(x, y):
    return 5 * np.asarray(y, dtype=float) + 0 * np.asarray(x, dtype=float)


def df_dy(x, y):
    return 4 * np.asarray(y, dtype=float) ** 3 + 5 * np.asarray(x, dtype=float)


def sigmoid(z):
    # exp of minus |z| only: never overflows
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    e = np.exp(-np.abs(np.asarray(z, dtype=float)))
    return e / (1.0 + e) ** 2


def relu(z):
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def relu_prime(z):
    return (np.asarray(z, dtype=float) > 0).astype(float)


def neuron_loss(w, b, a_prev, y):
    return (sigmoid(w * a_prev + b) - y) ** 2


def neuron_grads(w, b, a_prev, y):
    z = w * a_prev + b
    a = sigmoid(z)
    dJ_dz = 2 * (a - y) * sigmoid_prime(z)
    return dJ_dz * a_prev, dJ_dz, dJ_dz * w


def numerical_gradient(fun, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[idx] = eps
        grad[idx] = (fun(x + step) - fun(x - step)) / (2 * eps)
    return grad


def relative_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


Q_PERCEPTRON = "b"
