"""Each validator refuses a bad answer with a readable message, and nothing is written."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from .matrix import BASE_ANSWERS
from .support.process import ROOT, run

COPIER = str(Path(sys.executable).with_name("copier"))


def copier_copy(dest: Path, answers: dict[str, str]) -> tuple[int, str]:
    data = [arg for key, value in answers.items() for arg in ("--data", f"{key}={value}")]
    result = run(
        [COPIER, "copy", "--defaults", "--vcs-ref=HEAD", *data, str(ROOT), str(dest)],
        ROOT,
        timeout=120,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"project_name": "   "}, "project_name must not be empty"),
        ({"project_slug": "Orders Service"}, "project_slug must start with a lowercase letter"),
        ({"project_slug": "orders--service"}, "single dashes"),
        ({"project_slug": "9orders"}, "project_slug must start with a lowercase letter"),
        ({"package_name": "orders-service"}, "package_name must be a lowercase Python identifier"),
        ({"package_name": "Orders"}, "package_name must be a lowercase Python identifier"),
        ({"package_name": "class"}, "is a Python keyword or clashes"),
        ({"package_name": "pymongo"}, "is a Python keyword or clashes"),
        ({"author_email": "not-an-email"}, "author_email must be an email address"),
        ({"author_email": "a@b"}, "author_email must be an email address"),
        ({"odm": "sqlalchemy"}, "Invalid choice for 'odm'"),
        ({"api_style": "grpc"}, "Invalid choice for 'api_style'"),
        ({"python_version": "3.10"}, "Invalid choice for 'python_version'"),
    ],
    ids=lambda value: value if isinstance(value, str) else "-".join(value),
)
def test_bad_answer_stops_copier_before_writing(
    tmp_path: Path, answers: dict[str, str], message: str
) -> None:
    dest = tmp_path / "service"

    code, output = copier_copy(dest, {"project_name": "Orders Service", **answers})

    assert code != 0
    assert message in output
    assert not dest.exists() or not any(dest.iterdir())


def test_good_answers_render(tmp_path: Path) -> None:
    dest = tmp_path / "service"
    code, output = copier_copy(dest, {**BASE_ANSWERS, "project_name": "Orders Service"})
    assert code == 0, output
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["project_slug"] == "orders-service"
    assert answers["package_name"] == "orders_service"
    assert not {"use_rest", "use_stripe", "auth_module"} & set(answers)
    assert (dest / "src" / "orders_service" / "main.py").is_file()
    assert "Next steps" in output


def test_every_question_has_help_and_computed_flags_are_hidden() -> None:
    config = yaml.safe_load((ROOT / "copier.yml").read_text())
    questions = {name: spec for name, spec in config.items() if not name.startswith("_")}
    for name, spec in questions.items():
        if spec.get("when") is False:
            # Computed from the answers (flags `use_*`, derived names such as
            # auth_module): never asked, never stored in the answers file.
            assert "{{" in str(spec.get("default")), name
            continue
        assert spec.get("help"), f"question {name} has no help text"


# Copier hands questionary the help as the question's message, after its qmark "🎤"
# (copier's Question.get_questionary_structure); questionary prints `qmark + " " +
# message` on one line, and its select and checkbox prompts cut that line at the
# terminal's width instead of wrapping it. Measured in an 80-column pty: 77 columns of
# help after "🎤 " (an emoji two columns wide) show whole, a 78th is cut.
TERMINAL_COLUMNS = 80
PROMPT_PREFIX = "🎤 "


def test_every_help_fits_one_prompt_line_of_an_80_column_terminal() -> None:
    from wcwidth import wcswidth  # questionary's prompt_toolkit measures with it

    limit = TERMINAL_COLUMNS - wcswidth(PROMPT_PREFIX)
    config = yaml.safe_load((ROOT / "copier.yml").read_text())
    too_long = {
        name: f"{wcswidth(help_text)} columns: {help_text!r}"
        for name, spec in config.items()
        if isinstance(spec, dict) and (help_text := str(spec.get("help", "")))
        if "\n" in help_text.strip() or wcswidth(help_text.strip()) > limit
    }
    assert limit == 77
    assert (
        too_long == {}
    ), f"help longer than one {limit}-column line (details go in README)"
