# The answer written out instead of one letter.
# base: solution
# expect-failing: q_perceptron
# %% solution_q_perceptron
q_perceptron = "the activation function is not differentiable"
