"""The answer combinations the suite renders, and the helpers that run rendered projects."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache"

ODMS = ["beanie", "odmantic", "mongoengine", "pymongo"]
API_STYLES = ["rest", "graphql", "both"]
AUTHS = ["jwt", "session"]
OAUTH_SETS: list[list[str]] = [[], ["google"], ["github", "oidc"]]
OBSERVABILITY_SETS: list[list[str]] = [
    ["prometheus"],
    ["prometheus", "opentelemetry", "sentry"],
    [],
    ["opentelemetry"],
    ["sentry"],
]
STRIPE_SETS: list[list[str]] = [
    ["checkout", "subscriptions", "customer_portal", "payment_intents", "refunds"],
    [],
    ["checkout"],
    ["subscriptions"],
    ["customer_portal"],
    ["payment_intents"],
    ["refunds"],
    ["checkout", "subscriptions", "customer_portal"],
]
PYTHON_VERSIONS = ["3.12", "3.11", "3.13"]

BASE_ANSWERS: dict[str, Any] = {
    "project_name": "Matrix Service",
    "description": "Rendered by the template's test suite",
    "author_name": "Template Tests",
    "author_email": "tests@example.com",
}


@dataclass(frozen=True)
class Combo:
    odm: str
    api_style: str
    auth: str
    oauth_providers: tuple[str, ...]
    observability: tuple[str, ...]
    stripe_features: tuple[str, ...]
    use_redis: bool
    python_version: str

    @property
    def id(self) -> str:
        redis = "redis" if self.use_redis else "no-redis"
        oauth = "+".join(self.oauth_providers) or "no-oauth"
        observability = "+".join(self.observability) or "no-observability"
        stripe = (
            "stripe-all"
            if len(self.stripe_features) == len(STRIPE_SETS[0])
            else "+".join(self.stripe_features) or "no-stripe"
        )
        return "-".join(
            [self.odm, self.api_style, self.auth, oauth, observability, stripe, redis]
        ) + f"-py{self.python_version}"

    def answers(self) -> dict[str, Any]:
        return {
            **BASE_ANSWERS,
            "odm": self.odm,
            "api_style": self.api_style,
            "auth": self.auth,
            "oauth_providers": list(self.oauth_providers),
            "observability": list(self.observability),
            "stripe_features": list(self.stripe_features),
            "use_redis": self.use_redis,
            "python_version": self.python_version,
        }


def full_matrix() -> list[Combo]:
    """Every odm x api_style (12 projects). The other answers rotate so that each ODM
    meets both auth strategies, every OAuth provider and no provider, both use_redis
    values and every Python version, every observability option appears, and every
    stripe_features set of STRIPE_SETS (none, each feature alone, all, the default)
    renders at least once, with billing under every ODM."""
    combos = []
    for i, odm in enumerate(ODMS):
        for j, api_style in enumerate(API_STYLES):
            combos.append(
                Combo(
                    odm=odm,
                    api_style=api_style,
                    auth=AUTHS[(i + j) % 2],
                    oauth_providers=tuple(OAUTH_SETS[(i + j) % 3]),
                    observability=tuple(OBSERVABILITY_SETS[(3 * i + j) % len(OBSERVABILITY_SETS)]),
                    stripe_features=tuple(STRIPE_SETS[(3 * i + j) % len(STRIPE_SETS)]),
                    use_redis=(i + 2 * j) % 3 != 2,
                    python_version=PYTHON_VERSIONS[(2 * i + j) % len(PYTHON_VERSIONS)],
                )
            )
    return combos


def find_python(version: str) -> Path | None:
    """An installed interpreter of exactly this minor version (PATH, then pyenv)."""
    candidates = [shutil.which(f"python{version}")]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += [
        str(path / "bin" / "python")
        for path in sorted(pyenv_root.glob(f"versions/{version}.*"), reverse=True)
    ]
    for candidate in candidates:
        if not candidate:
            continue
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return Path(candidate)
    return None


def run(
    cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
