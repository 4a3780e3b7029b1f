# Right in another style: loops over cases, the batch step as the sum of the online changes, a
# preallocated history, the spectral norm for the eigenvalue, answers typed as lists. Full marks.
# base: solution
# %% solution_predict
def predict(w, X):
    """The linear neuron's outputs X @ w, shape (N,)."""
    return np.array([np.dot(x_n, w) for x_n in X])
# %% solution_squared_error
def squared_error(w, X, t):
    """0.5 * sum over cases of (t - X @ w)**2, as a float."""
    r = t - predict(w, X)
    return 0.5 * r @ r
# %% solution_error_gradient
def error_gradient(w, X, t):
    """dE/dw for E = squared_error(w, X, t), shape (D,)."""
    grad = np.zeros(len(w))
    for x_n, t_n in zip(X, t):
        grad -= (t_n - x_n @ w) * x_n
    return grad
# %% solution_online_step
def delta_rule_online_step(w, x, t, lr):
    """New weights after one delta-rule step on the single case (x, t): w + lr * (t - x @ w) * x."""
    delta = t - np.sum(x * w)
    return w + lr * delta * x
# %% solution_batch_step
def delta_rule_batch_step(w, X, t, lr):
    """New weights after one batch step: w - lr * error_gradient(w, X, t)."""
    change = np.zeros_like(w)
    for x_n, t_n in zip(X, t):
        change += lr * (t_n - x_n @ w) * x_n
    return w + change
# %% solution_train
def train_delta_rule(w0, X, t, lr, n_epochs, mode):
    """Weight history, shape (n_epochs + 1, D), of the delta rule in mode "batch" or "online"."""
    history = np.zeros((n_epochs + 1, len(w0)))
    history[0] = w0
    for epoch in range(1, n_epochs + 1):
        w = history[epoch - 1].copy()
        if mode == "online":
            for n in range(X.shape[0]):
                w = delta_rule_online_step(w, X[n], t[n], lr)
        elif mode == "batch":
            w = delta_rule_batch_step(w, X, t, lr)
        else:
            raise ValueError(mode)
        history[epoch] = w
    return history
# %% solution_max_stable_lr
def max_stable_lr(X):
    """2 / (largest eigenvalue of X.T @ X): the batch rule converges for every rate below it."""
    return 2 / np.linalg.norm(X, 2) ** 2
# %% solution_first_update
# by hand: 850 - (100 + 250 + 150) = 350; 350 / 35 = 10; 10 * (2, 5, 3) = (20, 50, 30)
first_update = [70.0, 100.0, 80.0]
# %% solution_estimated_prices
lr = max_stable_lr(X_cafe) / 2
w = np.array([50.0, 50.0, 50.0])
for epoch in range(2000):
    w = delta_rule_batch_step(w, X_cafe, t_cafe, lr)
estimated_prices = list(w)
