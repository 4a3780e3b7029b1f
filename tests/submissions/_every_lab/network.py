# A right notebook that tries to reach the network: no network in the sandbox; full marks,
# flagged for the TA.
# expect-flags: suspicious-code
# expect-failing:
# %% add-cell
import socket
try:
    socket.create_connection(("93.184.216.34", 80), timeout=3)
    print("network reached")
except OSError as exc:
    print("no network:", exc)
