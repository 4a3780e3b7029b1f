# exp(z) / (1 + exp(z)) is inf / inf = nan for z above ~709: sigmoid and sigmoid_prime (built on
# it) fail; the neuron's inputs stay moderate, so neuron_grads still passes.
# base: solution
# expect-failing: sigmoid, sigmoid_prime
# %% solution_sigmoid
def sigmoid(z):
    """The logistic sigmoid 1 / (1 + exp(-z)), elementwise, without overflow for |z| up to 1e3."""
    return np.exp(z) / (1 + np.exp(z))


def sigmoid_prime(z):
    """The derivative of the sigmoid, elementwise, without overflow for |z| up to 1e3."""
    return sigmoid(z) * (1 - sigmoid(z))
