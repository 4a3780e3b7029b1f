# arccos gives radians; the lab asks for degrees.
# train is right given the student's own angle_between (error carried forward): full.
# expect-failing: angle_between
# %% solution_angle_between
def angle_between(u, v):
    u, v = np.ravel(u), np.ravel(v)
    cos = np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v))
    return float(np.arccos(np.clip(cos, -1.0, 1.0)))
