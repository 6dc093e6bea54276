"""Readers of rendered files that are not Python modules to import: the settings
class, `.env.example`, CI steps, the Dockerfile."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any


def settings_fields(config_py: Path) -> set[str]:
    """Names of the fields declared on the rendered `Settings` class (annotated class
    attributes; `model_config` is a plain assignment and ClassVars are skipped)."""
    tree = ast.parse(config_py.read_text())
    (settings,) = [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name == "Settings"
    ]
    return {
        stmt.target.id
        for stmt in settings.body
        if isinstance(stmt, ast.AnnAssign)
        and isinstance(stmt.target, ast.Name)
        and "ClassVar" not in ast.unparse(stmt.annotation)
    }


ENV_LINE = re.compile(r"^#? ?([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def env_example_names(text: str) -> list[str]:
    """Variables assigned in .env.example, commented out (`# NAME=default`) or not."""
    return ENV_LINE.findall(text)


def run_text(steps: list[dict[str, Any]]) -> str:
    return "\n".join(str(step.get("run", "")) for step in steps)


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    instructions = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, arguments = line.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions
