"""Reference for lab5_dendritic_quiz (shared/LABS.md): the dendritic error model of Sacramento
et al. (2018), and the quiz's answers. Grader-side only: the answers never reach the release."""
import numpy as np

G_LK, G_B, G_A = 0.1, 1.0, 0.8


def dendritic_prediction(v_basal, g_lk=G_LK, g_b=G_B, g_a=G_A):
    return g_b / (g_lk + g_b + g_a) * np.asarray(v_basal, dtype=float)


def apical_potential(W_down, r_above, W_inter, r_inter):
    return W_down @ r_above + W_inter @ r_inter


def urbanczik_senn_update(eta, u_soma, v_basal, r_pre, phi, g_lk=G_LK, g_b=G_B, g_a=G_A):
    return eta * np.outer(phi(u_soma) - phi(dendritic_prediction(v_basal, g_lk, g_b, g_a)), r_pre)


def contrastive_update(pre_free, post_free, pre_nudged, post_nudged, beta, eta):
    """Equilibrium propagation's weight change (Scellier & Bengio 2017): the nudged phase's local
    correlation minus the free phase's, scaled by eta / beta; shape (n_post, n_pre)."""
    return eta / beta * (np.outer(post_nudged, pre_nudged) - np.outer(post_free, pre_free))


# The quiz. Multiple choice: one letter, compared case-insensitively after strip. Numeric: floats,
# to a relative 1e-6. Fill-in: any of the accepted answers, compared lower-cased and stripped.
CHOICE = {"q1": "c", "q2": "b", "q3": "d", "q4": "a", "q6": "b", "q8": "c", "q10": "a", "q11": "d", "q12": "b"}
NUMERIC = {
    "q5": float(dendritic_prediction(2.5)),                               # 2.5 / 1.9
    "q7": float(apical_potential(np.array([[1.0, 2.0]]), np.array([0.5, 0.25]),
                                 np.array([[-1.0, -0.5]]), np.array([0.3, 0.4]))[0]),  # 1.0 - 0.5 = 0.5
    "q9": float(urbanczik_senn_update(0.5, np.array([2.0]), np.array([1.9]), np.array([0.4]),
                                      lambda u: u)[0, 0]),               # 0.5 * (2 - 1) * 0.4 = 0.2
}
FILL_IN = {"q13": ["self-predicting", "self predicting", "selfpredicting", "self-predicting state",
                   "self predicting state", "the self-predicting state"]}
QUESTIONS = sorted([*CHOICE, *NUMERIC, *FILL_IN], key=lambda q: int(q[1:]))
