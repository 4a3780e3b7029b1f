# The conductances written in as numbers: right with the defaults, wrong for any others.
# expect-failing: dendritic_prediction, urbanczik_senn_update
# %% solution_dendritic_prediction
def dendritic_prediction(v_basal, g_lk=0.1, g_b=1.0, g_a=0.8):
    return 1.0 / 1.9 * np.asarray(v_basal, dtype=float)
