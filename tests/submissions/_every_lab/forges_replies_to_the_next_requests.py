# A right notebook with a thread that answers the grader's next requests before they are sent: the
# ids jupyter_client gives them are the session and a counter, so it publishes, for each of the
# next 30 ids, an "idle" status (the grader would stop waiting at once, with no reply) and a reply
# of the grader's mime type saying every function raised. The grader's ids are random and it drops
# what arrived before its request: full marks; flagged for the kernel's message channels.
# expect-flags: suspicious-code
# expect-failing:
# %% add-cell
import threading, time

_kernel = get_ipython().kernel


def _answer_ahead():
    while True:
        header = _kernel.get_parent("shell").get("header", {})
        session, _, rest = header.get("msg_id", "").partition("_")
        pid, _, count = rest.partition("_")
        if count.isdigit():
            for n in range(int(count) + 1, int(count) + 31):
                parent = {"header": {**header, "msg_id": f"{session}_{pid}_{n}", "msg_type": "execute_request"}}
                forged = [[{"status": "raised", "type": "Forged", "message": "forged"}] * 50] * 20
                _kernel.session.send(_kernel.iopub_socket, "display_data",
                                     {"data": {"application/x-autograder-reply+json": __import__("json").dumps(forged)},
                                      "metadata": {}}, parent=parent)
                _kernel.session.send(_kernel.iopub_socket, "status", {"execution_state": "idle"}, parent=parent)
        time.sleep(0.05)


threading.Thread(target=_answer_ahead, daemon=True).start()
