# No floor of 1e-8 in the denominator: 0 / 0 = nan when both arrays are zero.
# base: solution
# expect-failing: relative_error
# %% solution_relative_error
def relative_error(a, b):
    """max over entries of |a - b| / max(1e-8, |a| + |b|), as a float."""
    return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b))))
