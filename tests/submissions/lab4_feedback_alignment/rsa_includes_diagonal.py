# rsa_similarity correlates every entry of the two RDMs, the zero diagonal included.
# expect-failing: rsa_similarity
# %% solution_rsa_similarity
def rsa_similarity(rdm_a, rdm_b):
    return float(np.corrcoef(rdm_a.ravel(), rdm_b.ravel())[0, 1])
