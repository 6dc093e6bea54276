"""Fixtures of the template's suite: rendering, and the shared environments in which
rendered projects are checked and tested."""

from __future__ import annotations

import hashlib
import itertools
import tomllib
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest
from filelock import FileLock

from .matrix import AUTHS, CACHE, ODMS, ROOT, find_python, run

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
        requirements = _requirements(python_version)
        CACHE.mkdir(exist_ok=True)
        req_file = CACHE / f"requirements-py{python_version}.txt"
        venv = CACHE / "venvs" / f"py{python_version}"
        digest = hashlib.sha256("\n".join([str(interpreter), *requirements]).encode())
        stamp = venv / f".installed-{digest.hexdigest()[:16]}"
        with FileLock(str(CACHE / f"venv-py{python_version}.lock"), timeout=1200):
            if not stamp.exists():
                req_file.write_text("\n".join(requirements) + "\n")
                created = run(
                    ["uv", "venv", "--clear", "--python", str(interpreter), str(venv)], ROOT
                )
                assert created.returncode == 0, created.stderr
                installed = run(
                    ["uv", "pip", "install", "--python", str(venv / "bin" / "python"), "-r", str(req_file)],
                    ROOT,
                    timeout=1200,
                )
                assert installed.returncode == 0, installed.stdout + installed.stderr
                stamp.touch()
        return venv

    return get
