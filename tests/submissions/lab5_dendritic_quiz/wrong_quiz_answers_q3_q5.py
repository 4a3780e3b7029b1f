# Two wrong answers: (b) for q3, and q5 computed without the apical conductance.
# expect-failing: q3, q5
# %% solution_q3
q3 = "b"
# %% solution_q5
q5 = 2.5 * 1.0 / 1.1
