"""Rendering the template with Copier alone, and checking the rendered projects."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..matrix import BASE_ANSWERS
from .process import ROOT, run

JINJA_MARKERS = ("{{", "{%", "{#")
# What `_message_after_copy` prints (copier.yml).
NEXT_STEPS = "Next steps:"
FORMATTERS = ("ruff", "black")


def copier_data(answers: dict[str, Any]) -> list[str]:
    """`--data name=value` arguments: lists as JSON, booleans as YAML's true/false."""
    args = []
    for name, value in answers.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, list | tuple):
            text = json.dumps(list(value))
        else:
            text = str(value)
        args += ["--data", f"{name}={text}"]
    return args


@dataclass(frozen=True)
class CopierAlone:
    """Copier installed on its own (as `pipx install copier` or `uvx copier` give it):
    its virtual environment holds Copier and its dependencies, and neither ruff nor
    black is on the PATH it runs with."""

    venv: Path

    @property
    def path(self) -> str:
        """PATH: the venv's bin folder, then the caller's PATH without the folders that
        hold a formatter (the template's tool environment has both). Git and the
        commands it uses stay."""
        kept = [
            folder
            for folder in os.environ.get("PATH", "").split(os.pathsep)
            if folder and not any((Path(folder) / tool).exists() for tool in FORMATTERS)
        ]
        return os.pathsep.join([str(self.venv / "bin"), *kept])

    def copy(self, dest: Path, answers: dict[str, Any]) -> str:
        """`copier copy --defaults --data ... --vcs-ref HEAD` of the working tree
        (uncommitted changes included) into `dest`, without --trust. Checks that it
        succeeded, printed the next steps and asked for no trust; returns its output."""
        path = self.path
        for tool in FORMATTERS:
            assert shutil.which(tool, path=path) is None, f"{tool} is on Copier's PATH"
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        completed = subprocess.run(
            [
                str(self.venv / "bin" / "copier"),
                "copy",
                "--defaults",
                "--vcs-ref",
                "HEAD",
                *copier_data(answers),
                str(ROOT),
                str(dest),
            ],
            cwd=dest.parent,
            env={**env, "PATH": path},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        output = completed.stdout + completed.stderr
        assert completed.returncode == 0, output[-6000:]
        assert NEXT_STEPS in output, output[-3000:]
        assert "--trust" not in output, output[-3000:]
        return output


def render_multiselect(
    copie: Any, question: str, answer: list[str] | None, *, default: list[str]
) -> tuple[Path, list[str]]:
    """Render (pytest-copie) with `question` answered `answer` (None: left to its
    default); the project and the choice, checked against the answers file Copier
    wrote."""
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


def rendered_files(project: Path) -> list[Path]:
    return sorted(path for path in project.rglob("*") if path.is_file())


def runtime_dependencies(project: Path) -> str:
    """The rendered pyproject's text before its optional (dev) dependencies."""
    pyproject = (project / "pyproject.toml").read_text()
    return pyproject.split("[project.optional-dependencies]")[0]


def project_checks(venv: Path, mypy_cache: Path | None = None) -> dict[str, list[str]]:
    """The rendered project's own formatter check and linter, and its strict type check
    when given a mypy cache folder (its pyproject.toml configures all three), with the
    tools of `venv`."""
    bin_dir = venv / "bin"
    checks = {
        "black": [str(bin_dir / "black"), "--check", "src", "tests"],
        "ruff": [
            str(bin_dir / "ruff"),
            "check",
            "--no-cache",
            "--output-format=concise",
            "src",
            "tests",
        ],
    }
    if mypy_cache is not None:
        checks["mypy"] = [str(bin_dir / "mypy"), "--cache-dir", str(mypy_cache)]
    return checks


def run_checks(
    project: Path, venv: Path, checks: dict[str, list[str]]
) -> tuple[list[str], dict[str, str]]:
    """Runs each command in the project with `venv` first on PATH; the failures (name,
    exit status and the end of the output) and every command's output."""
    bin_dir = venv / "bin"
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "VIRTUAL_ENV": str(venv)}
    failures = []
    outputs = {}
    for name, command in checks.items():
        completed = run(command, project, env=env)
        outputs[name] = completed.stdout + completed.stderr
        if completed.returncode != 0:
            failures.append(f"--- {name} exited {completed.returncode}\n{outputs[name][-6000:]}")
    return failures, outputs
