"""Every answer combination the suite renders, in one place. (How they are rendered
and checked is in `tests/support/`.)"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

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
# Where each api_style starts in STRIPE_SETS (full_matrix): every set renders, and
# graphql (no REST routers but the webhook) and both each meet every Stripe feature.
STRIPE_OFFSETS = {"rest": 1, "graphql": 2, "both": 5}

BASE_ANSWERS: dict[str, Any] = {
    "project_name": "Matrix Service",
    "description": "Rendered by the template's test suite",
    "author_name": "Template Tests",
    "author_email": "tests@example.com",
}
# The import package Copier derives from BASE_ANSWERS' project_name.
PACKAGE = "matrix_service"


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
    renders at least once, with billing under every ODM. Each api_style meets both
    auth strategies; graphql and both each meet every Stripe feature (all of them at
    once with mongoengine and odmantic)."""
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
                    stripe_features=tuple(
                        STRIPE_SETS[(3 * i + STRIPE_OFFSETS[api_style]) % len(STRIPE_SETS)]
                    ),
                    use_redis=(i + 2 * j) % 3 != 2,
                    python_version=PYTHON_VERSIONS[(2 * i + j) % len(PYTHON_VERSIONS)],
                )
            )
    return combos


# test_render.py: every odm x api_style x use_redis (24 projects), with auth and the
# OAuth providers rotating so that each ODM meets both strategies and every provider set.
RENDER_COMBOS: list[dict[str, Any]] = [
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


def render_combo_id(answers: dict[str, Any]) -> str:
    return "-".join(
        [
            answers["odm"],
            answers["api_style"],
            answers["auth"],
            "+".join(answers["oauth_providers"]) or "no-oauth",
            "redis" if answers["use_redis"] else "no-redis",
        ]
    )


# Every option on (the other answers at their defaults).
EVERYTHING: dict[str, Any] = {
    "odm": "beanie",
    "auth": "jwt",
    "oauth_providers": ["google", "github", "oidc"],
    "observability": ["prometheus", "opentelemetry", "sentry"],
    "stripe_features": STRIPE_SETS[0],  # every feature
    "use_redis": True,
}

# test_rendered_ci.py: each `ci` value, with Redis, auth, OAuth, Python and the API style
# rotating.
CI_CASES: list[dict[str, Any]] = [
    {
        "ci": "github",
        "use_redis": True,
        "auth": "jwt",
        "oauth_providers": ["google", "github", "oidc"],
        "python_version": "3.12",
    },
    {
        "ci": "github",
        "use_redis": False,
        "auth": "session",
        "oauth_providers": [],
        "python_version": "3.13",
    },
    {
        "ci": "gitlab",
        "use_redis": True,
        "auth": "session",
        "oauth_providers": ["github"],
        "python_version": "3.11",
        "api_style": "both",
    },
    {
        "ci": "gitlab",
        "use_redis": False,
        "auth": "jwt",
        "oauth_providers": ["oidc"],
        "python_version": "3.12",
        "api_style": "graphql",
    },
    {
        "ci": "none",
        "use_redis": True,
        "auth": "jwt",
        "oauth_providers": [],
        "python_version": "3.12",
    },
]


def ci_case_id(answers: dict[str, Any]) -> str:
    redis = "redis" if answers["use_redis"] else "no-redis"
    oauth = "+".join(answers["oauth_providers"]) or "no-oauth"
    api_style = answers.get("api_style", "rest")
    return (
        f"{answers['ci']}-{api_style}-{redis}-{answers['auth']}-{oauth}"
        f"-py{answers['python_version']}"
    )


# test_generated_client.py: a client generated from the document, per auth strategy
# (Redis off and no billing with jwt; Redis, OAuth and every Stripe feature with
# sessions).
CLIENT_COMBOS: list[dict[str, Any]] = [
    {"auth": "jwt", "odm": "pymongo", "use_redis": False, "stripe_features": []},
    {
        "auth": "session",
        "odm": "mongoengine",
        "use_redis": True,
        "oauth_providers": ["github"],
        "stripe_features": STRIPE_SETS[0],
    },
]
