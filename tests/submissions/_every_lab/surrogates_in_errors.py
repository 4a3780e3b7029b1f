# A right notebook whose every function raises an exception whose message holds lone surrogates,
# terminal escapes, bidi overrides and 20,000 characters, and whose every answer is such a
# string: the grader cleans what the kernel says before nbgrader and the feedback page see it;
# zero, status ok (not error).
# expect-failing: all
# %% add-cell
_evil = "\udcff\ud800 \x1b[2J\x00 \u202e" + "x" * 20_000

def _raise(*args, **kwargs):
    raise ValueError(_evil)

for _name, _value in list(globals().items()):
    # answers are strings or numbers (lab 5's q5 is a float): every one becomes the string
    if (isinstance(_value, (str, int, float)) and not isinstance(_value, bool) and not _name.startswith("_")
            or _name in ("first_update", "estimated_prices")):
        globals()[_name] = _evil
    elif callable(_value) and getattr(_value, "__module__", None) == "__main__" and not _name.startswith("_"):
        globals()[_name] = _raise
