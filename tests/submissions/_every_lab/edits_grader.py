# The release plus code that tries to import the grading package and rewrite its checks so that
# everything passes: the package is not there inside the sandbox, so zero; flagged.
# base: release
# expect-flags: suspicious-code
# expect-failing: all
# %% add-cell
import sys
try:
    import autograder.checks.core as core
    core.CheckFailed = type("Never", (Exception,), {})
except ImportError as exc:
    print("no grader here:", exc)
for name, module in list(sys.modules.items()):
    if "autograder" in name:
        setattr(module, "CHECKS", {})
