"""Swagger UI at `/docs` of a running rendered service works in a real browser without
internet: Debian's headless `chromium` opens the page with every request that is not
to loopback sent to a dead proxy, and the operations list renders, from the assets the
service serves, with no Content-Security-Policy violation on the console.

The service is the default render under uvicorn with its own test servers
(`tests/support/client_scenario.py`'s `served_app`). scripts/test installs chromium
under CI (`ensure_chromium` in scripts/_bootstrap.sh); elsewhere the test skips when it
is missing."""

from __future__ import annotations

import html
import os
import selectors
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from .conftest import RenderedEnv
from .matrix import BASE_ANSWERS
from .support.rendered import CopierAlone

SUPPORT = Path(__file__).parent / "support"
# Runs inside the rendered project: serves the app until its standard input closes.
SERVE = f"""
import sys
sys.path.insert(0, {str(SUPPORT)!r})
from client_scenario import served_app
with served_app() as (url, _):
    print(url, flush=True)
    sys.stdin.read()
"""
# A port nothing listens on: the browser's only way out, so a CDN is unreachable.
DEAD_PROXY = "http://127.0.0.1:9"


def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        reason = "chromium is not installed (scripts/test installs it under CI: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        print(reason)
        pytest.skip(reason)
    return found


@contextmanager
def served(python: Path, project: Path, log: Path) -> Iterator[str]:
    """The rendered app under uvicorn on loopback (its output in `log`); its base URL."""
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [str(python), "-c", SERVE],
            cwd=project,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
        )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        output: list[str] = []
        deadline = time.monotonic() + 120
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while not (output and output[-1].startswith("http://127.0.0.1:")):
                remaining = deadline - time.monotonic()
                assert remaining > 0, "no URL within 120 s:\n" + log.read_text()
                assert process.poll() is None, log.read_text()
                if selector.select(timeout=remaining):
                    output.append(process.stdout.readline())
        yield output[-1].strip()
    finally:
        process.stdin.close()  # served_app stops uvicorn and the test servers
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.slow
def test_docs_render_in_a_browser_without_internet(
    copier_alone: CopierAlone, rendered_env: RenderedEnv, tmp_path: Path
) -> None:
    browser = chromium()
    project = tmp_path / "project"
    copier_alone.copy(project, BASE_ANSWERS)
    python = rendered_env("3.12") / "bin" / "python"

    with served(python, project, tmp_path / "service.log") as base_url:
        document = httpx.get(f"{base_url}/openapi.json", timeout=30).json()
        started = time.monotonic()
        opened = subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",  # root, as under CI
                "--disable-gpu",
                "--no-first-run",
                f"--user-data-dir={tmp_path / 'profile'}",
                f"--proxy-server={DEAD_PROXY}",
                "--enable-logging=stderr",
                "--v=0",
                "--virtual-time-budget=10000",
                "--dump-dom",
                f"{base_url}/docs",
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    elapsed = time.monotonic() - started
    dom, log = opened.stdout, opened.stderr
    assert opened.returncode == 0, log[-3000:]
    console = [line for line in log.splitlines() if ":CONSOLE" in line]
    # No refused script, style or image (CSP) and nothing failed to load.
    assert not [line for line in console if "Content Security Policy" in line], console
    assert not [line for line in console if "Failed to load" in line], console

    operations = [
        (path, method) for path, item in document["paths"].items() for method in item
    ]
    assert dom.count('class="opblock opblock-') == len(operations), (
        elapsed,
        dom[-3000:],
    )
    rendered_paths = {html.unescape(path) for path in _data_paths(dom)}
    assert rendered_paths == set(document["paths"]), sorted(rendered_paths)
    assert "/api/v1/auth/me" in rendered_paths


def _data_paths(dom: str) -> list[str]:
    """The `data-path` of each operation summary Swagger UI rendered."""
    marker = 'class="opblock-summary-path" data-path="'
    return [chunk.split('"', 1)[0] for chunk in dom.split(marker)[1:]]
