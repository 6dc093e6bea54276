"""Copier task: format the rendered project, then print the next steps.

Copier runs this in the destination folder with the interpreter that runs Copier
itself (``_copier_python``). Formatting uses ruff and black from that interpreter's
environment or from PATH; when neither is available the project is left as rendered
and the command to run later is printed. Verbatim files (no ``.jinja`` suffix) are
kept black-clean in the template, so black only reads the rendered ones.
No standard input is read, so ``--defaults``/``--data`` runs work unattended.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
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


def rendered_templates(template_dir: Path, package_name: str, root: Path) -> list[Path]:
    """The project's Python files rendered from `.jinja` templates.

    Only they can need formatting: the other files are copied verbatim from templates
    that are written black-clean (the template's suite runs `black --check` on
    rendered projects). A template path maps to its rendered path by putting in the
    package name and dropping the `{% ... %}` tags that decide whether it exists.
    """
    # One rendered file can have a template per answer (models.py per ODM).
    files: set[Path] = set()
    for template in template_dir.rglob("*.jinja"):
        relative = template.relative_to(template_dir).as_posix().removesuffix(".jinja")
        relative = re.sub(
            r"{%[^%]*%}", "", relative.replace("{{ package_name }}", package_name)
        )
        if relative.endswith(".py") and (root / relative).is_file():
            files.add(root / relative)
    return sorted(files)


def needing_format(ruff: list[str], files: list[Path]) -> list[Path]:
    """The files among `files` that ruff's formatter would change.

    ruff's formatter is built to give black's output, and it checks a whole project
    in tens of milliseconds where black takes seconds; black then formats only what
    needs it. Whatever ruff cannot answer for (an error, output it does not
    document) stays in the list, so black still sees it.
    """
    if not files:
        return []
    # `ruff format` makes a .ruff_cache folder even with --no-cache: keep it out of
    # the new project.
    with tempfile.TemporaryDirectory() as cache_dir:
        result = subprocess.run(
            [
                *ruff,
                "format",
                "--check",
                "--no-cache",
                "--output-format=json",
                *(str(path) for path in files),
            ],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "RUFF_CACHE_DIR": cache_dir},
        )
    if result.returncode == 0:
        return []
    if result.returncode != 1:  # errors besides "would reformat": let black decide
        return files
    try:
        reported = {
            Path(item["filename"]).resolve()
            for item in json.loads(result.stdout)
            if item.get("code") == "unformatted"
        }
    except (ValueError, TypeError, KeyError):
        return files
    return [path for path in files if path.resolve() in reported]


def fix_lint(ruff: list[str], root: Path) -> bool:
    """Apply ruff's safe fixes (import order, mostly) to the project's code; False
    when ruff failed."""
    targets = [str(p) for p in (root / "src", root / "tests") if p.is_dir()]
    return _run([*ruff, "check", "--fix-only", "--no-cache", "--quiet", *targets])


def format_project(root: Path, files: list[Path]) -> list[str]:
    """Run ruff --fix over the project and black over those of `files` that need
    it; return the tools that were missing."""
    missing: list[str] = []
    ruff = _tool("ruff")
    if ruff is None:
        missing.append("ruff")
    else:
        fix_lint(ruff, root)
        files = needing_format(ruff, files)
    black = _tool("black")
    if black is None:
        missing.append("black")
    elif files:
        # --fast: black's own check that its output parses to the same AST costs a
        # third of its time and needs an interpreter as new as the project's target;
        # the rendered project's `black --check`, type check and tests (run by the
        # template's suite for every combination) are the check instead.
        _run([*black, "--quiet", "--fast", *(str(path) for path in files)])
    return missing


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--package-name", required=True, help="the project's import package"
    )
    parser.add_argument(
        "--template-dir",
        type=Path,
        required=True,
        help="the template's `template/` folder",
    )
    args = parser.parse_args(argv)
    root = Path.cwd()
    missing = format_project(
        root, rendered_templates(args.template_dir, args.package_name, root)
    )
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
