"""The rendered README's two commands work as written: `scripts/test` installs what it
needs and passes; `scripts/dev` serves the API on an embedded MongoDB-compatible server
and stops it again."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from .matrix import BASE_ANSWERS
from .support.process import ROOT, find_python, run

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A project rendered with the default answers, its own .venv installed by scripts/test."""
    from copier import run_copy

    project = tmp_path_factory.mktemp("defaults") / "service"
    run_copy(
        str(ROOT), str(project), data=BASE_ANSWERS, defaults=True, vcs_ref="HEAD"
    )
    python = find_python("3.12")
    if python is None:
        pytest.skip("the default answers need Python 3.12, which is not installed here")
    # uv (from the template's tool environment) makes the install fast; PYTHON tells the
    # scripts which interpreter to use when python3.12 is not on PATH.
    env = {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "PYTHON": str(python)}
    return project, env


@pytest.mark.slow
@pytest.mark.xdist_group("default-project")
def test_scripts_test_installs_and_passes(default_project: tuple[Path, dict[str, str]]) -> None:
    project, env = default_project
    completed = run(["scripts/test", "-q", "-p", "no:cacheprovider"], project, env=env)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-6000:]
    assert " passed" in output
    assert (project / ".venv" / "bin" / "python").exists()


@pytest.mark.slow
@pytest.mark.xdist_group("default-project")
def test_scripts_dev_serves_on_an_embedded_database(
    default_project: tuple[Path, dict[str, str]],
) -> None:
    project, env = default_project
    ports = {"PORT": free_port(), "MONGODB_PORT": free_port(), "REDIS_PORT": free_port()}
    dev_env: dict[str, Any] = {**os.environ, **env, **{k: str(v) for k, v in ports.items()}}
    for variable in ("MONGODB_URI", "REDIS_URL"):
        dev_env.pop(variable, None)
    process = subprocess.Popen(
        ["scripts/dev"],
        cwd=project,
        env=dev_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{ports['PORT']}"
    try:
        deadline = time.monotonic() + 180
        ready = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                ready = httpx.get(f"{base}/health/ready", timeout=2)
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        assert ready is not None, "scripts/dev never became ready"
        assert ready.status_code == 200, "scripts/dev never became ready"
        assert ready.json()["checks"] == {"mongodb": "ok", "redis": "ok"}

        account = {"email": "dev@example.com", "name": "Dev", "password": "a dev passphrase"}
        created = httpx.post(f"{base}/api/v1/auth/register", json=account, timeout=10)
        assert created.status_code == 202, created.text
        login = httpx.post(
            f"{base}/api/v1/auth/login",
            json={"email": account["email"], "password": account["password"]},
            timeout=10,
        )
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]  # the defaults use JWT
        me = httpx.get(
            f"{base}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert me.json()["email"] == account["email"]
    finally:
        # A process manager's stop: SIGTERM to the script alone; its trap stops the rest.
        process.send_signal(signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            output, _ = b"", None
        stragglers = [port for port in ports.values() if port_is_open(port)]
        if stragglers:
            time.sleep(5)
            stragglers = [port for port in ports.values() if port_is_open(port)]
        if stragglers:
            os.killpg(process.pid, signal.SIGKILL)

    # The servers it started stop with it.
    assert stragglers == [], output.decode(errors="replace")[-3000:]
    assert (project / ".run" / "nx-27017.db").exists()
