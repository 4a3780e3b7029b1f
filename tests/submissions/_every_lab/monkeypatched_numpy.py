# The release with numpy's comparisons and asserts patched to always agree: the grader compares
# in its own process, so zero; flagged.
# base: release
# expect-flags: suspicious-code
# expect-failing: all
# %% add-cell
import builtins
import numpy as np
import numpy.testing
np.allclose = lambda *a, **k: True
np.isclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
numpy.testing.assert_array_equal = lambda *a, **k: None
builtins.all = lambda *a: True
builtins.any = lambda *a: True
