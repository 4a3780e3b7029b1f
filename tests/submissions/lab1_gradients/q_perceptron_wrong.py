# The wrong letter.
# base: solution
# expect-failing: q_perceptron
# %% solution_q_perceptron
q_perceptron = "a"
