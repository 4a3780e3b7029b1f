# rdm centres H in place (H -= ...): the right matrix, but the caller's responses are changed.
# expect-failing: rdm
# %% solution_rdm
def rdm(H):
    H -= H.mean(axis=1, keepdims=True)
    H /= np.linalg.norm(H, axis=1, keepdims=True)
    return 1.0 - H @ H.T
