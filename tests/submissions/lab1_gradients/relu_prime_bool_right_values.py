# relu_prime returns the boolean array z > 0: the right 0/1 values, and shared/LABS.md says nothing
# of relu_prime's dtype: values are graded as values, full marks.
# base: solution
# expect-failing:
# %% solution_relu
def relu(z):
    """max(0, z), elementwise, as a float array."""
    return np.maximum(z, 0.0)


def relu_prime(z):
    """The slope of the ReLU, elementwise, as a float array: 1.0 where z > 0, else 0.0 (also at 0)."""
    return z > 0
