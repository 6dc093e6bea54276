"""Subprocesses, interpreters and the virtual environments the suite builds."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from filelock import FileLock
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache"
# uv from the template's tool environment (the `test` dependency group).
UV = str(Path(sys.executable).with_name("uv"))


def run(
    cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def find_python(version: str) -> Path | None:
    """An installed interpreter of exactly this minor version (PATH, then pyenv)."""
    candidates = [shutil.which(f"python{version}")]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += [
        str(path / "bin" / "python")
        for path in sorted(pyenv_root.glob(f"versions/{version}.*"), reverse=True)
    ]
    for candidate in candidates:
        if not candidate:
            continue
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return Path(candidate)
    return None


def group_requirement(name: str) -> str:
    """The requirement on `name` in the `test` dependency group of pyproject.toml."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (requirement,) = [
        spec for spec in pyproject["dependency-groups"]["test"] if Requirement(spec).name == name
    ]
    return str(requirement)


def build_venv(name: str, interpreter: Path, requirements: list[str]) -> Path:
    """`.cache/venvs/<name>` with exactly `requirements` installed (uv), shared by all
    xdist workers and rebuilt only when the interpreter or the requirements change."""
    CACHE.mkdir(exist_ok=True)
    venv = CACHE / "venvs" / name
    req_file = CACHE / f"requirements-{name}.txt"
    digest = hashlib.sha256("\n".join([str(interpreter), *requirements]).encode())
    stamp = venv / f".installed-{digest.hexdigest()[:16]}"
    with FileLock(str(CACHE / f"venv-{name}.lock"), timeout=1200):
        if not stamp.exists():
            req_file.write_text("\n".join(requirements) + "\n")
            created = run([UV, "venv", "--clear", "--python", str(interpreter), str(venv)], ROOT)
            assert created.returncode == 0, created.stderr
            installed = run(
                [UV, "pip", "install", "--python", str(venv / "bin" / "python"), "-r", str(req_file)],
                ROOT,
                timeout=1200,
            )
            assert installed.returncode == 0, installed.stdout + installed.stderr
            stamp.touch()
    return venv
