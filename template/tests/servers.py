"""Real servers for the tests, started on free loopback ports and stopped by pid.

- MongoDB wire protocol: `nx-27017` (a MongoDB-compatible server on SQLite, installed
  with the dev dependencies) unless MONGODB_URI points at a real MongoDB.
- Redis: `redis-server` (Debian package `redis-server`; `scripts/test` installs it)
  unless REDIS_URL is set.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ServerProcess:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    log_file: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _wait_until_listening(
    server: ServerProcess, port: int, timeout: float = 15.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.name} exited with {server.process.returncode}; "
                f"log:\n{server.log_file.read_text(errors='replace')[-2000:]}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"{server.name} did not listen on port {port} within {timeout}s")


def start_nx_27017(
    workdir: Path, *, port: int | None = None, db: str = "memory"
) -> ServerProcess:
    """nx-27017 in the foreground, so the process we hold is the server; in memory,
    or on the SQLite file `db` (which outlives a restart on the same `port`)."""
    executable = Path(sys.executable).with_name("nx-27017")
    port = port or free_port()
    log_file = workdir / "nx-27017.log"
    command = [
        str(executable) if executable.exists() else "nx-27017",
        "--db",
        db,
        "--host",
        "127.0.0.1",
        "-p",
        str(port),
        "--log-file",
        str(log_file),
        "--pid-file",
        str(workdir / "nx-27017.pid"),
    ]
    with log_file.open("ab") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, cwd=workdir
        )
    server = ServerProcess("nx-27017", process, f"mongodb://127.0.0.1:{port}", log_file)
    _wait_until_listening(server, port)
    return server


def start_redis(
    workdir: Path, *, port: int | None = None, persist: bool = False
) -> ServerProcess:
    """redis-server in the foreground; with `persist`, it saves its data in `workdir`
    when stopped and loads it when started again there."""
    executable = shutil.which("redis-server")
    if executable is None:
        raise RuntimeError(
            "redis-server not found: install Debian's redis-server package "
            "(scripts/test does) or set REDIS_URL"
        )
    port = port or free_port()
    log_file = workdir / "redis.log"
    command = [
        executable,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "3600 1" if persist else "",
        "--appendonly",
        "no",
        "--dir",
        str(workdir),
    ]
    with log_file.open("ab") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, cwd=workdir
        )
    server = ServerProcess(
        "redis-server", process, f"redis://127.0.0.1:{port}/0", log_file
    )
    _wait_until_listening(server, port)
    return server
