# The release notebook handed in unchanged: every check fails, nothing crashes.
# base: release
# expect-failing: dendritic_prediction, apical_potential, urbanczik_senn_update, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14, q15, contrastive_update
