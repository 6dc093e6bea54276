"""`copier update` brings a newer template into a service generated from an older one:
the user's edits survive, with no conflict markers; a failed update changes nothing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from copier import run_copy, run_update

from .matrix import BASE_ANSWERS, PACKAGE
from .support.process import ROOT

IGNORED = shutil.ignore_patterns(".git", ".venv", ".cache", "__pycache__", "*.pyc")


def git(cwd: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-c", "user.name=Tests", "-c", "user.email=tests@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


@pytest.fixture
def template_repo(tmp_path: Path) -> Path:
    """This template's working tree as a git repository with a release tag v1.0.0."""
    repo = tmp_path / "template"
    shutil.copytree(ROOT, repo, ignore=IGNORED)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "v1")
    git(repo, "tag", "v1.0.0")
    return repo


@pytest.fixture
def service(tmp_path: Path, template_repo: Path) -> Path:
    """A service generated from v1.0.0 and committed, as a user would."""
    project = tmp_path / "service"
    run_copy(
        str(template_repo),
        str(project),
        data={**BASE_ANSWERS, "odm": "pymongo"},
        defaults=True,
        vcs_ref="v1.0.0",
        quiet=True,
    )
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "generated")
    return project


def release_v2(template_repo: Path) -> None:
    """A template change near the top of the rendered README."""
    readme = template_repo / "template" / "README.md.jinja"
    text = readme.read_text()
    readme.write_text(text.replace("## Two commands", "## Two commands (since v2)", 1))
    git(template_repo, "commit", "-q", "-am", "v2: README heading")
    git(template_repo, "tag", "v2.0.0")


def test_update_keeps_user_edits(service: Path, template_repo: Path) -> None:
    readme = service / "README.md"
    readme.write_text(readme.read_text() + "\n## Runbook\n\nPage the on-call team.\n")
    service_py = service / "src" / PACKAGE / "users" / "service.py"
    service_py.write_text(service_py.read_text() + "\n\nAUDITED = True\n")
    git(service, "commit", "-q", "-am", "our edits")
    release_v2(template_repo)

    run_update(str(service), defaults=True, overwrite=True, quiet=True)

    text = readme.read_text()
    assert "## Two commands (since v2)" in text  # the template's change arrived
    assert "## Runbook\n\nPage the on-call team." in text  # our edit survived
    assert "AUDITED = True" in service_py.read_text()
    for path in service.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            content = path.read_text(errors="replace")
            assert "<<<<<<<" not in content, path
            assert ">>>>>>>" not in content, path
    assert list(service.rglob("*.rej")) == []
    assert "_commit: v2.0.0" in (service / ".copier-answers.yml").read_text()


def test_failed_update_leaves_the_project_as_it_was(service: Path, template_repo: Path) -> None:
    release_v2(template_repo)
    before = {p: p.read_bytes() for p in service.rglob("*") if p.is_file() and ".git" not in p.parts}

    with pytest.raises(ValueError, match="project_slug"):
        run_update(
            str(service),
            data={"project_slug": "Not A Slug"},
            defaults=True,
            overwrite=True,
            quiet=True,
        )

    after = {p: p.read_bytes() for p in service.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert after == before
    assert git(service, "status", "--porcelain") == ""
