"""Every combination renders: no Jinja left over, the right files for each option."""

from __future__ import annotations

import importlib.util
import itertools
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from copier import run_copy

from .matrix import API_STYLES, AUTHS, BASE_ANSWERS, OAUTH_SETS, ODMS, ROOT, STRIPE_SETS

SAFE_PATH = re.compile(r"^[A-Za-z0-9_.\-/]+$")
JINJA_MARKERS = ("{{", "{%", "{#")

ODM_IMPORTS = {
    "beanie": "from beanie import",
    "odmantic": "from odmantic import",
    "mongoengine": "mongoengine",
    "pymongo": "from pymongo import",
}
ODM_DEPENDENCIES = {
    "beanie": ['"beanie'],
    "odmantic": ['"odmantic', '"motor'],
    "mongoengine": ['"mongoengine'],
    "pymongo": [],
}

# Every odm x api_style x use_redis, with auth and the OAuth providers rotating so that
# each ODM meets both strategies and every provider set.
COMBOS = [
    {
        "odm": odm,
        "api_style": api_style,
        "use_redis": use_redis,
        "auth": AUTHS[n % 2],
        "oauth_providers": OAUTH_SETS[n % 3] if n % 4 else ["google", "github", "oidc"],
    }
    for n, (odm, api_style, use_redis) in enumerate(
        itertools.product(ODMS, API_STYLES, [True, False])
    )
]


def render_multiselect(
    copie: Any, question: str, answer: list[str] | None, *, default: list[str]
) -> tuple[Path, list[str]]:
    """Render with `question` answered `answer` (None: left to its default); the
    project and the choice, checked against the answers file Copier wrote."""
    answers = dict(BASE_ANSWERS)
    if answer is not None:
        answers[question] = answer
    result = copie.copy(extra_answers=answers)
    assert result.exit_code == 0, result.exception
    project: Path = result.project_dir
    chosen = default if answer is None else answer
    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert recorded[question] == chosen
    return project, chosen


def runtime_dependencies(project: Path) -> str:
    """The rendered pyproject's text before its optional (dev) dependencies."""
    pyproject = (project / "pyproject.toml").read_text()
    return pyproject.split("[project.optional-dependencies]")[0]


def rendered_files(project: Path) -> list[Path]:
    return sorted(path for path in project.rglob("*") if path.is_file())


@pytest.mark.parametrize(
    "answers",
    COMBOS,
    ids=lambda a: "-".join(
        [
            a["odm"],
            a["api_style"],
            a["auth"],
            "+".join(a["oauth_providers"]) or "no-oauth",
            "redis" if a["use_redis"] else "no-redis",
        ]
    ),
)
def test_combination_renders_cleanly(copie: Any, answers: dict[str, Any]) -> None:
    result = copie.copy(extra_answers={**BASE_ANSWERS, **answers})
    assert result.exit_code == 0, result.exception
    project: Path = result.project_dir
    package = project / "src" / "matrix_service"

    for path in rendered_files(project):
        relative = path.relative_to(project).as_posix()
        assert SAFE_PATH.match(relative), f"odd characters in path {relative!r}"
        assert not relative.endswith(".jinja"), relative
        text = path.read_text()
        for marker in JINJA_MARKERS:
            assert marker not in text, f"{marker!r} left in {relative}"
    assert not any(part.startswith("{") for path in project.rglob("*") for part in path.parts)

    recorded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    for key, value in answers.items():
        assert recorded[key] == value
    assert "use_rest" not in recorded  # computed flags are not stored

    # The chosen ODM's data layer, and only its dependencies.
    models = (package / "users" / "models.py").read_text()
    assert ODM_IMPORTS[answers["odm"]] in models
    dependencies = runtime_dependencies(project)
    for odm, needles in ODM_DEPENDENCIES.items():
        for needle in needles:
            assert (needle in dependencies) == (odm == answers["odm"]), (odm, needle)
    for name in ("client.py", "indexes.py", "transactions.py"):
        assert (package / "db" / name).is_file()
    assert (project / "tests" / "test_transactions.py").is_file()

    # Redis: the client module, the dependency and the readiness check follow use_redis.
    use_redis = answers["use_redis"]
    assert (package / "core" / "redis.py").exists() == use_redis
    assert ('"redis>=' in dependencies) == use_redis
    assert ('"redis"' in (package / "health" / "router.py").read_text()) == use_redis

    # Auth: the chosen strategy's package and tests, and OAuth only when providers are.
    auth = package / "auth"
    assert (auth / "tokens").is_dir() == (answers["auth"] == "jwt")
    assert (auth / "sessions").is_dir() == (answers["auth"] == "session")
    assert (project / "tests" / "test_tokens.py").exists() == (answers["auth"] == "jwt")
    assert (project / "tests" / "test_sessions.py").exists() == (answers["auth"] == "session")
    use_oauth = bool(answers["oauth_providers"])
    assert (auth / "oauth").is_dir() == use_oauth
    assert ('"authlib' in dependencies) == use_oauth
    config = (package / "core" / "config.py").read_text()
    for provider in ("google", "github", "oidc"):
        assert (f"{provider}_client_id" in config) == (provider in answers["oauth_providers"])

    for script in ("scripts/dev", "scripts/test"):
        assert (project / script).stat().st_mode & 0o111, f"{script} is not executable"


OBSERVABILITY_FILES = {
    "prometheus": (
        "src/matrix_service/observability/metrics.py",
        "tests/test_metrics.py",
    ),
    "opentelemetry": (
        "src/matrix_service/observability/tracing.py",
        "tests/test_tracing.py",
    ),
    "sentry": ("src/matrix_service/observability/sentry.py", "tests/test_sentry.py"),
}
OBSERVABILITY_DEPENDENCIES = {
    "prometheus": ['"prometheus-client'],
    "opentelemetry": [
        '"opentelemetry-sdk',
        '"opentelemetry-exporter-otlp-proto-http',
        '"opentelemetry-instrumentation-asgi',
        '"opentelemetry-instrumentation-pymongo',
    ],
    "sentry": ['"sentry-sdk'],
}
OBSERVABILITY_SETTINGS = {
    "prometheus": [],
    "opentelemetry": ["OTEL_EXPORTER_OTLP_ENDPOINT"],
    "sentry": ["SENTRY_DSN", "SENTRY_TRACES_SAMPLE_RATE"],
}


@pytest.mark.parametrize(
    "observability",
    [
        None,
        [],
        ["prometheus"],
        ["opentelemetry"],
        ["sentry"],
        ["prometheus", "opentelemetry", "sentry"],
    ],
    ids=lambda o: "default" if o is None else "+".join(o) or "none",
)
def test_observability_follows_the_answer(
    copie: Any, observability: list[str] | None
) -> None:
    project, chosen = render_multiselect(
        copie, "observability", observability, default=["prometheus"]
    )
    assert "use_prometheus" not in (project / ".copier-answers.yml").read_text()

    package = project / "src" / "matrix_service"
    assert (package / "observability").is_dir() == bool(chosen)
    dependencies = runtime_dependencies(project)
    env_example = (project / ".env.example").read_text()
    code = "\n".join(path.read_text() for path in package.rglob("*.py"))
    for name in ("prometheus", "opentelemetry", "sentry"):
        on = name in chosen
        for path in OBSERVABILITY_FILES[name]:
            assert (project / path).is_file() == on, path
        for needle in OBSERVABILITY_DEPENDENCIES[name]:
            assert (needle in dependencies) == on, needle
        for setting in OBSERVABILITY_SETTINGS[name]:
            assert (f"# {setting}=" in env_example) == on, setting
        module = {
            "prometheus": "prometheus_client",
            "opentelemetry": "opentelemetry",
            "sentry": "sentry_sdk",
        }
        assert (
            f"import {module[name]}" in code or f"from {module[name]}" in code
        ) == on, name
    # MongoDB monitoring listeners are wired (in the app's lifespan) only for metrics
    # or tracing.
    main = (package / "main.py").read_text()
    assert ("event_listeners=" in main) == bool(
        {"prometheus", "opentelemetry"} & set(chosen)
    )
    middleware = (package / "middleware" / "__init__.py").read_text()
    # Request metrics observe the access log middleware's measurement.
    assert ("RequestMetrics(" in middleware) == ("prometheus" in chosen)
    assert ("OpenTelemetryMiddleware" in middleware) == ("opentelemetry" in chosen)

    # Graceful shutdown is always there: readiness turns 503 before connections close.
    assert "SHUTDOWN_GRACE_S=" in env_example
    assert "app.state.ready = False" in (package / "main.py").read_text()
    assert (project / "tests" / "test_shutdown.py").is_file()


STRIPE_FEATURES = ["checkout", "subscriptions", "customer_portal", "payment_intents", "refunds"]
# What each Stripe feature adds: a settings variable and an endpoint path.
STRIPE_FEATURE_MARKERS = {
    "checkout": ("STRIPE_PRICES", '"/checkout"'),
    "subscriptions": ("STRIPE_PLANS", '"/subscription"'),
    "customer_portal": ("BILLING_PORTAL_RETURN_URL", '"/portal"'),
    "payment_intents": ("PAYMENT_MAX_AMOUNT", '"/payment-intents"'),
    "refunds": (None, '"/payments/{payment_id}/refunds"'),
}


@pytest.mark.parametrize(
    "features",
    [None, [], *([feature] for feature in STRIPE_FEATURES), STRIPE_FEATURES],
    ids=lambda f: "default" if f is None else "+".join(f) or "none",
)
def test_stripe_features_follow_the_answer(copie: Any, features: list[str] | None) -> None:
    project, chosen = render_multiselect(
        copie, "stripe_features", features, default=["checkout", "subscriptions", "customer_portal"]
    )

    package = project / "src" / "matrix_service"
    dependencies = runtime_dependencies(project)
    env_example = (project / ".env.example").read_text()
    assert (package / "billing").is_dir() == bool(chosen)
    assert ('"stripe' in dependencies) == bool(chosen)
    assert ("STRIPE_WEBHOOK_SECRETS=" in env_example) == bool(chosen)
    assert ((project / "tests" / "test_billing_webhooks.py").is_file()) == bool(chosen)
    if not chosen:
        assert "billing" not in (package / "main.py").read_text()
        return
    # Only the gateway imports stripe.
    importers = sorted(
        path.name
        for path in package.rglob("*.py")
        if re.search(r"^\s*(import stripe|from stripe)", path.read_text(), re.MULTILINE)
    )
    assert importers == ["gateway.py"]
    router = (package / "billing" / "router.py").read_text()
    for feature, (setting, path) in STRIPE_FEATURE_MARKERS.items():
        on = feature in chosen
        if setting is not None:
            assert (f"# {setting}=" in env_example) == on, setting
        assert (f"{path}," in router or f"{path}\n" in router) == on, path


def _post_render_hook() -> Any:
    spec = importlib.util.spec_from_file_location(
        "post_render", ROOT / "hooks" / "post_render.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EVERYTHING = {
    "odm": "beanie",
    "auth": "jwt",
    "oauth_providers": ["google", "github", "oidc"],
    "observability": ["prometheus", "opentelemetry", "sentry"],
    "stripe_features": STRIPE_SETS[0],  # every feature
    "use_redis": True,
}


@pytest.mark.parametrize(
    "answers",
    [*COMBOS, EVERYTHING],
    ids=lambda a: "-".join(
        [a["odm"], a.get("api_style", "everything"), a["auth"], f"redis={a['use_redis']}"]
    ),
)
def test_templates_render_already_formatted(
    tmp_path: Path, answers: dict[str, Any]
) -> None:
    """The `.jinja` templates render formatted (ruff's formatter, black's style), so
    the post-render task has nothing to hand to black, which would cost `copier copy`
    most of a second. The same lint fixes as that task are applied first."""
    hook = _post_render_hook()
    project = tmp_path / "service"
    run_copy(
        str(ROOT),
        str(project),
        data={**BASE_ANSWERS, **answers},
        defaults=True,
        unsafe=True,
        skip_tasks=True,
    )
    ruff = [sys.executable, "-m", "ruff"]
    assert hook.fix_lint(ruff, project)
    rendered = hook.rendered_templates(ROOT / "template", "matrix_service", project)
    assert len(rendered) > 20
    unformatted = hook.needing_format(ruff, rendered)
    assert not unformatted, "templates that render unformatted:\n" + "\n".join(
        str(path.relative_to(project)) for path in unformatted
    )
