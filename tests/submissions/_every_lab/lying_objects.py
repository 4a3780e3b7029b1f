# The release with every function and answer replaced by objects whose __eq__, __array__ and
# comparisons all say "equal": scores come from plain data, so zero; flagged.
# base: release
# expect-flags: suspicious-code
# expect-failing: all
# %% add-cell
import numpy as np

class Agreeable:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __array__(self, dtype=None, copy=None): return np.zeros(0)
    def __float__(self): return 0.0
    def __getitem__(self, key): return self
    def __len__(self): return 0

for _name, _value in list(globals().items()):
    if _name.startswith("q") and _name[1:].isdigit() or _name in ("first_update", "estimated_prices"):
        globals()[_name] = Agreeable()
    elif callable(_value) and getattr(_value, "__module__", None) == "__main__":
        globals()[_name] = lambda *args, **kwargs: Agreeable()
