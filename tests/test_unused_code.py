"""The rendered billing package carries no unused code for any set of Stripe features,
with REST (`rest`) or without it (`graphql`: the REST-only schemas are not rendered):
vulture, configured by the rendered pyproject.toml (`[tool.vulture]`: `src`, confidence
60, route and resolver decorators ignored), reports no unused function, method, class
or property in `billing/`."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

from .matrix import BASE_ANSWERS, PACKAGE, STRIPE_SETS
from .support.process import run

# vulture's report line: `path:line: unused function 'name' (60% confidence)`.
UNUSED = re.compile(
    r"^(?P<path>[^:]+):\d+: unused (?P<kind>function|method|class|property) "
)


@pytest.mark.parametrize("api_style", ["rest", "graphql"])
@pytest.mark.parametrize(
    "features",
    [features for features in STRIPE_SETS if features],
    ids=lambda features: "+".join(features),
)
def test_billing_has_no_unused_code(
    copie: Any, features: list[str], api_style: str
) -> None:
    result = copie.copy(
        extra_answers={
            **BASE_ANSWERS,
            "stripe_features": features,
            "api_style": api_style,
        }
    )
    assert result.exit_code == 0, result.exception
    project: Path = result.project_dir
    assert "[tool.vulture]" in (project / "pyproject.toml").read_text()

    completed = run([sys.executable, "-m", "vulture"], project, timeout=120)
    report = completed.stdout + completed.stderr
    # Exit status 3 means "unused code found"; anything else but 0 is an error.
    assert completed.returncode in (0, 3), report
    billing = f"src/{PACKAGE}/billing/"
    unused = [
        line
        for line in report.splitlines()
        if (match := UNUSED.match(line)) and match["path"].startswith(billing)
    ]
    assert not unused, f"{len(unused)} unused in billing/:\n" + "\n".join(unused)
