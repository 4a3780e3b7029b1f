# q14 leaves out the apical compartment (the dendritic prediction of v_B alone, 1.0) and q15 blames
# the interneurons, which are driven from below and never see the nudge.
# expect-failing: q14, q15
# %% solution_q14
q14 = 1.0
# %% solution_q15
q15 = "a"
