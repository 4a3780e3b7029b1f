# The textbook sigmoid 1 / (1 + exp(-z)): np.exp overflows to inf for z below about -709 (with a
# warning) and 1 / inf is 0, the right value. Graded on values only: full marks.
# base: solution
# expect-failing:
# %% solution_sigmoid
def sigmoid(z):
    """The logistic sigmoid 1 / (1 + exp(-z)), elementwise, without overflow for |z| up to 1e3."""
    return 1 / (1 + np.exp(-z))


def sigmoid_prime(z):
    """The derivative of the sigmoid, elementwise, without overflow for |z| up to 1e3."""
    s = sigmoid(z)
    return s * (1 - s)
