"""Benchmark: what the rendered service's layers cost, measured against bare FastAPI,
and how it holds up under load, with Redis stopped in the middle.

Renders a full-featured project from the working tree, starts it the way its
Dockerfile does (`python -m bench_service.serve`: uvicorn, one worker) against
nx-27017 and redis-server on loopback, and drives it with wrk from other processes.

Default mode (the ratios): also starts `bare_app.py` under plain uvicorn (one worker)
against the same database; reports requests/s, p50/p99 latency and the server's CPU
time per request for `/health/live` and for an authenticated read of the current
user, in rounds alternating service and bare (the ratio: the median of the rounds'),
against the targets (0.70 and 0.85 of bare); also times `copier copy --defaults` of
the full-featured combination against a one-question template.

    .venv/bin/python bench/run.py [--duration 10] [--connections 32] [--skip-copier]

Load mode (`--load`): 200 connections for 60 s of a mixed workload (liveness and
readiness probes, the current user, profile updates: one wrk process per kind, with
bench/load.lua), the service's RSS and open connections sampled every second; run
once as is ("steady") and once with redis-server stopped for 10 s in the middle and
started again on the same port ("redis-outage"). Reports requests, answers by status,
socket errors, p50/p99 per kind and the RSS growth over the last 45 s, against the
targets: no error (steady), nothing but 2xx and documented 503s (outage), RSS growth
under 5%.

    .venv/bin/python bench/run.py --load [--duration 60] [--connections 200]

Both print a table and write JSON (bench/results/latest.json, bench/results/load.json).
Run it from the template's tool environment (scripts/test creates it). It installs
Debian's wrk with apt-get when it is missing (as root, or with sudo).
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
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.process import find_python  # noqa: E402

FULL_ANSWERS = {
    "project_name": "Bench Service",
    "odm": "beanie",
    "auth": "jwt",
    "oauth_providers": '["google","github","oidc"]',
    "stripe_features": '["checkout","subscriptions","customer_portal","payment_intents","refunds"]',
    "use_redis": "true",
    "api_style": "both",
}
JWT_KEY = "benchmark-signing-key-" + "k" * 40
PASSWORD = "a benchmark passphrase"
LOAD_SCRIPT = ROOT / "bench" / "load.lua"
# What each kind of request of the load mode asks: (method, OpenAPI path).
LOAD_KINDS = {
    "live": ("get", "/health/live"),
    "ready": ("get", "/health/ready"),
    "me": ("get", "/api/v1/auth/me"),
    "update": ("patch", "/api/v1/users/{user_id}"),
}
# Share of the connections per kind (percent), unless --mix says otherwise.
DEFAULT_MIX = "live=5,ready=5,me=70,update=20"
JSON = {"Content-Type": "application/json"}
RATIO_TARGETS = {"health_live": 0.70, "current_user": 0.85}  # of bare FastAPI
# The current user through GraphQL, against REST's /auth/me on the same service.
GRAPHQL_ME = "{ me { id email } }"
# A connection of 50 payments with one related object each (the payer, through the
# per-request DataLoader), as an admin asks it.
GRAPHQL_PAGE = (
    "query Page { payments(first: 50) { nodes { id amount user { id email } } } }"
)
PAGE_SIZE = 50
# Stored with the service's own Payment type, the way every ODM stores it (the rendered
# tests' billing_support.add_payment): run by the service's interpreter, one payer's
# email per line on stdin.
SEED_PAYMENTS = """
import dataclasses, os, sys
from pymongo import MongoClient
from bench_service.billing.domain import Payment, PaymentSource, PaymentStatus
from bench_service.core.ids import new_id
from bench_service.core.time import utc_now
db = MongoClient(os.environ["MONGODB_URI"])[os.environ["MONGODB_DATABASE"]]
for email in sys.stdin.read().split():
    user_id = db["users"].find_one({"email": email})["_id"]
    now = utc_now()
    payment = Payment(
        id=new_id("pay"), user_id=user_id, source=PaymentSource.PAYMENT_INTENT,
        status=PaymentStatus.SUCCEEDED, amount=2_000, currency="usd",
        amount_captured=2_000, stripe_payment_intent_id=None,
        stripe_checkout_session_id=None, created_at=now, updated_at=now,
    )
    fields = {k: v for k, v in dataclasses.asdict(payment).items() if v is not None}
    db["payments"].insert_one({"_id": fields.pop("id"), **fields})
"""
GRAPHQL_TARGET = 0.75
RSS_WINDOW_S = 45  # "flat after warm-up": growth over the last 45 s of the run
RSS_GROWTH_TARGET = 0.05


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


def wait_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout}s")


def copier(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("copier")), "copy", "--quiet", *args],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def copier_data() -> list[str]:
    return [
        arg
        for key, value in FULL_ANSWERS.items()
        for arg in ("--data", f"{key}={value}")
    ]


def render_service(dest: Path, template: Path = ROOT) -> None:
    """The full-featured project, from the template's working tree (`--vcs-ref=HEAD`
    takes the uncommitted changes too)."""
    copier("--defaults", "--vcs-ref=HEAD", *copier_data(), str(template), str(dest))


def time_copier(work: Path, template: Path, runs: int = 3) -> dict[str, float]:
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
    for step in (
        ["init", "-q"],
        ["add", "-A"],
        ["commit", "-q", "-m", "tiny template"],
    ):
        subprocess.run([*git, *step], cwd=tiny, check=True, capture_output=True)
    full = [
        copier(
            "--defaults",
            "--vcs-ref=HEAD",
            *copier_data(),
            str(template),
            str(work / f"full{i}"),
        )
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
        print(
            "wrk is missing: installing Debian's package "
            f"(`{' '.join([*sudo, 'apt-get', 'install', '-y', 'wrk'])}`)",
            flush=True,
        )
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True)
        wrk = shutil.which("wrk")
    assert wrk, "wrk could not be installed"
    return wrk


def install_service(project: Path, venv: Path, extra: list[str]) -> Path:
    """A virtual environment for the rendered project (its dev extra: nx-27017 and
    aiosmtpd come with it) and the `extra` requirements; returns its bin folder."""
    python = find_python("3.12")
    assert (
        python
    ), "the benchmark renders python_version 3.12 and needs that interpreter"
    uv = str(Path(sys.executable).with_name("uv"))
    subprocess.run([uv, "venv", "-q", "--python", str(python), str(venv)], check=True)
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "-q",
            "--python",
            str(venv / "bin" / "python"),
            "-e",
            f"{project}[dev]",
            *extra,
        ],
        check=True,
    )
    return venv / "bin"


def wrk_run(
    wrk: str,
    url: str,
    duration: int,
    connections: int,
    headers: dict[str, str],
    pid: int | None = None,
    script: Path | None = None,
) -> dict[str, float]:
    """One wrk run: requests/s, p50/p99 latency, and the CPU time the server process
    `pid` spent per request (user and system, µs), a figure that other load on the
    machine disturbs much less than requests/s. `script`: a wrk Lua script (the
    GraphQL POST)."""
    header_args = [arg for k, v in headers.items() for arg in ("-H", f"{k}: {v}")]
    if script is not None:
        header_args += ["-s", str(script)]
    cpu_before = read_proc(pid)[1] if pid else 0.0
    out = subprocess.run(
        [
            wrk,
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            *header_args,
            url,
        ],
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
    requests = re.search(r"^\s+(\d+) requests in", out, re.M)
    assert rps, out
    assert requests, out
    result = {"rps": float(rps.group(1)), "p50_ms": ms("50"), "p99_ms": ms("99")}
    if pid:
        cpu = read_proc(pid)[1] - cpu_before
        result["cpu_us_per_request"] = cpu / int(requests.group(1)) * 1e6
    return result


class Processes:
    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []

    def start(
        self, cmd: list[str], env: dict[str, str], cwd: Path, log: Path
    ) -> subprocess.Popen[bytes]:
        with log.open("ab") as out:
            process = subprocess.Popen(
                cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT
            )
        self.started.append(process)
        return process

    def stop_one(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)  # in case it was paused
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.started.remove(process)

    def stop(self) -> None:
        for process in reversed(list(self.started)):
            self.stop_one(process)


@dataclass
class Stack:
    """nx-27017, redis-server and an SMTP sink on free loopback ports, and the
    rendered service against them (as its Dockerfile runs it)."""

    work: Path
    bin_dir: Path
    project: Path
    extra_env: dict[str, str]
    processes: Processes = field(default_factory=Processes)
    mongo_port: int = field(default_factory=free_port)
    redis_port: int = field(default_factory=free_port)
    smtp_port: int = field(default_factory=free_port)
    app_port: int = field(default_factory=free_port)
    mongo: subprocess.Popen[bytes] | None = None
    redis: subprocess.Popen[bytes] | None = None
    service: subprocess.Popen[bytes] | None = None

    def start_backends(self) -> None:
        work, bin_dir = self.work, self.bin_dir
        self.mongo = self.processes.start(
            [
                str(bin_dir / "nx-27017"),
                "--db",
                "memory",
                "--host",
                "127.0.0.1",
                "-p",
                str(self.mongo_port),
                "--log-file",
                str(work / "nx.log"),
                "--pid-file",
                str(work / "nx.pid"),
            ],
            dict(os.environ),
            work,
            work / "nx.out",
        )
        self.start_redis()
        self.processes.start(
            [
                str(bin_dir / "python"),
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{self.smtp_port}",
                "-c",
                "aiosmtpd.handlers.Sink",
            ],
            dict(os.environ),
            work,
            work / "smtp.out",
        )
        for port in (self.mongo_port, self.smtp_port):
            wait_port(port)

    def start_redis(self) -> None:
        """redis-server on `redis_port` (again, after `stop_redis`): empty, no
        persistence, as a restarted cache without a volume comes back."""
        self.redis = self.processes.start(
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            dict(os.environ),
            self.work,
            self.work / "redis.out",
        )
        wait_port(self.redis_port)

    def stop_redis(self) -> None:
        assert self.redis is not None
        self.processes.stop_one(self.redis)
        self.redis = None

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "ENVIRONMENT": "production",
            "SECRET_KEY": "benchmark-secret-" + "s" * 40,
            "EMAIL_BACKEND": "smtp",
            # Required in production; the measured endpoints never call Stripe.
            "STRIPE_SECRET_KEY": "sk_test_benchmark",
            "STRIPE_WEBHOOK_SECRETS": '["whsec_benchmark"]',
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.smtp_port),
            "SMTP_STARTTLS": "false",
            "MONGODB_URI": f"mongodb://127.0.0.1:{self.mongo_port}",
            "MONGODB_DATABASE": "bench",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "JWT_SIGNING_KEY": JWT_KEY,
            "JWT_ISSUER": "bench-service",
            "JWT_AUDIENCE": "bench-service",
            "LOG_LEVEL": "INFO",
            # The whole middleware stack: trusted hosts and CORS configured, rate
            # limiting on, with limits the load never reaches (every client is
            # 127.0.0.1): each request is still counted in Redis.
            "ALLOWED_HOSTS": '["127.0.0.1"]',
            "CORS_ORIGINS": '["https://app.example.com"]',
            "RATE_LIMIT_ENABLED": "true",
            "RATE_LIMIT_DEFAULT": "100000000/minute",
            "RATE_LIMIT_AUTH": "100000000/minute",
            "SHUTDOWN_GRACE_S": "0",  # stop at once when the run is over
        }
        env.update(self.extra_env)
        return env

    def start_service(self) -> str:
        self.service = self.processes.start(
            [
                str(self.bin_dir / "python"),
                "-m",
                "bench_service.serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.app_port),
            ],
            self.env(),
            self.project,
            self.work / "app.log",
        )
        url = f"http://127.0.0.1:{self.app_port}"
        wait_http(f"{url}/health/live")
        return url


def register(app: str, email: str) -> str:
    """Register an account; its id (read back through a login)."""
    account = {"email": email, "name": "Bench", "password": PASSWORD}
    httpx.post(
        f"{app}/api/v1/auth/register", json=account, timeout=30
    ).raise_for_status()
    user_id: str = (
        httpx.get(f"{app}/api/v1/auth/me", headers=log_in(app, email), timeout=30)
        .raise_for_status()
        .json()["id"]
    )
    return user_id


def log_in(app: str, email: str) -> dict[str, str]:
    """A bearer header for the account."""
    login = httpx.post(
        f"{app}/api/v1/auth/login",
        json={"email": email, "password": PASSWORD},
        timeout=30,
    ).raise_for_status()
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def sign_up(app: str, email: str) -> tuple[str, dict[str, str]]:
    """Register and log in an account: its id and bearer header."""
    user_id = register(app, email)
    return user_id, log_in(app, email)


# --- default mode: the ratios -------------------------------------------------------


def ratios(args: argparse.Namespace, wrk: str, work: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    project = work / "full0"
    if args.skip_copier:
        render_service(project, args.template)
    else:
        results["copier"] = time_copier(work, args.template)
    bin_dir = install_service(project, work / "venv", args.with_)
    stack = Stack(work, bin_dir, project, dict(item.split("=", 1) for item in args.env))
    try:
        stack.start_backends()
        app = stack.start_service()
        bare_port = free_port()
        bare_process = stack.processes.start(
            [
                str(bin_dir / "uvicorn"),
                "bare_app:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(bare_port),
                # The server options serve.py sets, so only the apps differ.
                "--workers",
                "1",
                "--no-access-log",
                "--no-proxy-headers",
                "--no-server-header",
                "--app-dir",
                str(ROOT / "bench"),
            ],
            stack.env(),
            work,
            work / "bare.log",
        )
        bare = f"http://127.0.0.1:{bare_port}"
        wait_http(f"{bare}/health/live")
        _, bearer = sign_up(app, "bench@example.com")
        assert httpx.get(f"{bare}/me", headers=bearer, timeout=10).status_code == 200

        runs = {
            "health_live": (f"{app}/health/live", f"{bare}/health/live", {}),
            "current_user": (f"{app}/api/v1/auth/me", f"{bare}/me", bearer),
        }
        connections = args.connections or 32
        duration = args.duration or 10
        pids = {
            "service": stack.service.pid if stack.service else None,
            "bare": bare_process.pid,
        }
        for name, (full_url, bare_url, headers) in runs.items():
            urls = {"service": full_url, "bare": bare_url}
            for url in urls.values():  # warm up
                wrk_run(wrk, url, 2, connections, headers)
            rounds: dict[str, list[dict[str, float]]] = {"service": [], "bare": []}
            for i in range(args.rounds):
                # Alternate the order (service first, then bare first) so that a
                # change in the machine's other load weighs on both sides alike.
                for side in ("service", "bare") if i % 2 == 0 else ("bare", "service"):
                    rounds[side].append(
                        wrk_run(
                            wrk, urls[side], duration, connections, headers, pids[side]
                        )
                    )
            per_round = [
                s["rps"] / b["rps"]
                for s, b in zip(rounds["service"], rounds["bare"], strict=True)
            ]
            results[name] = {
                side: {
                    key: statistics.median(r[key] for r in runs_) for key in runs_[0]
                }
                for side, runs_ in rounds.items()
            }
            results[name]["ratio"] = statistics.median(per_round)
            results[name]["ratio_per_round"] = per_round
            results[name]["cpu_ratio"] = (
                results[name]["bare"]["cpu_us_per_request"]
                / results[name]["service"]["cpu_us_per_request"]
            )
        results["graphql_me"] = graphql_vs_rest(
            wrk, work, app, bearer, connections, duration, args.rounds, pids["service"]
        )
        results["graphql_page"] = graphql_page(
            wrk, work, stack, app, duration, pids["service"]
        )
    finally:
        stack.processes.stop()
    return results


def graphql_vs_rest(
    wrk: str,
    work: Path,
    app: str,
    bearer: dict[str, str],
    connections: int,
    duration: int,
    rounds: int,
    pid: int | None,
) -> dict[str, Any]:
    """`{ me { id email } }` over POST /graphql against GET /api/v1/auth/me, on the
    same service, in alternating rounds (the ratio: GraphQL's requests/s over REST's).
    """
    body = json.dumps({"query": GRAPHQL_ME})
    answer = httpx.post(
        f"{app}/graphql", content=body, headers={**bearer, **JSON}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    assert "errors" not in answer.json(), answer.text
    script = work / "graphql_me.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body)}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    urls = {"graphql": f"{app}/graphql", "rest": f"{app}/api/v1/auth/me"}
    scripts = {"graphql": script, "rest": None}
    for side, url in urls.items():  # warm up
        wrk_run(wrk, url, 2, connections, bearer, script=scripts[side])
    runs: dict[str, list[dict[str, float]]] = {"graphql": [], "rest": []}
    for i in range(rounds):
        for side in ("graphql", "rest") if i % 2 == 0 else ("rest", "graphql"):
            runs[side].append(
                wrk_run(
                    wrk,
                    urls[side],
                    duration,
                    connections,
                    bearer,
                    pid,
                    script=scripts[side],
                )
            )
    result: dict[str, Any] = {
        side: {key: statistics.median(r[key] for r in runs_) for key in runs_[0]}
        for side, runs_ in runs.items()
    }
    per_round = [
        g["rps"] / r["rps"] for g, r in zip(runs["graphql"], runs["rest"], strict=True)
    ]
    result["ratio"] = statistics.median(per_round)
    result["ratio_per_round"] = per_round
    return result


def graphql_page(
    wrk: str, work: Path, stack: Stack, app: str, duration: int, pid: int | None
) -> dict[str, Any]:
    """p50/p99 of a 50-item connection with one related object each (GRAPHQL_PAGE),
    from 8 connections: 50 payers with a payment each, read by an admin."""
    payers = [f"payer{n}@example.com" for n in range(PAGE_SIZE)]
    for email in payers:
        account = {"email": email, "name": "Payer", "password": PASSWORD}
        httpx.post(
            f"{app}/api/v1/auth/register", json=account, timeout=30
        ).raise_for_status()
    subprocess.run(
        [str(stack.bin_dir / "python"), "-c", SEED_PAYMENTS],
        input="\n".join(payers),
        text=True,
        env=stack.env(),
        cwd=stack.project,
        check=True,
    )
    # The admin's role is set before it logs in, so no cached copy of it says "user".
    account = {"email": "admin@example.com", "name": "Admin", "password": PASSWORD}
    httpx.post(
        f"{app}/api/v1/auth/register", json=account, timeout=30
    ).raise_for_status()
    subprocess.run(
        [
            str(stack.bin_dir / "python"),
            "-c",
            "import os; from pymongo import MongoClient; "
            "db = MongoClient(os.environ['MONGODB_URI'])[os.environ['MONGODB_DATABASE']]; "
            "assert db['users'].update_one({'email': 'admin@example.com'},"
            " {'$set': {'role': 'admin'}}).modified_count == 1",
        ],
        env=stack.env(),
        cwd=stack.project,
        check=True,
    )
    bearer = log_in(app, "admin@example.com")
    body = json.dumps({"query": GRAPHQL_PAGE})
    answer = httpx.post(
        f"{app}/graphql", content=body, headers={**bearer, **JSON}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    nodes = answer.json()["data"]["payments"]["nodes"]
    assert len(nodes) == PAGE_SIZE, answer.text
    assert all(node["user"] for node in nodes), answer.text
    script = work / "graphql_page.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body)}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    url = f"{app}/graphql"
    wrk_run(wrk, url, 2, 8, bearer, script=script)  # warm up
    return wrk_run(wrk, url, duration, 8, bearer, pid, script=script)


def print_ratios(results: dict[str, Any]) -> None:
    print(
        f"{'endpoint':<14}{'service rps':>12}{'bare rps':>10}{'ratio':>7}"
        f"{'p50 ms':>14}{'p99 ms':>16}{'CPU us/request':>18}{'CPU ratio':>10}  rounds"
    )
    for name in ("health_live", "current_user"):
        r = results[name]
        s, b = r["service"], r["bare"]
        print(
            f"{name:<14}{s['rps']:>12.0f}{b['rps']:>10.0f}{r['ratio']:>7.2f}"
            f"{s['p50_ms']:>7.2f}/{b['p50_ms']:<6.2f}{s['p99_ms']:>8.2f}/{b['p99_ms']:<7.2f}"
            f"{s['cpu_us_per_request']:>10.0f}/{b['cpu_us_per_request']:<7.0f}"
            f"{r['cpu_ratio']:>10.2f}  "
            + " ".join(f"{x:.2f}" for x in r["ratio_per_round"])
        )
    print(
        "targets (ratio, median of the rounds): "
        + ", ".join(
            f"{name} >= {target:.2f}: "
            + ("met" if results[name]["ratio"] >= target else "NOT met")
            for name, target in RATIO_TARGETS.items()
        )
    )
    if "graphql_me" in results:
        g = results["graphql_me"]
        print(
            f"graphql me: {g['graphql']['rps']:.0f} rps (p50 {g['graphql']['p50_ms']:.2f}"
            f" ms, p99 {g['graphql']['p99_ms']:.2f} ms) against REST /auth/me "
            f"{g['rest']['rps']:.0f} rps: ratio {g['ratio']:.2f} (rounds "
            + " ".join(f"{x:.2f}" for x in g["ratio_per_round"])
            + f"), target >= {GRAPHQL_TARGET:.2f}: "
            + ("met" if g["ratio"] >= GRAPHQL_TARGET else "NOT met")
        )
    if "graphql_page" in results:
        p = results["graphql_page"]
        print(
            f"graphql page of {PAGE_SIZE} payments with their users (8 connections):"
            f" p50 {p['p50_ms']:.2f} ms, p99 {p['p99_ms']:.2f} ms, {p['rps']:.0f} rps,"
            f" {p['cpu_us_per_request']:.0f} us CPU per request"
        )
    if "copier" in results:
        c = results["copier"]
        print(
            f"copier copy --defaults: full {c['full_s']:.2f}s, one question "
            f"{c['one_question_s']:.2f}s, ratio {c['ratio']:.2f}"
        )


# --- load mode ----------------------------------------------------------------------


def parse_mix(text: str, connections: int) -> dict[str, int]:
    """`live=5,ready=5,me=70,update=20` (shares) -> connections per kind, summing to
    `connections`, at least one each."""
    shares = {
        kind: float(share)
        for kind, share in (item.split("=") for item in text.split(","))
    }
    unknown = set(shares) - set(LOAD_KINDS)
    assert not unknown, f"unknown request kinds {unknown}: {list(LOAD_KINDS)}"
    total = sum(shares.values())
    mix = {
        kind: max(1, round(connections * share / total))
        for kind, share in shares.items()
    }
    largest = max(mix, key=lambda kind: mix[kind])
    mix[largest] += connections - sum(mix.values())
    return mix


def documented_statuses(app: str) -> dict[str, set[int]]:
    """The statuses the service's OpenAPI document gives each kind's operation."""
    document = httpx.get(f"{app}/openapi.json", timeout=10).json()
    documented = {}
    for kind, (method, path) in LOAD_KINDS.items():
        responses = document["paths"][path][method]["responses"]
        documented[kind] = {int(code) for code in responses if code.isdigit()}
    return documented


def read_proc(pid: int) -> tuple[int, float]:
    """RSS (bytes) and CPU time (s) of a process, from /proc."""
    with open(f"/proc/{pid}/status") as status:
        rss_kb = next(
            int(line.split()[1]) for line in status if line.startswith("VmRSS:")
        )
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return rss_kb * 1024, (int(fields[11]) + int(fields[12])) / ticks


def established(port: int) -> int:
    """TCP connections established to `port` on loopback (the server's side). The
    kernel lists the table while it changes, so a connection can appear twice: they
    are counted once."""
    connections = set()
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            columns = line.split()
            if columns[3] == "01" and int(columns[1].rsplit(":", 1)[1], 16) == port:
                connections.add((columns[1], columns[2]))
    return len(connections)


def machine_cpu() -> tuple[float, float]:
    """Busy and total CPU time of the whole machine (s, all cores), from /proc/stat."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values) - idle) / ticks, sum(values) / ticks


class Sampler(threading.Thread):
    """Every second: the service's RSS, CPU time and open connections, the CPU time
    of nx-27017 and of the whole machine."""

    def __init__(self, pid: int, port: int, mongo_pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.port, self.mongo_pid = pid, port, mongo_pid
        self.started_at = time.monotonic()
        self.samples: list[dict[str, float]] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.wait(1.0 - (time.monotonic() - self.started_at) % 1.0):
            try:
                rss, cpu = read_proc(self.pid)
                _, mongo_cpu = read_proc(self.mongo_pid)
            except (OSError, StopIteration):
                return
            busy, total = machine_cpu()
            self.samples.append(
                {
                    "t_s": round(time.monotonic() - self.started_at, 2),
                    "rss_mb": round(rss / 2**20, 2),
                    "cpu_s": round(cpu, 2),
                    "mongo_cpu_s": round(mongo_cpu, 2),
                    "machine_busy_s": round(busy, 2),
                    "machine_total_s": round(total, 2),
                    "connections": established(self.port),
                }
            )


def load_run(
    args: argparse.Namespace,
    wrk: str,
    stack: Stack,
    app: str,
    accounts: Path,
    outage: bool,
) -> dict[str, Any]:
    duration = args.duration or 60
    mix = parse_mix(args.mix, args.connections or 200)
    documented = documented_statuses(app)
    assert stack.service is not None
    assert stack.mongo is not None
    sampler = Sampler(stack.service.pid, stack.app_port, stack.mongo.pid)
    wrks = {
        kind: subprocess.Popen(
            [
                wrk,
                "-t1",
                f"-c{n}",
                f"-d{duration}s",
                f"--timeout={args.wrk_timeout}s",
                "--latency",
                "-s",
                str(LOAD_SCRIPT),
                app,
                "--",
                kind,
                str(accounts),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for kind, n in mix.items()
    }
    sampler.start()
    events: dict[str, float] = {}
    if outage:
        start_s = (duration - args.outage_s) / 2
        time.sleep(max(0.0, start_s - (time.monotonic() - sampler.started_at)))
        events["redis_stopped_s"] = round(time.monotonic() - sampler.started_at, 2)
        if args.outage_mode == "pause":
            assert stack.redis is not None
            stack.redis.send_signal(signal.SIGSTOP)
        else:
            stack.stop_redis()
        time.sleep(
            max(0.0, start_s + args.outage_s - (time.monotonic() - sampler.started_at))
        )
        if args.outage_mode == "pause":
            assert stack.redis is not None
            stack.redis.send_signal(signal.SIGCONT)
        else:
            stack.start_redis()
        events["redis_back_s"] = round(time.monotonic() - sampler.started_at, 2)
    outputs = {
        kind: process.communicate(timeout=duration + 120)[0]
        for kind, process in wrks.items()
    }
    sampler.halt.set()
    sampler.join()

    kinds: dict[str, Any] = {}
    for kind, out in outputs.items():
        found = re.search(r"^WRK_JSON (.*)$", out, re.M)
        assert found, f"wrk ({kind}) printed no summary:\n{out}"
        raw = json.loads(found.group(1))
        statuses = {int(code): n for code, n in raw["statuses"].items()}
        accepted = {code for code in statuses if 200 <= code < 300}
        if outage and 503 in documented[kind]:
            accepted.add(503)
        socket_errors = {
            name: raw[name]
            for name in ("connect_errors", "read_errors", "write_errors", "timeouts")
        }
        kinds[kind] = {
            "connections": mix[kind],
            "requests": raw["requests"],
            "rps": raw["requests"] / (raw["duration_us"] / 1e6),
            "p50_ms": raw["p50_us"] / 1000,
            "p90_ms": raw["p90_us"] / 1000,
            "p99_ms": raw["p99_us"] / 1000,
            "max_ms": raw["max_us"] / 1000,
            "statuses": {str(code): n for code, n in sorted(statuses.items())},
            "socket_errors": socket_errors,
            "errors": sum(n for code, n in statuses.items() if code not in accepted)
            + sum(socket_errors.values()),
        }
    samples = sampler.samples
    # The last 45 s of a 60 s run; of a shorter run, its last three quarters.
    window_s = min(RSS_WINDOW_S, duration * 3 // 4)
    window = [s for s in samples if duration - window_s <= s["t_s"] <= duration]
    assert len(window) >= 2, f"too few RSS samples: {samples}"
    growth = window[-1]["rss_mb"] / window[0]["rss_mb"] - 1
    during = [s["connections"] for s in samples if 5 <= s["t_s"] <= duration - 5] or [0]
    cpu = [s for s in samples if s["t_s"] <= duration]

    def cores(key: str) -> float:
        return (cpu[-1][key] - cpu[0][key]) / (cpu[-1]["t_s"] - cpu[0]["t_s"])

    machine = (cpu[-1]["machine_busy_s"] - cpu[0]["machine_busy_s"]) / (
        cpu[-1]["machine_total_s"] - cpu[0]["machine_total_s"]
    )
    errors = sum(k["errors"] for k in kinds.values())
    return {
        "variant": (
            f"redis-outage ({args.outage_mode}, {args.outage_s} s)"
            if outage
            else "steady"
        ),
        "duration_s": duration,
        "connections": sum(mix.values()),
        "wrk_timeout_s": args.wrk_timeout,
        "kinds": kinds,
        "requests": sum(k["requests"] for k in kinds.values()),
        "errors": errors,
        "accepted": "2xx and documented 503" if outage else "2xx",
        "events": events,
        "open_connections": {
            "min": min(during),
            "median": statistics.median(during),
            "max": max(during),
        },
        # Cores used on average: the service, nx-27017; the whole machine's busy share.
        "cpu": {
            "service": cores("cpu_s"),
            "nx_27017": cores("mongo_cpu_s"),
            "machine_busy": machine,
            "machine_cores": os.cpu_count(),
        },
        "rss": {
            "window_s": window_s,
            "start_mb": window[0]["rss_mb"],
            "end_mb": window[-1]["rss_mb"],
            "peak_mb": max(s["rss_mb"] for s in samples),
            "growth": growth,
        },
        "met": errors == 0 and growth < RSS_GROWTH_TARGET,
        "samples": samples,
    }


def load(args: argparse.Namespace, wrk: str, work: Path) -> dict[str, Any]:
    project = work / "service"
    render_service(project, args.template)
    bin_dir = install_service(project, work / "venv", args.with_)
    results: dict[str, Any] = {"runs": []}
    for variant in args.variants.split(","):
        assert variant in ("steady", "redis-outage"), variant
        run_dir = work / variant
        run_dir.mkdir()
        stack = Stack(
            run_dir, bin_dir, project, dict(item.split("=", 1) for item in args.env)
        )
        try:
            stack.start_backends()
            app = stack.start_service()
            lines = []
            for i in range(args.accounts):
                user_id, bearer = sign_up(app, f"load{i}@example.com")
                lines.append(
                    f"{user_id} {bearer['Authorization'].removeprefix('Bearer ')}"
                )
            accounts = run_dir / "accounts.txt"
            accounts.write_text("\n".join(lines) + "\n")
            print(
                f"{variant}: {args.connections or 200} connections for "
                f"{args.duration or 60} s...",
                flush=True,
            )
            result = load_run(
                args, wrk, stack, app, accounts, outage=variant != "steady"
            )
        finally:
            stack.processes.stop()
        log = (run_dir / "app.log").read_text(errors="replace").splitlines()
        result["service_log"] = {
            "errors": [line for line in log if '"level":"error"' in line][:20],
            "warnings": warning_counts(log),
        }
        results["runs"].append(result)
        print_load(result)
    return results


def warning_counts(log: list[str]) -> dict[str, int]:
    """How often the service logged each warning ("event check=... error=...")."""
    counts: dict[str, int] = {}
    for line in log:
        if '"level":"warning"' not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        name = " ".join(
            [str(entry.get("event"))]
            + [f"{key}={entry[key]}" for key in ("check", "error") if key in entry]
        )
        counts[name] = counts.get(name, 0) + 1
    return counts


def print_load(run: dict[str, Any]) -> None:
    kinds = run["kinds"]
    print(
        f"\n{run['variant']}: {run['connections']} connections, {run['duration_s']} s "
        f"("
        + ", ".join(f"{k} {v['connections']}" for k, v in kinds.items())
        + ")"
        + (
            f"; Redis stopped at {run['events']['redis_stopped_s']:.0f} s, back at "
            f"{run['events']['redis_back_s']:.0f} s"
            if run["events"]
            else ""
        )
    )
    print(
        f"{'kind':<8}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"  {'answers':<28}{'socket errors':>14}{'errors':>8}"
    )
    for kind, k in kinds.items():
        answers = " ".join(f"{code}:{n}" for code, n in k["statuses"].items())
        print(
            f"{kind:<8}{k['requests']:>9}{k['rps']:>8.0f}{k['p50_ms']:>9.1f}{k['p99_ms']:>9.1f}"
            f"{k['max_ms']:>9.0f}  {answers:<28}{sum(k['socket_errors'].values()):>14}"
            f"{k['errors']:>8}"
        )
    c, r = run["open_connections"], run["rss"]
    print(
        f"total {run['requests']} requests, {run['errors']} errors (accepted: "
        f"{run['accepted']}); open connections min/median/max {c['min']}/{c['median']:.0f}/"
        f"{c['max']}"
    )
    cpu = run["cpu"]
    print(
        f"CPU: service {cpu['service']:.2f} cores, nx-27017 {cpu['nx_27017']:.2f}; machine "
        f"{cpu['machine_busy']:.0%} busy of {cpu['machine_cores']} cores"
    )
    print(
        f"RSS {r['start_mb']:.1f} MB -> {r['end_mb']:.1f} MB over the last {r['window_s']} s: "
        f"growth {r['growth']:+.1%} (target < {RSS_GROWTH_TARGET:.0%}), peak {r['peak_mb']:.1f} MB;"
        f" {'MET' if run['met'] else 'NOT MET'}"
    )
    if run["service_log"]["warnings"]:
        print(
            "service warnings:",
            *(f"{n} x {w}" for w, n in run["service_log"]["warnings"].items()),
            sep="\n  ",
        )
    if run["service_log"]["errors"]:
        print("service errors logged:", *run["service_log"]["errors"][:5], sep="\n  ")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--load", action="store_true", help="the load mode (see above)")
    parser.add_argument(
        "--duration", type=int, help="seconds per wrk run (10; --load: 60)"
    )
    parser.add_argument(
        "--connections", type=int, help="wrk connections (32; --load: 200)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="JSON results (bench/results/latest.json;"
        " --load: bench/results/load.json)",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra setting for the service, to measure what one layer costs",
    )
    parser.add_argument(
        "--template",
        type=Path,
        default=ROOT,
        help="render the service from this template checkout instead "
        "(to compare two versions: a clone checked out at the older commit)",
    )
    parser.add_argument(
        "--with",
        dest="with_",
        action="append",
        default=[],
        metavar="REQUIREMENT",
        help="also install this into the service's "
        "environment, to measure what it changes (e.g. --with hiredis)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="wrk runs per side and endpoint, service and bare alternating;"
        " the ratio is the median of the rounds' ratios (3)",
    )
    parser.add_argument(
        "--skip-copier",
        action="store_true",
        help="do not time copier copy (render the service once)",
    )
    parser.add_argument(
        "--variants",
        default="steady,redis-outage",
        help="--load: the runs, in order (default: steady,redis-outage)",
    )
    parser.add_argument(
        "--mix",
        default=DEFAULT_MIX,
        help=f"--load: share of the connections per kind ({DEFAULT_MIX})",
    )
    parser.add_argument(
        "--accounts",
        type=int,
        default=20,
        help="--load: accounts the requests take in turn (20)",
    )
    parser.add_argument(
        "--outage-s",
        type=int,
        default=10,
        help="--load: how long Redis is down, in the middle of the run (10)",
    )
    parser.add_argument(
        "--outage-mode",
        choices=("kill", "pause"),
        default="kill",
        help="--load: stop redis-server and start it again on the same port"
        " (kill, default), or SIGSTOP/SIGCONT it (pause: connections hang)",
    )
    parser.add_argument(
        "--wrk-timeout",
        type=int,
        default=10,
        help="--load: seconds after which wrk counts a request as timed out (10)",
    )
    args = parser.parse_args()
    out = args.out or ROOT / "bench" / "results" / (
        "load.json" if args.load else "latest.json"
    )

    wrk = ensure_wrk()
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        results = load(args, wrk, work) if args.load else ratios(args, wrk, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    if not args.load:
        print_ratios(results)
    print(f"JSON: {out}")
    return 0 if not args.load or all(run["met"] for run in results["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
