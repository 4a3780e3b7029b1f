# q5 rounded to two decimals, q7 as a string, q1 as the answer's text, q13 misspelt.
# expect-failing: q1, q5, q7, q13
# %% solution_q1
q1 = "on the apical dendrite"
# %% solution_q5
q5 = 1.32
# %% solution_q7
q7 = "0.5"
# %% solution_q13
q13 = "self-predicted"
