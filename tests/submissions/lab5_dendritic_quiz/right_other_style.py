# Loops and einsum, upper-case letters with spaces, an int-valued numeric answer written as a
# fraction, the fill-in with capitals and without the hyphen: all accepted, full marks.
# expect-failing:
# %% solution_dendritic_prediction
def dendritic_prediction(v_basal, g_lk=0.1, g_b=1.0, g_a=0.8):
    total = g_lk + g_b + g_a
    return np.multiply(v_basal, g_b / total, dtype=float)
# %% solution_apical_potential
def apical_potential(W_down, r_above, W_inter, r_inter):
    v = np.einsum("ij,j->i", W_down, r_above)
    for i in range(W_inter.shape[0]):
        for k in range(W_inter.shape[1]):
            v[i] = v[i] + W_inter[i, k] * r_inter[k]
    return v
# %% solution_urbanczik_senn_update
def urbanczik_senn_update(eta, u_soma, v_basal, r_pre, phi, g_lk=0.1, g_b=1.0, g_a=0.8):
    prediction = dendritic_prediction(v_basal, g_lk=g_lk, g_b=g_b, g_a=g_a)
    dW = np.zeros((len(u_soma), len(r_pre)))
    for i in range(len(u_soma)):
        dW[i, :] = eta * (phi(u_soma[i]) - phi(prediction[i])) * r_pre
    return dW
# %% solution_q1
q1 = " C "
# %% solution_q3
q3 = "D"
# %% solution_q5
q5 = 25 / 19
# %% solution_q13
q13 = "  Self Predicting "
