# A right notebook whose functions also write every input and answer they see to /dev/shm and
# /tmp, for a classmate graded later (looks_up_answers_in_shm): each kernel's /tmp and /dev/shm
# are its own and vanish with it; its own answers are right, full marks, flagged.
# expect-flags: suspicious-code
# expect-failing:
# %% add-cell
import functools, pickle

_book = {}

def _remember(name, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        result = fn(*args, **kwargs)
        if len(_book) < 200:  # the first answers are enough, and keep training loops fast
            try:
                _book[name, repr(args)] = result
                for path in ("/dev/shm/answers.pkl", "/tmp/answers.pkl"):
                    with open(path, "wb") as f:
                        pickle.dump(_book, f)
            except Exception:
                pass
        return result
    return wrapper

for _name, _value in list(globals().items()):
    if callable(_value) and getattr(_value, "__module__", None) == "__main__" and not _name.startswith("_"):
        globals()[_name] = _remember(_name, _value)
