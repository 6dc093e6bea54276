"""The render matrix: each combination's own formatter check, linter, type checker,
package build and test suite, run against real servers."""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from .conftest import RenderedEnv
from .matrix import CACHE, Combo, full_matrix, run

UV = str(Path(sys.executable).with_name("uv"))


@pytest.mark.slow
@pytest.mark.parametrize("combo", full_matrix(), ids=lambda combo: combo.id)
def test_rendered_project_passes_its_checks(
    combo: Combo, copie: Any, rendered_env: RenderedEnv, tmp_path: Path, worker_id: str
) -> None:
    venv = rendered_env(combo.python_version)
    result = copie.copy(extra_answers=combo.answers())
    assert result.exit_code == 0, result.exception
    project: Path = result.project_dir
    bin_dir = venv / "bin"
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "VIRTUAL_ENV": str(venv)}
    dist = tmp_path / "dist"
    checks = {
        "black": [str(bin_dir / "black"), "--check", "src", "tests"],
        "ruff": [str(bin_dir / "ruff"), "check", "--no-cache", "src", "tests"],
        "mypy": [
            str(bin_dir / "mypy"),
            "--cache-dir",
            str(CACHE / "mypy" / f"{worker_id}-py{combo.python_version}"),
        ],
        "build": [
            UV,
            "build",
            "--python",
            str(bin_dir / "python"),
            "--sdist",
            "--wheel",
            "--out-dir",
            str(dist),
            ".",
        ],
        "pytest": [str(bin_dir / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
    }

    failures = []
    outputs = {}
    for name, command in checks.items():
        completed = run(command, project, env=env)
        outputs[name] = completed.stdout + completed.stderr
        if completed.returncode != 0:
            failures.append(f"--- {name} exited {completed.returncode}\n{outputs[name][-6000:]}")
    assert not failures, "\n".join(failures)

    assert " passed" in outputs["pytest"] and " failed" not in outputs["pytest"]
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1 and len(list(dist.glob("*.tar.gz"))) == 1
    with zipfile.ZipFile(wheels[0]) as wheel:
        assert "matrix_service/main.py" in wheel.namelist()
