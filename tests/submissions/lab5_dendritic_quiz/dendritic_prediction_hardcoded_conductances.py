# The conductances written in as numbers: right with the defaults, wrong for any others.
# urbanczik_senn_update is right given the student's own dendritic_prediction (error carried forward).
# expect-failing: dendritic_prediction
# %% solution_dendritic_prediction
def dendritic_prediction(v_basal, g_lk=0.1, g_b=1.0, g_a=0.8):
    return 1.0 / 1.9 * np.asarray(v_basal, dtype=float)
