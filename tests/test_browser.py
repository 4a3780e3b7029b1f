"""End to end, as a student sees it: the release notebook in JupyterLab 4 with nbgrader's extension,
in a real headless Chromium driven by Playwright. Run all, click Validate, read the dialog.

The browser is Debian's chromium (`make browser` installs it with apt-get); Playwright's own
browser download is never used. The test skips only where no browser could be installed.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import json
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = ROOT / "build" / "browser"
LAB = "lab3_backprop"
TOKEN = "autograder-e2e"
# JupyterLab's news and update prompts would cover the notebook in the screenshot.
PAGE_CONFIG = '{"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": true}}'
# Every cell in the page, not only those in view, so outputs above the last one can be read.
NOTEBOOK_SETTINGS = '{"windowingMode": "none"}'

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - requirements.txt pins it
    sync_playwright = None

pytestmark = [
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed: run `make setup`"),
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"no browser: {CHROMIUM} is missing and `make browser` could not install "
                              "Debian's chromium here (apt-get unavailable or not root)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"JupyterLab did not answer {url} in {timeout} s:\n{log.read_text()[-3000:]}")


def _wait_for_kernel(base: str, timeout: float = 90) -> None:
    """Until the page's kernel is started, connected to the page and idle: the toolbar's idle
    indicator shows before the kernel exists, and a Run All clicked then runs nothing."""
    deadline = time.monotonic() + timeout
    kernels = []
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/api/kernels?token={TOKEN}", timeout=5) as reply:
                kernels = json.load(reply)
        except OSError:  # jupyter_server answers 500 while a kernel is half started (last_activity None)
            time.sleep(0.3)
            continue
        if any(k.get("connections", 0) >= 1 and k.get("execution_state") == "idle" for k in kernels):
            return
        time.sleep(0.3)
    raise RuntimeError(f"no idle kernel connected to the page after {timeout} s: {kernels}")


def _open_with_idle_kernel(page, base: str) -> None:
    """The notebook on screen with its kernel idle, as the server and the page both see it. On a
    loaded machine the page now and then stays at "Initializing" although its kernel is up and
    connected; a reload, as a student would do, reconnects it."""
    for attempt in range(2):
        page.wait_for_selector(".jp-Notebook .jp-CodeCell")
        _wait_for_kernel(base)
        try:
            page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=45_000)
            return
        except PlaywrightTimeout:
            if attempt:
                raise
            page.reload()


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server on a free localhost port, over a temporary copy of the course."""
    course = tmp_path / "course"
    course.mkdir()
    for name in ("course.toml", "nbgrader_config.py"):
        shutil.copy(ROOT / name, course / name)
    shutil.copytree(ROOT / "release" / LAB, course / "release" / LAB)
    config = tmp_path / "jupyter-config"
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(PAGE_CONFIG)
    settings = tmp_path / "lab-settings"
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(NOTEBOOK_SETTINGS)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               IPYTHONDIR=str(tmp_path / "ipython"), PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    env.pop("MPLBACKEND", None)  # the kernel draws inline, as for a student
    port = _free_port()
    log = tmp_path / "jupyterlab.log"
    # nbgrader's Validate handler reads nbgrader_config.py from the server's working directory.
    with open(log, "w") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
             f"--port={port}", f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={course}",
             f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}", f"--LabApp.user_settings_dir={settings}",
             "--LabApp.news_url=None",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
            cwd=course, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/api/status?token={TOKEN}", proc, log)
        yield base, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_does_validate_in_jupyterlab_report_the_unfinished_release_notebook(jupyterlab):
    base, log = jupyterlab
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{LAB}_validate.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        try:
            page.set_default_timeout(180_000)  # generous: `make test` grades classes on the other workers
            page.goto(f"{base}/lab/tree/release/{LAB}/{LAB}.ipynb?token={TOKEN}")
            _open_with_idle_kernel(page, base)

            # Run > Run All Cells, as a student would; JupyterLab stops at the first error.
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            error = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            error.first.wait_for(state="attached")  # above the fold: run all scrolls to the end
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
            first_error = error.first.text_content()

            page.locator(".validate-button").click()
            dialog = page.locator(".jp-Dialog-content")
            dialog.wait_for()
            text = dialog.inner_text()
            page.screenshot(path=str(shot))
        except Exception:
            page.screenshot(path=str(SCREENSHOTS / f"{LAB}_failed.png"))  # what the browser showed
            print(log.read_text()[-5000:])  # the server's side, shown by pytest on failure
            raise
        finally:
            browser.close()
    assert "NotImplementedError" in first_error and "init_params" in first_error, first_error
    assert shot.stat().st_size > 10_000
    assert "Validation Results" in text and "The following cell failed" in text, text
    assert "NotImplementedError" in text, text
    assert "init_params: write this function" in text, text
