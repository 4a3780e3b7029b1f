# The release whose functions only look their answers up in what a classmate left in /dev/shm or
# /tmp (stores_answers_in_shm): nothing is there in its own sandbox, whoever was graded before;
# zero, the same in every run; flagged.
# base: release
# expect-flags: suspicious-code
# expect-failing: all
# %% add-cell
import os, pickle

def _look_up(name):
    def answer(*args, **kwargs):
        for path in ("/dev/shm/answers.pkl", "/tmp/answers.pkl"):
            if os.path.exists(path):
                return pickle.load(open(path, "rb"))[name, repr(args)]
        raise LookupError(f"{name}: no answer stored")
    return answer

for _name, _value in list(globals().items()):
    if callable(_value) and getattr(_value, "__module__", None) == "__main__" and not _name.startswith("_"):
        globals()[_name] = _look_up(_name)
