# df_dx and df_dy swapped.
# base: solution
# expect-failing: df_dx, df_dy
# %% solution_partials
def df_dx(x, y):
    """Partial derivative of f(x, y) = y**4 + 5*x*y with respect to x, elementwise."""
    return 4 * y**3 + 5 * x


def df_dy(x, y):
    """Partial derivative of f(x, y) = y**4 + 5*x*y with respect to y, elementwise."""
    return 5 * y
