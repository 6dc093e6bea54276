"""`copier update` brings a newer template into a service generated from an older one:
the user's edits survive, with no conflict markers; a failed update changes nothing; the
update says nothing meant for a new project; a conflict leaves inline markers that the
rendered pre-commit config and CI refuse; the rendered drift check warns when a service
is behind; `_migrations` carry a renamed value over. And the releases: `scripts/release`
and the `Commit:` lines of CHANGELOG.md, by which tests find the previous release."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from copier import run_copy, run_update
from copier.errors import UnsafeTemplateError

from .matrix import BASE_ANSWERS, PACKAGE
from .support.process import ROOT
from .support.rendered import NEXT_STEPS

# A line Copier's inline conflict starts or ends with (the rendered CI's pattern; the
# files that explain the markers mention them inside lines).
CONFLICT_MARKER = re.compile(r"^(<<<<<<<|>>>>>>>)( |$)", re.M)
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


def generate(template_repo: Path, project: Path, **answers: object) -> Path:
    """A service generated from v1.0.0 and committed, as a user would."""
    run_copy(
        str(template_repo),
        str(project),
        data={**BASE_ANSWERS, "odm": "pymongo", **answers},
        defaults=True,
        vcs_ref="v1.0.0",
        quiet=True,
    )
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "generated")
    return project


@pytest.fixture
def service(tmp_path: Path, template_repo: Path) -> Path:
    """A service generated from v1.0.0 with the defaults and committed."""
    return generate(template_repo, tmp_path / "service")


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
            assert not CONFLICT_MARKER.search(path.read_text(errors="replace")), path
    assert list(service.rglob("*.rej")) == []
    assert "_commit: v2.0.0" in (service / ".copier-answers.yml").read_text()


def test_failed_update_leaves_the_project_as_it_was(
    service: Path, template_repo: Path
) -> None:
    release_v2(template_repo)
    before = {
        p: p.read_bytes()
        for p in service.rglob("*")
        if p.is_file() and ".git" not in p.parts
    }

    with pytest.raises(ValueError, match="project_slug"):
        run_update(
            str(service),
            data={"project_slug": "Not A Slug"},
            defaults=True,
            overwrite=True,
            quiet=True,
        )

    after = {
        p: p.read_bytes()
        for p in service.rglob("*")
        if p.is_file() and ".git" not in p.parts
    }
    assert after == before
    assert git(service, "status", "--porcelain") == ""


# --- what an update says, and how a conflict is reported ----------------------------

# The template tool environment's Copier (the one the suite imports).
COPIER_BIN = Path(sys.executable).parent
WORKFLOW = ".github/workflows/ci.yml"


def copier_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")
    }
    return subprocess.run(
        [str(COPIER_BIN / "copier"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def workflow_step(project: Path, job: str, name: str) -> str:
    """The `run` script of one step of the rendered GitHub workflow."""
    workflow = yaml.safe_load((project / WORKFLOW).read_text())
    (step,) = [s for s in workflow["jobs"][job]["steps"] if s.get("name") == name]
    return str(step["run"])


def run_step(
    project: Path, script: str, path: str | None = None
) -> subprocess.CompletedProcess[str]:
    """A workflow step's script, run the way GitHub's `shell: bash` runs it."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")
    }
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_update_prints_nothing_meant_for_a_new_project(
    service: Path, template_repo: Path
) -> None:
    release_v2(template_repo)

    completed = copier_cli(service, "update", "--defaults")

    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-3000:]
    assert NEXT_STEPS not in output, output
    assert "git init" not in output, output
    assert (
        f"Updated {BASE_ANSWERS['project_name']} to template v2.0.0" in output
    ), output
    assert "git diff HEAD --check" in output, output  # how to find conflict markers


def test_conflicting_edit_leaves_markers_that_are_reported(
    service: Path, template_repo: Path
) -> None:
    marker_check = workflow_step(service, "lint", "no conflict markers")
    clean = run_step(service, marker_check)
    assert clean.returncode == 0, (
        clean.stdout + clean.stderr
    )  # no false alarm on a render
    readme = service / "README.md"
    text = readme.read_text()
    assert text.count("\n## Two commands\n") == 1
    readme.write_text(text.replace("\n## Two commands\n", "\n## Two commands (ours)\n"))
    git(service, "commit", "-q", "-am", "our heading")
    release_v2(template_repo)  # changes the same line

    run_update(str(service), defaults=True, overwrite=True, quiet=True)

    # Copier left both versions inline (and did not fail).
    lines = readme.read_text().splitlines()
    start = lines.index("<<<<<<< before updating")
    assert lines[start : start + 5] == [
        "<<<<<<< before updating",
        "## Two commands (ours)",
        "=======",
        "## Two commands (since v2)",
        ">>>>>>> after updating",
    ]
    # The update message's command lists them...
    checked = subprocess.run(
        ["git", "diff", "HEAD", "--check"], cwd=service, capture_output=True, text=True
    )
    assert checked.returncode != 0
    assert f"README.md:{start + 1}: leftover conflict marker" in checked.stdout
    # ...the pre-commit hook refuses them (told to look outside a git merge)...
    config = yaml.safe_load((service / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert "--assume-in-merge" in hooks["check-merge-conflict"]["args"]
    # ...and so does CI's lint job, naming the file and lines.
    found = run_step(service, marker_check)
    assert found.returncode == 1, found.stdout + found.stderr
    assert f"./README.md:{start + 1}:<<<<<<< before updating" in found.stdout
    assert f"./README.md:{start + 5}:>>>>>>> after updating" in found.stdout
    assert "::error::unresolved conflict markers" in found.stdout


def test_drift_check_warns_when_behind_and_never_fails(
    service: Path, template_repo: Path
) -> None:
    drift = workflow_step(service, "template-drift", "copier check-update")
    path = os.pathsep.join([str(COPIER_BIN), os.environ.get("PATH", "")])

    current = run_step(service, drift, path)
    assert current.returncode == 0, current.stdout + current.stderr
    assert "Up to date with the template's latest release." in current.stdout
    assert "::warning" not in current.stdout

    release_v2(template_repo)
    behind = run_step(service, drift, path)
    assert behind.returncode == 0, behind.stdout + behind.stderr
    (warning,) = [
        line for line in behind.stdout.splitlines() if line.startswith("::warning")
    ]
    assert warning.startswith(
        "::warning title=Template drift::New template version available."
    )
    assert "Current version is 1.0.0, latest version is 2.0.0." in warning
    assert "copier update --defaults" in warning

    shutil.rmtree(template_repo)  # the template cannot be read from CI
    unreadable = run_step(service, drift, path)
    assert unreadable.returncode == 0, unreadable.stdout + unreadable.stderr
    assert "::warning title=Template drift::copier check-update could not check" in (
        unreadable.stdout
    )


# --- _migrations: a renamed value is carried over -----------------------------------

# A `before` migration that rewrites the answers file; it runs in the service's folder
# with the interpreter that runs Copier.
RENAME_CI_VALUE = (
    "import pathlib, re; p = pathlib.Path('.copier-answers.yml'); "
    "p.write_text(re.sub(r'(?m)^ci: gitlab$', 'ci: gitlab-ci', p.read_text()))"
)


def release_v2_renaming_ci_gitlab(template_repo: Path) -> None:
    """v2 renames the `ci` value `gitlab` to `gitlab-ci` (not the default: with
    --defaults, Copier replaces an answer that is no longer a choice by the default,
    which would hide a missing migration for the default value)."""
    copier_yml = template_repo / "copier.yml"
    config = yaml.safe_load(copier_yml.read_text())
    choices = config["ci"]["choices"]
    (label,) = [label for label, value in choices.items() if value == "gitlab"]
    choices[label] = "gitlab-ci"
    config["_migrations"] = [
        *config.get("_migrations", []),
        {
            "version": "v2.0.0",
            "when": "{{ _stage == 'before' }}",
            "command": ["{{ _copier_python }}", "-c", RENAME_CI_VALUE],
        },
    ]
    copier_yml.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    old, new = "ci == 'gitlab'", "ci == 'gitlab-ci'"
    template = template_repo / "template"
    for path in sorted(template.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_file() and old in (text := path.read_text()):
            path.write_text(text.replace(old, new))
        if old in path.name:
            path.rename(path.with_name(path.name.replace(old, new)))
    assert not [p for p in template.rglob("*") if old in str(p.relative_to(template))]
    assert not [p for p in template.rglob("*") if p.is_file() and old in p.read_text()]
    git(template_repo, "add", "-A")
    git(template_repo, "commit", "-q", "-m", "v2: the ci value gitlab is now gitlab-ci")
    git(template_repo, "tag", "v2.0.0")


def test_migration_carries_a_renamed_value_over(
    tmp_path: Path, template_repo: Path
) -> None:
    service = generate(template_repo, tmp_path / "service", ci="gitlab")
    answers_file = service / ".copier-answers.yml"
    assert "ci: gitlab\n" in answers_file.read_text()
    pipeline = (service / ".gitlab-ci.yml").read_text()
    readme = (service / "README.md").read_text()
    release_v2_renaming_ci_gitlab(template_repo)

    # A migration runs a command: without --trust Copier refuses and changes nothing.
    with pytest.raises(UnsafeTemplateError):
        run_update(str(service), defaults=True, overwrite=True, quiet=True)
    assert git(service, "status", "--porcelain") == ""

    run_update(str(service), defaults=True, overwrite=True, quiet=True, unsafe=True)

    answers = yaml.safe_load(answers_file.read_text())
    assert answers["_commit"] == "v2.0.0"
    # Without the migration the stale answer silently becomes the default (github) and
    # the update swaps the GitLab pipeline for a GitHub workflow.
    assert answers["ci"] == "gitlab-ci"
    assert (service / ".gitlab-ci.yml").read_text() == pipeline  # kept, unchanged
    assert (service / "README.md").read_text() == readme
    assert not (service / ".github").exists()
    changed = git(service, "status", "--porcelain").splitlines()
    assert changed == [" M .copier-answers.yml"], changed


# --- releases -----------------------------------------------------------------------

RELEASE_HEADING = re.compile(r"^## (\d+\.\d+\.\d+) — \d{4}-\d{2}-\d{2}$", re.M)
COMMIT_LINE = re.compile(r"^Commit: ([0-9a-f]{40})$", re.M)


def releases(changelog: str) -> list[tuple[str, str]]:
    """(version, commit) of each release in CHANGELOG.md, newest first."""
    headings = list(RELEASE_HEADING.finditer(changelog))
    found = []
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        section = changelog[heading.end() : following.start() if following else None]
        commit = COMMIT_LINE.search(section)
        assert commit, f"release {heading[1]} records no 'Commit: <40 hex>' line"
        found.append((heading[1], commit[1]))
    return found


def previous_release_commit() -> str:
    """The commit of the newest release, from CHANGELOG.md: what an update test renders
    a service from, tags or not."""
    return releases((ROOT / "CHANGELOG.md").read_text())[0][1]


def test_latest_release_commit_is_in_the_history() -> None:
    if git(ROOT, "rev-parse", "--is-inside-work-tree").strip() != "true":
        pytest.skip("not a git checkout: no history to find releases in")
    if git(ROOT, "rev-parse", "--is-shallow-repository").strip() == "true":
        pytest.skip(
            "shallow clone: the release commits are not here (git fetch --unshallow)"
        )
    commit = previous_release_commit()
    assert (
        subprocess.run(
            ["git", "cat-file", "-e", f"{commit}^{{commit}}"], cwd=ROOT
        ).returncode
        == 0
    )
    ancestor = subprocess.run(
        ["git", "merge-base", "--is-ancestor", commit, "HEAD"], cwd=ROOT
    )
    assert ancestor.returncode == 0, f"{commit} is not in the history of HEAD"


def release(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    identity = {
        "GIT_AUTHOR_NAME": "Tests",
        "GIT_AUTHOR_EMAIL": "tests@example.com",
        "GIT_COMMITTER_NAME": "Tests",
        "GIT_COMMITTER_EMAIL": "tests@example.com",
    }
    return subprocess.run(
        [str(repo / "scripts" / "release"), *args],
        cwd=repo,
        env={**os.environ, **identity},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_refused(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert message in result.stderr, result.stderr


def test_release_script(template_repo: Path) -> None:
    changelog = template_repo / "CHANGELOG.md"
    text = changelog.read_text()
    last = releases(text)[0][0]
    major, minor, _ = map(int, last.split("."))
    version = f"{major}.{minor + 1}.0"
    text = text.replace(
        "## Unreleased\n", "## Unreleased\n\n- A change for services.\n", 1
    )
    changelog.write_text(text)
    git(template_repo, "commit", "-q", "-am", "a change")
    tested = git(template_repo, "rev-parse", "HEAD").strip()

    refusals = {
        "1.0": "MAJOR.MINOR.PATCH",
        last: "not greater than the last release",
    }
    for arg, message in refusals.items():
        refused = release(template_repo, "--skip-tests", arg)
        assert_refused(refused, message)
    (template_repo / "stray.txt").write_text("x")
    refused = release(template_repo, "--skip-tests", version)
    assert_refused(refused, "not clean")
    (template_repo / "stray.txt").unlink()
    git(template_repo, "checkout", "-q", "-b", "topic")
    refused = release(template_repo, "--skip-tests", version)
    assert_refused(refused, "on main")
    git(template_repo, "checkout", "-q", "main")
    # Nothing was committed by the refused runs.
    assert git(template_repo, "rev-parse", "HEAD").strip() == tested

    done = release(template_repo, "--skip-tests", version)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == f"git push origin main v{version}"
    head = git(template_repo, "rev-parse", "HEAD").strip()
    assert git(template_repo, "rev-parse", f"v{version}^{{commit}}").strip() == head
    assert git(template_repo, "rev-parse", "HEAD^").strip() == tested
    assert git(template_repo, "show", "--name-only", "--format=", "HEAD").split() == [
        "CHANGELOG.md"
    ]
    released = changelog.read_text()
    assert releases(released)[:2] == [(version, tested), (last, releases(text)[0][1])]
    unreleased = released.index("## Unreleased\n")
    entry = RELEASE_HEADING.search(released)
    assert entry is not None
    assert released[unreleased : entry.start()] == "## Unreleased\n\n"
    assert "\n- A change for services.\n" in released[entry.end() :]
    # Released once: nothing is left under Unreleased for the next one.
    again = release(template_repo, "--skip-tests", f"{major}.{minor + 2}.0")
    assert_refused(again, "nothing under '## Unreleased'")
