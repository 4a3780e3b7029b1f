# Error carried forward: sigmoid_prime forgets a factor (sigmoid(z) * (1 + sigmoid(z))), and
# neuron_grads, right, builds on it: sigmoid_prime loses its points, neuron_grads keeps its own.
# base: solution
# expect-failing: sigmoid_prime
# %% solution_sigmoid
def sigmoid(z):
    """The logistic sigmoid 1 / (1 + exp(-z)), elementwise, without overflow for |z| up to 1e3."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    """The derivative of the sigmoid, elementwise, without overflow for |z| up to 1e3."""
    s = sigmoid(z)
    return s * (1 + s)
