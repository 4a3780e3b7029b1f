# A right notebook that drops a .pth file and a sitecustomize.py into every site-packages it can
# find (code that would then run in the grader and every later kernel): the interpreter and the
# virtualenv are read-only in the sandbox; nothing is written, full marks.
# expect-failing:
# %% add-cell
import os, site, sys, sysconfig
written = []
payload = "import os; open('/tmp/owned', 'w').write('ran')\n"
for folder in {*site.getsitepackages(), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["stdlib"],
               sys.prefix, sys.base_prefix, os.path.dirname(sys.executable)}:
    for name in ("zzz_owned.pth", "sitecustomize.py", "usercustomize.py"):
        try:
            with open(os.path.join(folder, name), "w") as f:
                f.write(payload)
            written.append(name)
        except OSError:
            pass
print("written:", written)
