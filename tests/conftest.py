"""Fixtures of the template's suite: Copier alone, and the shared environments in
which rendered projects are checked and tested."""

from __future__ import annotations

import itertools
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest

from .matrix import AUTHS, ODMS
from .support.process import ROOT, build_venv, find_python, group_requirement
from .support.rendered import CopierAlone

RenderedEnv = Callable[[str], Path]


def _requirements(python_version: str) -> list[str]:
    """Union of the rendered projects' runtime and dev requirements over every ODM and
    auth strategy."""
    source = (ROOT / "template" / "pyproject.toml.jinja").read_text()
    environment = jinja2.Environment(keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    template = environment.from_string(source)
    requirements: set[str] = set()
    for odm, auth in itertools.product(ODMS, AUTHS):
        rendered = template.render(
            odm=odm,
            auth=auth,
            use_redis=True,
            use_oauth=True,
            use_prometheus=True,
            use_opentelemetry=True,
            use_sentry=True,
            use_stripe=True,
            use_graphql=True,
            oauth_providers=["google", "github", "oidc"],
            python_version=python_version,
            project_slug="probe",
            package_name="probe",
            description="",
            author_name="",
            author_email="",
        )
        project = tomllib.loads(rendered)["project"]
        requirements.update(project["dependencies"])
        requirements.update(project["optional-dependencies"]["dev"])
    return sorted(requirements)


@pytest.fixture(scope="session")
def rendered_env() -> RenderedEnv:
    """A virtual environment per Python version with every dependency any rendered
    project can have, shared by all rendered projects (and xdist workers) and rebuilt
    only when the dependency lists change. Projects run from their source tree
    (`pythonpath = src`), so nothing project-specific is installed into it."""

    def get(python_version: str) -> Path:
        interpreter = find_python(python_version)
        if interpreter is None:
            pytest.skip(f"no Python {python_version} interpreter on this machine")
        return build_venv(f"py{python_version}", interpreter, _requirements(python_version))

    return get


@pytest.fixture(scope="session")
def copier_alone() -> CopierAlone:
    """Copier in a virtual environment of its own (`.cache/venvs/copier`), the same
    requirement as the `test` dependency group's, and nothing else: what a user who
    runs `pipx install copier` or `uvx copier` has."""
    return CopierAlone(build_venv("copier", Path(sys.executable), [group_requirement("copier")]))
