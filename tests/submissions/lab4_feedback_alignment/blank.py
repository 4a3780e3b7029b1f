# The release notebook handed in unchanged: every check fails, nothing crashes.
# base: release
# expect-failing: bp_backward, fa_backward, fa_backward_output_layer, angle_between, train, train_fa_teacher, input_gradient, fgsm, rdm, rsa_similarity, dfa_backward
