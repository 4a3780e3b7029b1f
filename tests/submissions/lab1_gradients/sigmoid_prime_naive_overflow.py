# exp(-z) / (1 + exp(-z))**2 is inf / inf = nan for z below ~-709; sigmoid itself is right.
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
    return np.exp(-z) / (1 + np.exp(-z)) ** 2
