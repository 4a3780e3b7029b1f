# The release notebook submitted untouched: every graded cell scores 0.
# base: release
# expect-failing: df_dx, df_dy, sigmoid, sigmoid_prime, relu, relu_prime, neuron_grads, numerical_gradient, numerical_gradient_unchanged, relative_error, q_perceptron
