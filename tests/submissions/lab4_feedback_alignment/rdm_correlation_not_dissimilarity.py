# rdm returns the correlation matrix itself, not 1 - the correlation.
# expect-failing: rdm
# %% solution_rdm
def rdm(H):
    return np.corrcoef(H)
