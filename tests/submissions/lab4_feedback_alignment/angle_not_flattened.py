# np.dot of two matrices is a matrix product, not the dot product of the flat vectors.
# train is right given the student's own angle_between (error carried forward): full.
# expect-failing: angle_between
# %% solution_angle_between
def angle_between(u, v):
    cos = np.sum(np.dot(u, np.transpose(v))) / (np.linalg.norm(u) * np.linalg.norm(v))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))
