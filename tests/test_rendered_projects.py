"""The render matrix: each combination, rendered by Copier alone, passes its own
formatter check, linter, type checker, package build and test suite, run against real
servers."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from .conftest import RenderedEnv
from .matrix import PACKAGE, Combo, full_matrix
from .support.process import CACHE, UV
from .support.rendered import CopierAlone, project_checks, run_checks


@pytest.mark.slow
@pytest.mark.parametrize("combo", full_matrix(), ids=lambda combo: combo.id)
def test_rendered_project_passes_its_checks(
    combo: Combo,
    copier_alone: CopierAlone,
    rendered_env: RenderedEnv,
    tmp_path: Path,
    worker_id: str,
) -> None:
    venv = rendered_env(combo.python_version)
    project = tmp_path / "project"
    copier_alone.copy(project, combo.answers())
    bin_dir = venv / "bin"
    dist = tmp_path / "dist"
    checks = {
        **project_checks(
            venv, mypy_cache=CACHE / "mypy" / f"{worker_id}-py{combo.python_version}"
        ),
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

    failures, outputs = run_checks(project, venv, checks)
    assert not failures, "\n".join(failures)

    assert " passed" in outputs["pytest"]
    assert " failed" not in outputs["pytest"]
    wheels = list(dist.glob("*.whl"))
    assert len(wheels) == 1
    assert len(list(dist.glob("*.tar.gz"))) == 1
    with zipfile.ZipFile(wheels[0]) as wheel:
        assert f"{PACKAGE}/main.py" in wheel.namelist()
