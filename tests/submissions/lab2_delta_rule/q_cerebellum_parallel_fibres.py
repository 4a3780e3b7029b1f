# The cerebellum quiz answered with the parallel fibres: the Purkinje cell's input, not its error.
# base: solution
# expect-failing: q_cerebellum
# %% solution_q_cerebellum
q_cerebellum = "a"
