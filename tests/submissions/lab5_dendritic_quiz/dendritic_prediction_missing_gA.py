# The apical conductance left out of the denominator; the update uses the wrong prediction too.
# expect-failing: dendritic_prediction, urbanczik_senn_update
# %% solution_dendritic_prediction
def dendritic_prediction(v_basal, g_lk=0.1, g_b=1.0, g_a=0.8):
    return g_b / (g_lk + g_b) * np.asarray(v_basal, dtype=float)
