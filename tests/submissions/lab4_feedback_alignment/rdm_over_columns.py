# rdm correlates the columns of H (units) instead of its rows (stimuli).
# expect-failing: rdm
# %% solution_rdm
def rdm(H):
    return 1.0 - np.corrcoef(H, rowvar=False)
