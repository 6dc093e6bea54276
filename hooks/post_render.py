"""Copier task: format the rendered project, then print the next steps.

Copier runs this in the destination folder with the interpreter that runs Copier
itself (``_copier_python``). Formatting uses ruff and black from that interpreter's
environment or from PATH; when neither is available the project is left as rendered
(the templates are written black-clean) and the command to run later is printed.
No standard input is read, so ``--defaults``/``--data`` runs work unattended.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path


def _tool(name: str) -> list[str] | None:
    """Command prefix for a formatter, preferring the one beside Copier."""
    if importlib.util.find_spec(name) is not None:
        return [sys.executable, "-m", name]
    path = shutil.which(name)
    return [path] if path else None


def _run(cmd: list[str]) -> bool:
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(f"warning: {' '.join(cmd)} exited {result.returncode}\n")
        sys.stderr.write(result.stdout + result.stderr)
        return False
    return True


def format_project(root: Path, target: tuple[int, int]) -> list[str]:
    """Run ruff --fix and black over the project; return the tools that were missing."""
    missing: list[str] = []
    targets = [str(p) for p in (root / "src", root / "tests") if p.is_dir()]
    ruff = _tool("ruff")
    if ruff is None:
        missing.append("ruff")
    else:
        _run([*ruff, "check", "--fix-only", "--no-cache", "--quiet", *targets])
    black = _tool("black")
    if black is None:
        missing.append("black")
    else:
        # Black verifies its output by parsing it with the running interpreter, which
        # cannot parse syntax newer than itself: on an older Copier interpreter, skip
        # that check (the rendered project's own `black --check` still runs on its
        # own interpreter).
        fast = ["--fast"] if sys.version_info[:2] < target else []
        _run([*black, "--quiet", *fast, *targets])
    return missing


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--python-version", default="3.11", help="project's lowest Python")
    args = parser.parse_args(argv)
    major, minor = (int(part) for part in args.python_version.split(".")[:2])
    root = Path.cwd()
    missing = format_project(root, (major, minor))
    if missing:
        print(
            f"note: {' and '.join(missing)} not found next to Copier; the project is "
            "unformatted by this task. Run `scripts/test` once (it installs the dev "
            "tools), then `.venv/bin/ruff check --fix . && .venv/bin/black .`."
        )
    print(
        f"\nRendered {root.name}. Next steps:\n"
        f"  cd {root}\n"
        "  git init && git add -A && git commit -m 'Initial commit from template'\n"
        "  scripts/dev     # run the service (starts an embedded MongoDB-compatible "
        "server unless MONGODB_URI is set)\n"
        "  scripts/test    # run its tests against real MongoDB-compatible and Redis "
        "servers\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
