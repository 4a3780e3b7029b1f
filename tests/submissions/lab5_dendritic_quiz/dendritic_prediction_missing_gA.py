# The apical conductance left out of the denominator; the update uses the wrong prediction too.
# urbanczik_senn_update is right given the student's own dendritic_prediction (error carried forward).
# expect-failing: dendritic_prediction
# %% solution_dendritic_prediction
def dendritic_prediction(v_basal, g_lk=0.1, g_b=1.0, g_a=0.8):
    return g_b / (g_lk + g_b) * np.asarray(v_basal, dtype=float)
