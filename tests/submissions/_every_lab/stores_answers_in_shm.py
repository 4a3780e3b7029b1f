# A right notebook whose functions also write every input and answer they see to /dev/shm and
# /tmp, for a classmate graded later (looks_up_answers_in_shm): each kernel's /tmp and /dev/shm
# are its own and vanish with it; its own answers are right, full marks, flagged.
# expect-flags: suspicious-code
# expect-failing:
# %% add-cell
import functools, os, pickle

def _remember(name, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        result = fn(*args, **kwargs)
        for path in ("/dev/shm/answers.pkl", "/tmp/answers.pkl"):
            try:
                book = pickle.load(open(path, "rb")) if os.path.exists(path) else {}
                book[name, repr(args)] = result
                pickle.dump(book, open(path, "wb"))
            except Exception:
                pass
        return result
    return wrapper

for _name, _value in list(globals().items()):
    if callable(_value) and getattr(_value, "__module__", None) == "__main__" and not _name.startswith("_"):
        globals()[_name] = _remember(_name, _value)
