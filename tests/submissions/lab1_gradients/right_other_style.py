# Right in another style: masks and loops instead of np.where and vector arithmetic, an
# upper-case answer. Full marks.
# base: solution
# %% solution_partials
def df_dx(x, y):
    """Partial derivative of f(x, y) = y**4 + 5*x*y with respect to x, elementwise."""
    return y * 5


def df_dy(x, y):
    """Partial derivative of f(x, y) = y**4 + 5*x*y with respect to y, elementwise."""
    return 4 * y * y * y + 5 * x
# %% solution_sigmoid
def sigmoid(z):
    """The logistic sigmoid 1 / (1 + exp(-z)), elementwise, without overflow for |z| up to 1e3."""
    z = np.array(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1 + ez)
    return out


def sigmoid_prime(z):
    """The derivative of the sigmoid, elementwise, without overflow for |z| up to 1e3."""
    return sigmoid(z) * sigmoid(-z)
# %% solution_relu
def relu(z):
    """max(0, z), elementwise, as a float array."""
    return np.where(z > 0, z, 0.0)


def relu_prime(z):
    """The slope of the ReLU, elementwise, as a float array: 1.0 where z > 0, else 0.0 (also at 0)."""
    return np.where(z > 0, 1.0, 0.0)
# %% solution_neuron_grads
def neuron_grads(w, b, a_prev, y):
    """(dJ_dw, dJ_db, dJ_da_prev) for a = sigmoid(w*a_prev + b) and J = (a - y)**2, elementwise."""
    z = w * a_prev + b
    a = sigmoid(z)
    dJ_da = 2 * (a - y)
    da_dz = a * (1 - a)
    dJ_dw = dJ_da * da_dz * a_prev
    dJ_db = dJ_da * da_dz
    dJ_da_prev = dJ_da * da_dz * w
    return (dJ_dw, dJ_db, dJ_da_prev)
# %% solution_numerical_gradient
def numerical_gradient(fun, x, eps=1e-6):
    """Central-difference estimate of the gradient of the scalar function fun at x (any shape)."""
    flat = x.astype(float).ravel()  # a copy: x itself is never touched
    grad = np.zeros(flat.size)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        f_plus = fun(flat.reshape(x.shape))
        flat[i] = old - eps
        f_minus = fun(flat.reshape(x.shape))
        flat[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad.reshape(x.shape)
# %% solution_relative_error
def relative_error(a, b):
    """max over entries of |a - b| / max(1e-8, |a| + |b|), as a float."""
    worst = 0.0
    for ai, bi in zip(np.ravel(a), np.ravel(b)):
        worst = max(worst, abs(ai - bi) / max(1e-8, abs(ai) + abs(bi)))
    return worst
# %% solution_q_perceptron
q_perceptron = " B"
