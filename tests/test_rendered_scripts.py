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


# --- how the scripts find an interpreter and redis-server --------------------------------
#
# In a sandbox: the minimal system PATH (plus a fake `python3` too old to use), a HOME,
# PYENV_ROOT and uv Python directory of the test's own. The rendered project is the
# default one (Python 3.12, Redis).


@pytest.fixture(scope="module")
def scripts_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from copier import run_copy

    project = tmp_path_factory.mktemp("scripts") / "service"
    run_copy(str(ROOT), str(project), data=BASE_ANSWERS, defaults=True, vcs_ref="HEAD")
    return project


def write_executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)


def sandbox_env(tmp_path: Path, path: list[Path | str]) -> dict[str, str]:
    """os.environ without what points at interpreters or says CI, and the sandbox's own
    HOME (uv keeps its cache: installs stay fast)."""
    cache = subprocess.run(
        [str(BIN / "uv"), "cache", "dir"], capture_output=True, text=True, check=True
    ).stdout.strip()
    dropped = (
        "PYTHON",
        "PYENV_VERSION",
        "VIRTUAL_ENV",
        "CONDA_PREFIX",
        "UV_PYTHON",
        "CI",
    )
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(
        PATH=os.pathsep.join(str(entry) for entry in path),
        HOME=str(tmp_path / "home"),
        PYENV_ROOT=str(tmp_path / "pyenv"),
        UV_PYTHON_INSTALL_DIR=str(tmp_path / "uv-python"),
        UV_CACHE_DIR=cache,
    )
    return env


SYSTEM_PATH = ["/usr/bin", "/bin"]
# Where the scripts look besides PATH, pyenv and uv (scripts/_lib.sh's find_python).
SYSTEM_PYTHON_DIRS = ["/usr/local/bin", "/opt/homebrew/bin", *SYSTEM_PATH]


def system_python_312_or_newer() -> str | None:
    for directory in SYSTEM_PYTHON_DIRS:
        for minor in range(12, 21):
            candidate = Path(directory) / f"python3.{minor}"
            if candidate.exists():
                return str(candidate)
    return None


@pytest.mark.slow
@pytest.mark.parametrize("route", ["pyenv", "uv-managed"])
def test_scripts_find_python_off_path(
    scripts_project: Path, tmp_path: Path, route: str
) -> None:
    """Python 3.12 installed but not on PATH (pyenv without its shims, `uv python
    install`), an older python3 on it: scripts/test still finds 3.12 and installs."""
    python = find_python("3.12")
    if python is None:
        pytest.skip("the default answers need Python 3.12, which is not installed here")
    if found := system_python_312_or_newer():
        pytest.skip(
            f"{found} is on the system PATH: this machine cannot hide Python 3.12+"
        )
    version = subprocess.run(
        [str(python), "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    fake = tmp_path / "bin"
    write_executable(fake / "python3", "#!/bin/sh\necho 'Python 3.8.18' >&2\nexit 1\n")
    write_executable(fake / "uv", f'#!/bin/sh\nexec {BIN / "uv"} "$@"\n')
    if route == "pyenv":
        hidden = tmp_path / "pyenv" / "versions" / version / "bin" / "python3.12"
    else:  # where `uv python install 3.12` puts it
        machine = subprocess.run(
            ["uname", "-m"], capture_output=True, text=True, check=True
        ).stdout.strip()
        key = f"cpython-{version}-linux-{machine}-gnu"
        hidden = tmp_path / "uv-python" / key / "bin" / "python3.12"
    hidden.parent.mkdir(parents=True)
    hidden.symlink_to(python)
    env = sandbox_env(tmp_path, [fake, *SYSTEM_PATH])
    venv = tmp_path / "venv"
    # REDIS_URL: this test is about the interpreter (it only asks pytest its version).
    env.update(VENV_DIR=str(venv), REDIS_URL="redis://127.0.0.1:1/0")

    completed = subprocess.run(
        ["scripts/test", "--version"],
        cwd=scripts_project,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )

    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-3000:]
    assert f"creating {venv} with {hidden}" in output
    assert "pytest" in output
    probe = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == "(3, 12)"


def test_scripts_say_how_to_get_python_when_there_is_none(
    scripts_project: Path, tmp_path: Path
) -> None:
    if found := system_python_312_or_newer():
        pytest.skip(
            f"{found} is on the system PATH: this machine cannot hide Python 3.12+"
        )
    fake = tmp_path / "bin"
    write_executable(fake / "python3", "#!/bin/sh\nexit 1\n")
    env = sandbox_env(tmp_path, [fake, *SYSTEM_PATH])
    env.update(VENV_DIR=str(tmp_path / "venv"), REDIS_URL="redis://127.0.0.1:1/0")

    completed = subprocess.run(
        ["scripts/test"],
        cwd=scripts_project,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 1
    assert "needs Python 3.12+ and none was found" in completed.stderr
    assert "uv python install 3.12" in completed.stderr
    assert "PYTHON=/path/to/python3.12" in completed.stderr
    assert not (tmp_path / "venv").exists()


def system_path_without_redis(tmp_path: Path) -> Path:
    """A directory of links to every command of the system PATH but redis-server."""
    bin_dir = tmp_path / "system-bin"
    bin_dir.mkdir()
    for directory in SYSTEM_PATH:
        for entry in os.scandir(directory):
            target = bin_dir / entry.name
            if not entry.name.startswith("redis-") and not target.exists():
                target.symlink_to(entry.path)
    return bin_dir


@pytest.mark.parametrize(
    ("ci", "answer", "installs"),
    [
        (None, None, False),  # no terminal, not CI: says how, runs nothing
        (None, "n\n", False),
        (None, "y\n", True),
        ("true", None, True),  # CI: installs unasked
    ],
    ids=["no-terminal", "terminal-no", "terminal-yes", "ci"],
)
def test_redis_server_is_installed_only_when_asked_or_under_ci(
    scripts_project: Path,
    tmp_path: Path,
    ci: str | None,
    answer: str | None,
    installs: bool,
) -> None:
    fake = tmp_path / "bin"
    calls = tmp_path / "calls.log"
    # Record what would run; the fake apt-get installs nothing, so the script stops
    # after it (with "left no redis-server on PATH") instead of going on to install.
    write_executable(fake / "apt-get", f'#!/bin/sh\necho "apt-get $*" >> {calls}\n')
    write_executable(
        fake / "sudo", f'#!/bin/sh\necho "sudo $*" >> {calls}\nexec "$@"\n'
    )
    env = sandbox_env(tmp_path, [fake, system_path_without_redis(tmp_path)])
    env.pop("REDIS_URL", None)
    env["VENV_DIR"] = str(tmp_path / "venv")
    if ci is not None:
        env["CI"] = ci

    stdin: int = subprocess.DEVNULL
    terminal = None
    if answer is not None:
        terminal, stdin = os.openpty()
        os.write(terminal, answer.encode())
    try:
        completed = subprocess.run(
            ["scripts/test"],
            cwd=scripts_project,
            env=env,
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        if terminal is not None:
            os.close(terminal)
            os.close(stdin)

    recorded = calls.read_text() if calls.exists() else ""
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert ("install -y -qq redis-server" in recorded) == installs, recorded
    if answer is not None:
        assert "install Debian's package now" in completed.stderr  # it asked
    if installs:
        assert "left no redis-server on PATH" in completed.stderr
    else:
        assert recorded == ""
        assert "apt-get install redis-server" in completed.stderr
        assert "REDIS_URL=" in completed.stderr
    assert not (tmp_path / "venv").exists()  # stopped before installing anything
