# A right notebook that rewrites how the kernel publishes its replies, so that every reply becomes
# a forged report (an array whose shape claims 2**64 entries, a dict with a list for a key): the
# grader validates the data it receives and decoding never fails; each check says the function
# returned something that is not plain data, and no grader traceback reaches the page; zero,
# flagged.
# expect-flags: suspicious-code
# expect-failing: all
# %% add-cell
import json
import IPython.display as display

_real = display.publish_display_data
_forged = {"status": "returned", "value": {"t": "ndarray", "dtype": "<f8", "shape": [2**64], "b64": ""},
           "args_after": {"t": "dict", "items": [[{"t": "list", "items": []}, {"t": "none"}]]}}

def publish_display_data(data, *args, **kwargs):
    data = {key: json.dumps([[_forged] * 500 for _ in json.loads(value)]) if key.startswith("application/x-")
            else value for key, value in data.items()}
    return _real(data, *args, **kwargs)

display.publish_display_data = publish_display_data
