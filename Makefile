# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export MPLBACKEND := Agg
export PYTHONHASHSEED := 0
# one BLAS thread per process, as in every student's kernel: on two cores, the test processes'
# own numpy (checks run in process, references) must not fight the kernels for the cores
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1

.PHONY: setup demo test release check-release bench browser bwrap clean

setup: $(STAMP) bwrap

# The virtual environment, from pinned requirements; the project itself installed editable.
$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Grade the bundled example class (built from the named example submissions) and print its table.
demo: $(STAMP) bwrap
	rm -rf build/demo
	$(PY) -m tests.example_class build/demo/submitted
	$(PY) -m autograder grade build/demo/submitted --out build/demo/out --allow-demo-secret
	@echo
	@cat build/demo/out/grades.csv

test: $(STAMP) browser bwrap
	$(PY) -m pytest -q -n 2 --dist loadgroup tests

# The end-to-end JupyterLab test drives Debian's chromium (never `playwright install`). Installed
# with apt-get when missing; where apt is unavailable (not root, not Debian) this only warns and
# tests/test_browser.py skips, saying why.
CHROMIUM := /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
		&& { apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 \
		     || { apt-get update -qq && apt-get install -y --no-install-recommends chromium; }; }; } \
		|| echo "make browser: could not install chromium with apt-get; the browser test will be skipped"

# Each student's kernel runs in bubblewrap (Debian's bubblewrap), installed with apt-get when
# missing; without it (not root, not Debian) this warns and the grader says on its first line that
# kernels run unsandboxed (`autograder grade --sandbox required` then refuses to grade). Its seccomp
# filter is built with Debian's libseccomp2 (through pyseccomp), installed the same way.
BWRAP := /usr/bin/bwrap
bwrap:
	@test -x $(BWRAP) || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
		&& { apt-get install -y --no-install-recommends bubblewrap >/dev/null 2>&1 \
		     || { apt-get update -qq && apt-get install -y --no-install-recommends bubblewrap; }; }; } \
		|| echo "make bwrap: could not install bubblewrap with apt-get; kernels will run without the sandbox"
	@ls /usr/lib/*/libseccomp.so.2 >/dev/null 2>&1 || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
		&& { apt-get install -y --no-install-recommends libseccomp2 >/dev/null 2>&1 \
		     || { apt-get update -qq && apt-get install -y --no-install-recommends libseccomp2; }; }; } \
		|| echo "make bwrap: could not install libseccomp2 with apt-get; kernels will run without a seccomp filter"

# Instructors: regenerate release/ from source/ after editing a lab.
release: $(STAMP)
	$(PY) -m autograder release

bench: $(STAMP)
	$(PY) bench/grading_speed.py

clean:
	rm -rf build
