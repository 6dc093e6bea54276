"""Every combination renders with Copier alone (no --trust, no ruff or black beside
it): no Jinja left over, the right files for each option, and a project that passes
its own ruff check and black --check with no fixing step."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import RenderedEnv
from .matrix import BASE_ANSWERS, EVERYTHING, PACKAGE, RENDER_COMBOS, render_combo_id
from .support.process import CACHE
from .support.rendered import (
    JINJA_MARKERS,
    CopierAlone,
    project_checks,
    render_multiselect,
    rendered_files,
    run_checks,
    runtime_dependencies,
)

SAFE_PATH = re.compile(r"^[A-Za-z0-9_.\-/]+$")

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

@pytest.mark.parametrize("answers", RENDER_COMBOS, ids=render_combo_id)
def test_combination_renders_cleanly(
    copier_alone: CopierAlone,
    rendered_env: RenderedEnv,
    tmp_path: Path,
    answers: dict[str, Any],
) -> None:
    """Rendered by Copier alone (no --trust, no ruff or black beside it), the project
    has no Jinja left, the files the answers ask for, and passes its own ruff check
    and black --check (mypy runs in test_rendered_projects.py and on EVERYTHING)."""
    project = tmp_path / "service"
    copier_alone.copy(project, {**BASE_ANSWERS, **answers})
    package = project / "src" / PACKAGE

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
    features = (package / "features.py").read_text()
    assert ("redis.FEATURE," in features) == use_redis
    if use_redis:
        redis_module = (package / "core" / "redis.py").read_text()
        assert 'readiness_checks={"redis": ping}' in redis_module

    # Auth: the chosen strategy's package and tests, and OAuth only when providers are.
    auth = package / "auth"
    auth_module = "tokens" if answers["auth"] == "jwt" else "sessions"
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

    # API style: GraphQL code, tests and dependency only with graphql or both.
    use_graphql = answers["api_style"] in ("graphql", "both")
    assert (package / "graphql").is_dir() == use_graphql
    assert (package / "users" / "graphql.py").exists() == use_graphql
    assert (project / "tests" / "test_graphql.py").exists() == use_graphql
    assert ('"strawberry-graphql' in dependencies) == use_graphql
    assert ("graphql.FEATURE," in features) == use_graphql
    if not use_graphql:
        sources = [path.read_text() for path in package.rglob("*.py")]
        assert not any("strawberry" in text for text in sources)
    # REST routers only with rest or both; with graphql, only what is called by URL
    # (probes, /metrics, Stripe's webhook, the OAuth redirects) stays REST.
    use_rest = answers["api_style"] in ("rest", "both")
    routers = sorted(path.relative_to(package).as_posix() for path in package.rglob("*router.py"))
    rest_routers = {"users/router.py", "auth/router.py", f"auth/{auth_module}/router.py"}
    assert rest_routers <= set(routers) if use_rest else not rest_routers & set(routers)
    assert "health/router.py" in routers
    assert ("graphql/router.py" in routers) == use_graphql
    assert ("auth/oauth/router.py" in routers) == use_oauth
    feature_modules = "".join(path.read_text() for path in package.rglob("feature.py"))
    assert ("[router.router]" in feature_modules) == use_rest
    assert (project / "tests" / "test_users.py").exists() == use_rest
    assert (project / "tests" / "api.py").is_file()

    for script in ("scripts/dev", "scripts/test"):
        assert (project / script).stat().st_mode & 0o111, f"{script} is not executable"

    venv = rendered_env("3.12")  # the default python_version
    failures, _ = run_checks(project, venv, project_checks(venv))
    assert not failures, "\n".join(failures)


OBSERVABILITY_FILES = {
    "prometheus": (
        f"src/{PACKAGE}/observability/metrics.py",
        "tests/test_metrics.py",
    ),
    "opentelemetry": (
        f"src/{PACKAGE}/observability/tracing.py",
        "tests/test_tracing.py",
    ),
    "sentry": (f"src/{PACKAGE}/observability/sentry.py", "tests/test_sentry.py"),
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

    package = project / "src" / PACKAGE
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
    # Each chosen option is one entry of the features list; its module's FEATURE
    # wires its hooks: MongoDB monitoring listeners for metrics and tracing, request
    # metrics as an observer of the access log's measurement, tracing as a
    # middleware layer, Sentry as the reporter of unhandled errors.
    features = (package / "features.py").read_text()
    hooks = {
        "prometheus": ("metrics.py", "request_observers=request_observers"),
        "opentelemetry": ("tracing.py", "middleware=middleware"),
        "sentry": ("sentry.py", "error_reporters=[report]"),
    }
    for name, (filename, hook) in hooks.items():
        on = name in chosen
        assert (f"    {name}.FEATURE," in features) == on, name
        if on:
            assert hook in (package / "observability" / filename).read_text(), name

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

    package = project / "src" / PACKAGE
    dependencies = runtime_dependencies(project)
    env_example = (project / ".env.example").read_text()
    assert (package / "billing").is_dir() == bool(chosen)
    assert ('"stripe' in dependencies) == bool(chosen)
    assert ("STRIPE_WEBHOOK_SECRETS=" in env_example) == bool(chosen)
    assert ((project / "tests" / "test_billing_webhooks.py").is_file()) == bool(chosen)
    if not chosen:
        assert "billing" not in (package / "main.py").read_text()
        return
    # Only billing's gateway modules (its own and its features') import stripe.
    importers = sorted(
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if re.search(r"^\s*(import stripe|from stripe)", path.read_text(), re.MULTILINE)
    )
    assert "billing/gateway.py" in importers
    assert all(p.startswith("billing/") and p.endswith("/gateway.py") for p in importers)
    # One subpackage per chosen feature, with its routes, listed in features.py.
    features = (package / "features.py").read_text()
    assert "    billing.FEATURE," in features
    router = "".join(p.read_text() for p in (package / "billing").rglob("router.py"))
    for feature, (setting, path) in STRIPE_FEATURE_MARKERS.items():
        on = feature in chosen
        module = "portal" if feature == "customer_portal" else feature
        assert (package / "billing" / module).is_dir() == on, module
        assert (f"    {module}.FEATURE," in features) == on, module
        if setting is not None:
            assert (f"# {setting}=" in env_example) == on, setting
        assert (f"{path}," in router or f"{path}\n" in router) == on, path


@pytest.mark.parametrize("api_style", ["graphql", "both"])
def test_graphql_keeps_only_what_is_called_by_url_rest(copie: Any, api_style: str) -> None:
    """With graphql, billing keeps its webhook endpoint and no REST router or REST-only
    answer model; with both, the REST routers of every feature are there."""
    result = copie.copy(
        extra_answers={
            **BASE_ANSWERS,
            "api_style": api_style,
            "stripe_features": STRIPE_FEATURES,
            "oauth_providers": ["google"],
        }
    )
    assert result.exit_code == 0, result.exception
    project: Path = result.project_dir
    billing = project / "src" / PACKAGE / "billing"
    use_rest = api_style == "both"
    assert (billing / "webhook_router.py").is_file()
    assert "webhook_router.public_router" in (billing / "feature.py").read_text()
    routers = {path.parent.name for path in billing.rglob("router.py")}
    expected = {"billing", "checkout", "subscriptions", "portal", "payment_intents", "refunds"}
    assert routers == (expected if use_rest else set())
    code = "\n".join(path.read_text() for path in billing.rglob("*.py"))
    for answer_model in ("PaymentPublic", "CheckoutPublic", "RefundPublic", "PortalPublic"):
        assert (f"class {answer_model}(" in code) == use_rest, answer_model
    assert (project / "src" / PACKAGE / "auth" / "oauth" / "router.py").is_file()
    tests = project / "tests"
    assert (tests / "test_billing_webhooks.py").is_file()
    assert (tests / "test_graphql_billing.py").is_file()
    assert (tests / "test_auth.py").exists() == use_rest


@pytest.mark.slow
def test_everything_on_renders_clean(
    copier_alone: CopierAlone, rendered_env: RenderedEnv, tmp_path: Path, worker_id: str
) -> None:
    """Every option on, rendered by Copier alone: the project passes its own ruff
    check, black --check and strict mypy with no fixing step."""
    project = tmp_path / "service"
    copier_alone.copy(project, {**BASE_ANSWERS, **EVERYTHING})
    venv = rendered_env("3.12")
    failures, _ = run_checks(
        project, venv, project_checks(venv, mypy_cache=CACHE / "mypy" / f"{worker_id}-py3.12")
    )
    assert not failures, "\n".join(failures)
