"""Benchmark: what the rendered service's layers cost, measured against bare FastAPI.

Renders a full-featured project, starts it the way its Dockerfile does (`python -m
bench_service.serve`: uvicorn, one worker) against nx-27017 and redis-server on
loopback, starts `bare_app.py` under plain uvicorn (one worker) against the same
database, and drives both with wrk from a second process. Reports requests/s and
p50/p99 latency for `/health/live` and for an authenticated read of the current user,
and the ratios; also times `copier copy --defaults` of the full-featured combination
against a one-question template. Prints a table and writes JSON.

    .venv/bin/python bench/run.py [--duration 10] [--connections 32] [--out bench/results/latest.json]

Run it from the template's tool environment (scripts/test creates it). It installs
Debian's wrk with apt-get when it is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.matrix import find_python  # noqa: E402

FULL_ANSWERS = {
    "project_name": "Bench Service",
    "odm": "beanie",
    "auth": "jwt",
    "oauth_providers": '["google","github","oidc"]',
    "stripe_features": '["checkout","subscriptions","customer_portal","payment_intents","refunds"]',
    "use_redis": "true",
}
JWT_KEY = "benchmark-signing-key-" + "k" * 40
PASSWORD = "a benchmark passphrase"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def copier(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("copier")), "copy", "--trust", "--quiet", *args],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def time_copier(work: Path, runs: int = 3) -> dict[str, float]:
    """Median wall time of `copier copy --defaults`: full-featured vs one question.

    Both templates are git repositories copied at `--vcs-ref=HEAD`, the way users copy
    a published template (Copier clones it first)."""
    tiny = work / "tiny-template"
    (tiny / "template").mkdir(parents=True)
    (tiny / "copier.yml").write_text(
        "_subdirectory: template\nname:\n  type: str\n  default: tiny\n"
    )
    (tiny / "template" / "README.md.jinja").write_text("# {{ name }}\n")
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    for step in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "tiny template"]):
        subprocess.run([*git, *step], cwd=tiny, check=True, capture_output=True)
    data = [arg for key, value in FULL_ANSWERS.items() for arg in ("--data", f"{key}={value}")]
    full = [
        copier("--defaults", "--vcs-ref=HEAD", *data, str(ROOT), str(work / f"full{i}"))
        for i in range(runs)
    ]
    one = [
        copier("--defaults", "--vcs-ref=HEAD", str(tiny), str(work / f"tiny{i}"))
        for i in range(runs)
    ]
    full_s, one_s = statistics.median(full), statistics.median(one)
    return {"full_s": full_s, "one_question_s": one_s, "ratio": full_s / one_s}


def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True)
        wrk = shutil.which("wrk")
    assert wrk, "wrk could not be installed"
    return wrk


def wrk_run(
    wrk: str, url: str, duration: int, connections: int, headers: dict[str, str]
) -> dict[str, float]:
    header_args = [arg for k, v in headers.items() for arg in ("-H", f"{k}: {v}")]
    out = subprocess.run(
        [wrk, "-t1", f"-c{connections}", f"-d{duration}s", "--latency", *header_args, url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} error responses\n{out}")

    def ms(label: str) -> float:
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert found, out
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert rps, out
    return {"rps": float(rps.group(1)), "p50_ms": ms("50"), "p99_ms": ms("99")}


class Processes:
    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, cmd: list[str], env: dict[str, str], cwd: Path, log: Path) -> None:
        with log.open("wb") as out:
            self.started.append(
                subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
            )

    def stop(self) -> None:
        for process in reversed(self.started):
            process.send_signal(signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra setting for the service, to measure what one layer costs",
    )
    args = parser.parse_args()

    wrk = ensure_wrk()
    python = find_python("3.12")
    assert python, "the benchmark renders python_version 3.12 and needs that interpreter"
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    processes = Processes()
    try:
        copier_times = time_copier(work)
        project = work / "full0"
        venv = work / "venv"
        uv = str(Path(sys.executable).with_name("uv"))
        subprocess.run([uv, "venv", "-q", "--python", str(python), str(venv)], check=True)
        subprocess.run(
            [uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"),
             "-e", f"{project}[dev]"],
            check=True,
        )
        bin_dir = venv / "bin"

        mongo_port, redis_port = free_port(), free_port()
        processes.start(
            [str(bin_dir / "nx-27017"), "--db", "memory", "--host", "127.0.0.1", "-p",
             str(mongo_port), "--log-file", str(work / "nx.log"), "--pid-file",
             str(work / "nx.pid")],
            dict(os.environ), work, work / "nx.out",
        )
        processes.start(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            dict(os.environ), work, work / "redis.out",
        )
        smtp_port = free_port()
        processes.start(
            [str(bin_dir / "python"), "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}",
             "-c", "aiosmtpd.handlers.Sink"],
            dict(os.environ), work, work / "smtp.out",
        )
        time.sleep(1)
        env = {
            **os.environ,
            "ENVIRONMENT": "production",
            "SECRET_KEY": "benchmark-secret-" + "s" * 40,
            "EMAIL_BACKEND": "smtp",
            # Required in production; the measured endpoints never call Stripe.
            "STRIPE_SECRET_KEY": "sk_test_benchmark",
            "STRIPE_WEBHOOK_SECRETS": '["whsec_benchmark"]',
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_port),
            "SMTP_STARTTLS": "false",
            "MONGODB_URI": f"mongodb://127.0.0.1:{mongo_port}",
            "MONGODB_DATABASE": "bench",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "JWT_SIGNING_KEY": JWT_KEY,
            "JWT_ISSUER": "bench-service",
            "JWT_AUDIENCE": "bench-service",
            "LOG_LEVEL": "INFO",
            # The whole middleware stack: trusted hosts and CORS configured, rate
            # limiting on (with a limit the load never reaches: the check still runs).
            "ALLOWED_HOSTS": '["127.0.0.1"]',
            "CORS_ORIGINS": '["https://app.example.com"]',
            "RATE_LIMIT_ENABLED": "true",
            "RATE_LIMIT_DEFAULT": "100000000/minute",
            "SHUTDOWN_GRACE_S": "0",  # stop at once when the run is over
        }
        env.update(item.split("=", 1) for item in args.env)
        app_port, bare_port = free_port(), free_port()
        uvicorn = str(bin_dir / "uvicorn")
        processes.start(
            [str(bin_dir / "python"), "-m", "bench_service.serve", "--host", "127.0.0.1",
             "--port", str(app_port)],
            env, project, work / "app.log",
        )
        processes.start(
            [uvicorn, "bare_app:app", "--host", "127.0.0.1", "--port", str(bare_port),
             # The server options serve.py sets, so only the apps differ.
             "--workers", "1", "--no-access-log", "--no-proxy-headers", "--no-server-header",
             "--app-dir", str(ROOT / "bench")],
            env, work, work / "bare.log",
        )
        app = f"http://127.0.0.1:{app_port}"
        bare = f"http://127.0.0.1:{bare_port}"
        wait_http(f"{app}/health/live")
        wait_http(f"{bare}/health/live")

        account = {"email": "bench@example.com", "name": "Bench", "password": PASSWORD}
        httpx.post(f"{app}/api/v1/auth/register", json=account, timeout=30).raise_for_status()
        login = httpx.post(
            f"{app}/api/v1/auth/login",
            json={"email": account["email"], "password": PASSWORD},
            timeout=30,
        )
        login.raise_for_status()
        bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
        assert httpx.get(f"{bare}/me", headers=bearer, timeout=10).status_code == 200

        runs = {
            "health_live": (f"{app}/health/live", f"{bare}/health/live", {}),
            "current_user": (f"{app}/api/v1/auth/me", f"{bare}/me", bearer),
        }
        results: dict[str, Any] = {"copier": copier_times}
        for name, (full_url, bare_url, headers) in runs.items():
            for url in (full_url, bare_url):  # warm up
                wrk_run(wrk, url, 2, args.connections, headers)
            full = wrk_run(wrk, full_url, args.duration, args.connections, headers)
            baseline = wrk_run(wrk, bare_url, args.duration, args.connections, headers)
            results[name] = {"service": full, "bare": baseline, "ratio": full["rps"] / baseline["rps"]}
    finally:
        processes.stop()
        shutil.rmtree(work, ignore_errors=True)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"{'endpoint':<14}{'service rps':>12}{'bare rps':>10}{'ratio':>7}"
          f"{'p50 ms':>14}{'p99 ms':>16}")
    for name in ("health_live", "current_user"):
        r = results[name]
        s, b = r["service"], r["bare"]
        print(f"{name:<14}{s['rps']:>12.0f}{b['rps']:>10.0f}{r['ratio']:>7.2f}"
              f"{s['p50_ms']:>7.2f}/{b['p50_ms']:<6.2f}{s['p99_ms']:>8.2f}/{b['p99_ms']:<7.2f}")
    c = results["copier"]
    print(f"copier copy --defaults: full {c['full_s']:.2f}s, one question "
          f"{c['one_question_s']:.2f}s, ratio {c['ratio']:.2f}")
    print(f"JSON: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
