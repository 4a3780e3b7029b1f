"""Reference for lab4_feedback_alignment (shared/LABS.md): backprop and feedback alignment in a
tanh network with a linear output layer."""
import numpy as np


def init_params(n_in, n_hidden, n_out, rng):
    return {"W1": rng.normal(0.0, 1.0 / np.sqrt(n_in), (n_hidden, n_in)), "b1": np.zeros(n_hidden),
            "W2": rng.normal(0.0, 1.0 / np.sqrt(n_hidden), (n_out, n_hidden)), "b2": np.zeros(n_out)}


def forward(params, X):
    Z1 = X @ params["W1"].T + params["b1"]
    H = np.tanh(Z1)
    Y = H @ params["W2"].T + params["b2"]
    return Y, {"X": X, "Z1": Z1, "H": H, "Y": Y}


def loss(Y, T):
    return float(0.5 * np.sum((T - Y) ** 2))


def _grads(cache, delta2, delta1):
    return {"W1": delta1.T @ cache["X"], "b1": delta1.sum(axis=0),
            "W2": delta2.T @ cache["H"], "b2": delta2.sum(axis=0)}


def bp_backward(params, cache, T):
    delta2 = cache["Y"] - T
    delta1 = (delta2 @ params["W2"]) * (1.0 - cache["H"] ** 2)
    return _grads(cache, delta2, delta1)


def fa_backward(params, cache, T, B):
    delta2 = cache["Y"] - T
    delta1 = (delta2 @ B.T) * (1.0 - cache["H"] ** 2)
    return _grads(cache, delta2, delta1)


def angle_between(u, v):
    u, v = np.ravel(u).astype(float), np.ravel(v).astype(float)
    cos = np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def train(params, X, T, lr, n_epochs, rule, B=None):
    if rule not in ("bp", "fa"):
        raise ValueError(f"rule must be 'bp' or 'fa', got {rule!r}")
    if rule == "fa" and B is None:
        raise ValueError("rule 'fa' needs the feedback matrix B")
    history = {"loss": []} if rule == "bp" else {"loss": [], "angle": []}
    for _ in range(n_epochs):
        Y, cache = forward(params, X)
        history["loss"].append(loss(Y, T))
        bp = bp_backward(params, cache, T)
        if rule == "fa":
            update = fa_backward(params, cache, T, B)
            history["angle"].append(angle_between(update["W1"], bp["W1"]))
        else:
            update = bp
        params = {k: params[k] - lr * update[k] for k in params}
    return params, history


def teacher_task(rng, *, n_cases=100, n_in=30, n_hidden=20, n_out=10, init_scale=0.1):
    """Lillicrap et al.'s linear teacher: targets T_teacher @ x for a fixed random T_teacher.
    Returns (params, X, T, B): initial weights (small, init_scale times the usual 1/sqrt(fan-in):
    the forward weights then grow in the directions B sets), inputs, targets, feedback matrix."""
    teacher = rng.normal(0.0, 1.0 / np.sqrt(n_in), (n_out, n_in))
    X = rng.normal(0.0, 1.0, (n_cases, n_in))
    T = X @ teacher.T
    params = {k: init_scale * v for k, v in init_params(n_in, n_hidden, n_out, rng).items()}
    B = rng.normal(0.0, 1.0 / np.sqrt(n_hidden), (n_hidden, n_out))
    return params, X, T, B


# Do networks trained this way see like us? (the digits, Yamins & DiCarlo; Geirhos, Baker, Bowers)

def input_gradient(params, X, T):
    """d loss / d X, shape (N, D): backprop one layer further, to the pixels."""
    Y, cache = forward(params, X)
    delta1 = ((Y - T) @ params["W2"]) * (1.0 - cache["H"] ** 2)
    return delta1 @ params["W1"]


def fgsm(params, X, T, eps):
    """The fast gradient sign perturbation X + eps * sign(input_gradient), a new array."""
    return X + eps * np.sign(input_gradient(params, X, T))


def rdm(H):
    """1 - the Pearson correlation between every pair of rows (stimuli) of H, (N, N)."""
    return 1.0 - np.corrcoef(H)


def rsa_similarity(rdm_a, rdm_b):
    """The Pearson correlation of the entries above the diagonal of two RDMs of one shape."""
    upper = np.triu_indices(rdm_a.shape[0], k=1)
    return float(np.corrcoef(rdm_a[upper], rdm_b[upper])[0, 1])


# Direct feedback alignment (Nøkland 2016): a network with two hidden layers, each hidden layer's
# error taken straight from the output error through its own fixed random matrix.

DEEP_KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")


def init_deep(n_in, n_h1, n_h2, n_out, rng, scale=1.0):
    """Random weights (normal, std scale / sqrt(fan-in)), zero biases, for the two-hidden-layer net."""
    sizes = [(n_h1, n_in), (n_h2, n_h1), (n_out, n_h2)]
    params = {}
    for i, (rows, cols) in enumerate(sizes, start=1):
        params[f"W{i}"] = rng.normal(0.0, scale / np.sqrt(cols), (rows, cols))
        params[f"b{i}"] = np.zeros(rows)
    return params


def forward_deep(params, X):
    Z1 = X @ params["W1"].T + params["b1"]
    H1 = np.tanh(Z1)
    Z2 = H1 @ params["W2"].T + params["b2"]
    H2 = np.tanh(Z2)
    Y = H2 @ params["W3"].T + params["b3"]
    return Y, {"X": X, "Z1": Z1, "H1": H1, "Z2": Z2, "H2": H2, "Y": Y}


def _deep_grads(cache, delta3, delta2, delta1):
    return {"W1": delta1.T @ cache["X"], "b1": delta1.sum(axis=0),
            "W2": delta2.T @ cache["H1"], "b2": delta2.sum(axis=0),
            "W3": delta3.T @ cache["H2"], "b3": delta3.sum(axis=0)}


def bp_backward_deep(params, cache, T):
    """The true gradient of the loss of the two-hidden-layer network."""
    delta3 = cache["Y"] - T
    delta2 = (delta3 @ params["W3"]) * (1.0 - cache["H2"] ** 2)
    delta1 = (delta2 @ params["W2"]) * (1.0 - cache["H1"] ** 2)
    return _deep_grads(cache, delta3, delta2, delta1)


def dfa_backward(params, cache, T, B):
    """DFA: the output layer as backprop; each hidden layer's error is E @ B[...].T times tanh'."""
    E = cache["Y"] - T
    delta2 = (E @ B["B2"].T) * (1.0 - cache["H2"] ** 2)
    delta1 = (E @ B["B1"].T) * (1.0 - cache["H1"] ** 2)
    return _deep_grads(cache, E, delta2, delta1)
