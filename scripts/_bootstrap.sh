# Shared by scripts/test and scripts/new-service: the template's tool environment.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"
export UV_PYTHON_DOWNLOADS=never  # never download an interpreter: use installed ones

make_venv() {
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "error: Python 3.11+ is needed; set PYTHON=/path/to/python3.11 or newer" >&2
        exit 1
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        "$PYTHON" -m venv "$VENV"
    fi
}

# .venv with Copier alone, for scripts/new-service (the `copier` requirement of the
# `test` dependency group, so both scripts run the same Copier). Nothing else is
# needed to render: the template has no post-render task.
bootstrap_copier() {
    make_venv
    if [ ! -x "$VENV/bin/copier" ]; then
        echo "installing Copier into .venv"
        local requirement
        requirement="$("$VENV/bin/python" - "$ROOT/pyproject.toml" <<'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    group = tomllib.load(f)["dependency-groups"]["test"]
print(next(r for r in group if r.startswith("copier")))
PY
)"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$requirement"
    fi
}

# .venv with copier, pytest, black, ruff, mypy and uv (from the `test` dependency group
# in pyproject.toml); reinstalled when pyproject.toml changes.
bootstrap_tools() {
    make_venv
    local stamp
    stamp="$VENV/.installed-$(cksum < "$ROOT/pyproject.toml" | cut -d' ' -f1)"
    if [ ! -f "$stamp" ]; then
        echo "installing the template's tools into .venv"
        if [ ! -x "$VENV/bin/uv" ]; then
            "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "uv>=0.5,<1"
        fi
        (cd "$ROOT" && "$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" \
            --group pyproject.toml:test)
        rm -f "$VENV"/.installed-*
        touch "$stamp"
    fi
    export PATH="$VENV/bin:$PATH"
}

# redis-server (Debian package) for the rendered projects' tests, unless REDIS_URL is set.
ensure_redis_server() {
    if [ -n "${REDIS_URL:-}" ] || command -v redis-server >/dev/null 2>&1; then
        return
    fi
    echo "installing redis-server (Debian package)"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "error: redis-server is missing; install it (apt-get install redis-server) or set REDIS_URL" >&2
            exit 1
        fi
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
}

# Debian's chromium (headless) for tests/test_docs_browser.py. scripts/test calls this
# under CI only; elsewhere that test skips, saying so, when chromium is missing.
ensure_chromium() {
    if command -v chromium >/dev/null 2>&1; then
        return
    fi
    echo "installing chromium (Debian package)"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "error: chromium is missing; install it (apt-get install chromium)" >&2
            exit 1
        fi
        sudo="sudo"
    fi
    # The package lists are refreshed only when the ones present cannot serve it.
    local install=($sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq
        --no-install-recommends chromium)
    if ! "${install[@]}" >/dev/null 2>&1; then
        $sudo apt-get update -qq
        "${install[@]}" >/dev/null
    fi
}
