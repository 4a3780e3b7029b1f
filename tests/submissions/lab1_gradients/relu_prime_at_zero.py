# relu_prime(0) == 1 (z >= 0): the course's convention is 0.
# base: solution
# expect-failing: relu_prime
# %% solution_relu
def relu(z):
    """max(0, z), elementwise, as a float array."""
    return np.maximum(z, 0.0)


def relu_prime(z):
    """The slope of the ReLU, elementwise, as a float array: 1.0 where z > 0, else 0.0 (also at 0)."""
    return (z >= 0).astype(float)
