# Reverse-mode differentiation on a graph of Python scalars (in the style of the public micrograd):
# the loss rebuilt from cache["X"] one multiply and add at a time, then every node's gradient by the
# chain rule in reverse order. Backprop, about a thousand times slower than numpy, its cost in
# proportion to the parameters and cases: full marks. A numerical derivative slowed down on
# purpose could take such times too, so the row is flagged gradient-method-unclear for a TA.
# expect-failing:
# expect-flags: gradient-method-unclear
# %% solution_backward
import math


class Value:
    """A scalar that remembers how it was computed, and can send a gradient back through it."""
    __slots__ = ("data", "grad", "_back", "_prev")

    def __init__(self, data, prev=()):
        self.data, self.grad, self._back, self._prev = data, 0.0, None, prev

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def back():
            self.grad += out.grad
            other.grad += out.grad
        out._back = back
        return out

    __radd__ = __add__

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def back():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._back = back
        return out

    __rmul__ = __mul__

    def __sub__(self, other):
        return self + (-1.0) * other

    def __pow__(self, k):
        out = Value(self.data ** k, (self,))

        def back():
            self.grad += k * self.data ** (k - 1) * out.grad
        out._back = back
        return out

    def sigmoid(self):
        s = 1.0 / (1.0 + math.exp(-self.data)) if self.data >= 0 else math.exp(self.data) / (1.0 + math.exp(self.data))
        out = Value(s, (self,))

        def back():
            self.grad += s * (1.0 - s) * out.grad
        out._back = back
        return out

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:  # topological order without recursion
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev)
        self.grad = 1.0
        for node in reversed(order):
            if node._back is not None:
                node._back()


def backward(params, cache, T):
    values = {k: [Value(float(x)) for x in np.ravel(v)] for k, v in params.items()}
    n_hidden, n_in = params["W1"].shape
    n_out = params["W2"].shape[0]
    total = Value(0.0)
    for x, t in zip(cache["X"], T):
        hidden = []
        for j in range(n_hidden):
            z = values["b1"][j]
            for i in range(n_in):
                z = z + values["W1"][j * n_in + i] * float(x[i])
            hidden.append(z.sigmoid())
        for k in range(n_out):
            z = values["b2"][k]
            for j in range(n_hidden):
                z = z + values["W2"][k * n_hidden + j] * hidden[j]
            total = total + 0.5 * (z.sigmoid() - float(t[k])) ** 2
    total.backward()
    return {k: np.array([v.grad for v in values[k]]).reshape(params[k].shape) for k in params}
