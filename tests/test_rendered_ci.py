"""Containers, deployment and the rendered CI, checked by reading the rendered files.

No Docker engine or CI runner is involved: the workflow files must parse and name the
lint, typecheck, test and Docker build steps (the tests against a MongoDB replica set
and, with `use_redis`, a Redis service); compose.yaml must healthcheck every service and
run MongoDB as a replica set; the Dockerfile must be multi-stage, non-root and
healthchecked; `.env.example` must name exactly the fields of the rendered `Settings`.
"""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.specifiers import SpecifierSet

from .matrix import BASE_ANSWERS, CI_CASES, PACKAGE, ci_case_id
from .support.readers import (
    dockerfile_instructions,
    env_example_names,
    run_text,
    settings_fields,
)
from .support.rendered import JINJA_MARKERS

CI_FILES = {
    "github": ".github/workflows/ci.yml",
    "gitlab": ".gitlab-ci.yml",
}


@pytest.fixture(scope="module", params=CI_CASES, ids=ci_case_id)
def rendered(
    request: pytest.FixtureRequest, copie_session: Any
) -> tuple[Path, dict[str, Any]]:
    """One project per case, shared by the checks below."""
    answers: dict[str, Any] = request.param
    result = copie_session.copy(extra_answers={**BASE_ANSWERS, **answers})
    assert result.exit_code == 0, result.exception
    return result.project_dir, answers


# --- the checks ---------------------------------------------------------------------


def test_no_jinja_left_in_deployment_and_ci_files(
    rendered: tuple[Path, dict[str, Any]],
) -> None:
    project, answers = rendered
    names = [
        "Dockerfile",
        ".dockerignore",
        "compose.yaml",
        ".env.example",
        "Makefile",
        ".pre-commit-config.yaml",
        "README.md",
    ]
    if answers["ci"] in CI_FILES:
        names.append(CI_FILES[answers["ci"]])
    for name in names:
        text = (project / name).read_text()
        for marker in JINJA_MARKERS:
            # GitHub's `${{ }}` expressions are avoided on purpose (env vars and literal
            # values instead), so the rendered workflow has none of them either.
            assert marker not in text, f"{marker!r} left in {name}"


def test_ci_file_follows_the_answer(rendered: tuple[Path, dict[str, Any]]) -> None:
    project, answers = rendered
    for ci, name in CI_FILES.items():
        assert (project / name).exists() == (answers["ci"] == ci), name
    if answers["ci"] != "github":
        assert not (project / ".github").exists()
    readme = (project / "README.md").read_text()
    assert "## Containers and CI" in readme
    if answers["ci"] in CI_FILES:
        assert CI_FILES[answers["ci"]] in readme


# The dependency-update bot of each CI host: Dependabot on GitHub, Renovate on GitLab.
UPDATE_BOT_FILES = {
    "github": ".github/dependabot.yml",
    "gitlab": "renovate.json",
}


def test_dependency_updates_follow_the_ci_answer(
    rendered: tuple[Path, dict[str, Any]],
) -> None:
    project, answers = rendered
    for ci, name in UPDATE_BOT_FILES.items():
        assert (project / name).exists() == (answers["ci"] == ci), name
    readme = (project / "README.md").read_text()
    if answers["ci"] == "github":
        config = yaml.safe_load((project / UPDATE_BOT_FILES["github"]).read_text())
        assert config["version"] == 2
        updates = {update["package-ecosystem"]: update for update in config["updates"]}
        # The workflow's actions, and pyproject.toml (uv.lock with it once there is one).
        assert set(updates) == {"github-actions", "uv"}
        for update in updates.values():
            assert update["directory"] == "/"
            assert update["schedule"]["interval"] == "weekly"
            (group,) = update["groups"].values()
            assert group["patterns"] == ["*"]
            assert group["update-types"] == ["minor", "patch"]
        assert "Dependabot" in readme
        assert "`.github/dependabot.yml`" in readme
    elif answers["ci"] == "gitlab":
        config = json.loads((project / UPDATE_BOT_FILES["gitlab"]).read_text())
        assert "schedule:weekly" in config["extends"]
        assert config["lockFileMaintenance"] == {"enabled": True}
        rules = config["packageRules"]
        grouped = {rule["groupName"]: rule for rule in rules if "groupName" in rule}
        assert grouped["Python dependencies"]["matchManagers"] == ["pep621"]
        assert grouped["container images"]["matchDatasources"] == ["docker"]
        # The python image's version is the python_version answer, not the bot's.
        (pinned,) = [rule for rule in rules if rule.get("enabled") is False]
        assert pinned["matchPackageNames"] == ["python"]
        assert "Renovate" in readme
        assert "`renovate.json`" in readme
    else:
        assert "Dependabot" not in readme
        assert "Renovate" not in readme


def test_ci_pipeline(rendered: tuple[Path, dict[str, Any]]) -> None:
    project, answers = rendered
    if answers["ci"] == "github":
        check_github_workflow(project, answers)
    elif answers["ci"] == "gitlab":
        check_gitlab_pipeline(project, answers)
    else:
        assert answers["ci"] == "none"
        assert not any((project / name).exists() for name in CI_FILES.values())


# The rendered CI's conflict-marker check (lint job), the same command in both pipelines:
# grep, since GitLab's python image has no git.
MARKER_CHECK = (
    "grep -rnIE --exclude-dir=.git --exclude-dir=.venv --exclude-dir=.cache"
    " '^(<<<<<<<|>>>>>>>)( |$)' ."
)


def test_conflict_markers_refused_and_drift_reported(
    rendered: tuple[Path, dict[str, Any]],
) -> None:
    """`copier update` leaves conflicts inline: pre-commit and the lint job refuse them
    (tests/test_update.py runs both on a conflicted update); a drift job runs `copier
    check-update` and cannot fail the build."""
    project, answers = rendered
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert hooks["check-merge-conflict"]["args"] == ["--assume-in-merge"]
    # No false alarm on a fresh render (grep exits 1: nothing found).
    found = subprocess.run(
        ["bash", "-c", MARKER_CHECK], cwd=project, capture_output=True, text=True
    )
    assert found.returncode == 1, found.stdout + found.stderr
    if answers["ci"] == "github":
        jobs = yaml.safe_load((project / CI_FILES["github"]).read_text())["jobs"]
        steps = jobs["lint"]["steps"]
        assert steps[0]["uses"].startswith("actions/checkout@")
        assert MARKER_CHECK in steps[1]["run"]  # before anything is installed
        drift = jobs["template-drift"]
        assert drift["continue-on-error"] is True
        script = run_text(drift["steps"])
        assert "'copier>=9.19,<10'" in script
        assert "copier check-update --quiet ." in script
        assert "::warning title=Template drift::" in script
        assert not re.search(r"^\s*exit\b", script, re.MULTILINE)  # warns, never fails
    elif answers["ci"] == "gitlab":
        pipeline = yaml.safe_load((project / CI_FILES["gitlab"]).read_text())
        assert MARKER_CHECK in pipeline["lint"]["script"][0]
        drift = pipeline["template-drift"]
        assert drift["allow_failure"] is True
        assert drift["stage"] in pipeline["stages"]
        assert "'copier>=9.19,<10'" in " ".join(drift["before_script"])
        assert "copier check-update --quiet ." in "\n".join(drift["script"])


def check_github_workflow(project: Path, answers: dict[str, Any]) -> None:
    workflow = yaml.safe_load((project / CI_FILES["github"]).read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads `on` as true
    assert "push" in triggers
    assert "pull_request" in triggers
    jobs = workflow["jobs"]
    assert {"lint", "typecheck", "test", "docker"} <= jobs.keys()

    lint = run_text(jobs["lint"]["steps"])
    assert "black --check src tests" in lint
    assert "ruff check" in lint
    assert ".venv/bin/mypy" in run_text(jobs["typecheck"]["steps"])

    # Dependencies cached, keyed on pyproject.toml, in every job that installs them.
    for name in ("lint", "typecheck", "test"):
        steps = jobs[name]["steps"]
        python = [
            s
            for s in steps
            if str(s.get("uses", "")).startswith("actions/setup-python")
        ]
        assert python
        assert python[0]["with"]["python-version"] == answers["python_version"]
        uv = [
            s for s in steps if str(s.get("uses", "")).startswith("astral-sh/setup-uv")
        ]
        assert uv
        assert uv[0]["with"]["enable-cache"] is True
        assert uv[0]["with"]["cache-dependency-glob"] == "pyproject.toml"

    test = jobs["test"]
    steps = test["steps"]
    assert "python -m pytest" in run_text(steps)
    # MongoDB: the official image started with --replSet, the set initiated, and the
    # fixtures pointed at it, so the requires_mongodb tests run.
    (mongo_step,) = [s for s in steps if "--replSet rs0" in str(s.get("run", ""))]
    assert "mongo:" in mongo_step["run"]
    assert "rs.initiate" in mongo_step["env"]["INIT_REPLICA_SET"]
    assert "isWritablePrimary" in mongo_step["env"]["INIT_REPLICA_SET"]
    assert "replicaSet=rs0" in test["env"]["MONGODB_URI"]
    pytest_index = next(
        i for i, s in enumerate(steps) if "pytest" in str(s.get("run", ""))
    )
    assert steps.index(mongo_step) < pytest_index

    services = test.get("services", {})
    if answers["use_redis"]:
        assert services["redis"]["image"].startswith("redis:")
        assert "--health-cmd" in services["redis"]["options"]
        port = services["redis"]["ports"][0].split(":")[0]
        assert test["env"]["REDIS_URL"] == f"redis://127.0.0.1:{port}/0"
        assert "redis-server" in run_text(steps)  # the readiness test starts its own
    else:
        assert "redis" not in services
        assert "REDIS_URL" not in test["env"]

    docker = jobs["docker"]
    (build,) = [s for s in docker["steps"] if s.get("name") == "docker build"]
    assert build["uses"].startswith("docker/build-push-action")
    assert build["with"]["push"] is False
    assert "type=gha" in build["with"]["cache-from"]


def check_gitlab_pipeline(project: Path, answers: dict[str, Any]) -> None:
    pipeline = yaml.safe_load((project / CI_FILES["gitlab"]).read_text())
    jobs = {
        name: job
        for name, job in pipeline.items()
        if isinstance(job, dict) and "script" in job and not name.startswith(".")
    }
    assert {"lint", "typecheck", "test", "docker-build"} <= jobs.keys()
    for job in jobs.values():
        assert job["stage"] in pipeline["stages"]

    def script(name: str) -> str:
        return "\n".join(jobs[name]["script"])

    assert "black --check src tests" in script("lint")
    assert "ruff check" in script("lint")
    assert ".venv/bin/mypy" in script("typecheck")

    base = pipeline[".python"]
    assert base["image"] == f"python:{answers['python_version']}-slim"
    assert base["cache"]["key"]["files"] == ["pyproject.toml"]
    for name in ("lint", "typecheck", "test"):
        assert jobs[name]["extends"] == ".python"

    test = jobs["test"]
    assert "python -m pytest" in script("test")
    services = {service["alias"]: service for service in test["services"]}
    assert services["mongodb"]["name"].startswith("mongo:")
    assert "--replSet" in services["mongodb"]["command"]
    assert "replSetInitiate" in script("test")
    assert script("test").index("replSetInitiate") < script("test").index("pytest")
    assert test["variables"]["MONGODB_URI"].startswith("mongodb://mongodb:27017/")
    if answers["use_redis"]:
        assert services["redis"]["name"].startswith("redis:")
        assert test["variables"]["REDIS_URL"] == "redis://redis:6379/0"
        assert "redis-server" in script("test")
    else:
        assert "redis" not in services
        assert "REDIS_URL" not in test["variables"]

    docker = jobs["docker-build"]
    assert "docker build" in script("docker-build")
    assert any(
        str(s).startswith("docker:") and "dind" in str(s) for s in docker["services"]
    )


def test_compose_file(rendered: tuple[Path, dict[str, Any]]) -> None:
    project, answers = rendered
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    services = compose["services"]
    backing = {"mongodb", "redis"} if answers["use_redis"] else {"mongodb"}
    assert set(services) == {"app", *backing}
    for name, service in services.items():
        assert service["healthcheck"]["test"], f"{name} has no healthcheck"

    mongodb = services["mongodb"]
    assert mongodb["image"].startswith("mongo:")
    assert "--replSet" in mongodb["command"]
    assert "rs0" in mongodb["command"]
    check = " ".join(mongodb["healthcheck"]["test"])
    assert "rs.initiate" in check
    assert "rs.status()" in check

    app = services["app"]
    assert app["build"] == "."
    assert app["depends_on"] == {
        name: {"condition": "service_healthy"} for name in backing
    }
    assert "/health/live" in " ".join(app["healthcheck"]["test"])
    env = app["environment"]
    assert env["ENVIRONMENT"] == "production"
    assert env["EMAIL_BACKEND"] == "smtp"
    assert env["SECRET_KEY"].startswith(
        "${SECRET_KEY:?"
    )  # compose refuses to start without
    assert "replicaSet=rs0" in env["MONGODB_URI"]
    assert ("REDIS_URL" in env) == answers["use_redis"]
    # Ports are published on loopback only.
    for service in services.values():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), port


def test_dockerfile(rendered: tuple[Path, dict[str, Any]]) -> None:
    project, answers = rendered
    instructions = dockerfile_instructions((project / "Dockerfile").read_text())
    froms = [i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    assert len(froms) >= 2, "not a multi-stage build"
    args = dict(
        arguments.split("=", 1)
        for keyword, arguments in instructions
        if keyword == "ARG"
    )
    assert args["PYTHON_IMAGE"] == f"python:{answers['python_version']}-slim"
    builder = instructions[froms[0] : froms[-1]]
    runtime = instructions[froms[-1] :]
    assert runtime[0][1].startswith("${PYTHON_IMAGE}")

    # uv from PyPI in the builder only; the runtime stage copies the built environment.
    assert any(k == "RUN" and 'pip install "uv==' in a for k, a in builder)
    assert not any(
        k == "RUN" and ("pip install" in a or "uv " in a) for k, a in runtime
    )
    assert ("COPY", "--from=builder /opt/venv /opt/venv") in runtime

    users = [arguments for keyword, arguments in runtime if keyword == "USER"]
    assert users
    assert users[-1].split(":")[0] not in ("root", "0")
    (healthcheck,) = [
        arguments for keyword, arguments in runtime if keyword == "HEALTHCHECK"
    ]
    assert "urllib.request" in healthcheck
    assert "/health/live" in healthcheck
    assert not any("curl" in arguments for _, arguments in instructions)

    (cmd,) = [arguments for keyword, arguments in runtime if keyword == "CMD"]
    command = json.loads(cmd)  # exec form: the server is PID 1 and gets SIGTERM
    assert command[:3] == ["python", "-m", f"{PACKAGE}.serve"]
    assert "--timeout-graceful-shutdown" in command
    # serve.py leaves the client address to the app (proxy_headers=False).
    serve = (project / "src" / PACKAGE / "serve.py").read_text()
    assert "proxy_headers=False" in serve

    # The build context is an allow-list: everything excluded, then the few paths needed.
    patterns = [
        line.strip()
        for line in (project / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*"
    assert {"!pyproject.toml", "!README.md", "!src"} <= set(patterns)
    assert not any(pattern.startswith("!.env") for pattern in patterns)


def test_env_example_lists_every_setting(rendered: tuple[Path, dict[str, Any]]) -> None:
    project, _ = rendered
    fields = settings_fields(project / "src" / PACKAGE / "core" / "config.py")
    assert {"secret_key", "mongodb_uri"} <= fields  # the parser found the class
    names = env_example_names((project / ".env.example").read_text())
    assert len(names) == len(set(names)), "a variable is listed twice"
    expected = {field.upper() for field in fields}
    assert not expected - set(
        names
    ), f"missing from .env.example: {sorted(expected - set(names))}"
    assert not set(names) - expected, f"not a setting: {sorted(set(names) - expected)}"
    # The one required setting is present but empty: no secret is shipped.
    assert re.search(
        r"^SECRET_KEY=$", (project / ".env.example").read_text(), re.MULTILINE
    )


def test_developer_tooling(rendered: tuple[Path, dict[str, Any]]) -> None:
    project, _ = rendered
    makefile = (project / "Makefile").read_text()
    for target in ("dev", "test", "lint", "format", "typecheck"):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), target
    assert "scripts/dev" in makefile
    assert "scripts/test" in makefile
    for line in makefile.splitlines():
        assert not line.startswith("    "), f"recipe indented with spaces: {line!r}"

    # The pre-commit hooks pin black and ruff inside the dev dependency ranges.
    dev = tomllib.loads((project / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]["dev"]
    ranges = {
        name: SpecifierSet(spec[len(name) :])
        for spec in dev
        for name in ("black", "ruff")
        if spec.startswith(name + ">") or spec.startswith(name + "=")
    }
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    hooks = {
        hook["id"]: repo["rev"].lstrip("v")
        for repo in config["repos"]
        for hook in repo["hooks"]
    }
    assert hooks["black"] in ranges["black"]
    assert hooks["ruff-check"] in ranges["ruff"]
