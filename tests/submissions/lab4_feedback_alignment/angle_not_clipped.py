# No clipping: rounding puts the cosine of parallel vectors at 1.0000000000000002 and arccos
# gives nan.
# expect-failing: angle_between
# %% solution_angle_between
def angle_between(u, v):
    u, v = np.ravel(u), np.ravel(v)
    cos = np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v))
    return float(np.degrees(np.arccos(cos)))
