"""Swagger UI at `/docs`, served by the service itself: no CDN, so the page works
offline and behind a firewall, under a Content-Security-Policy that allows exactly
what the page loads.

The assets are the files the `fastapi-offline` package ships (its `static/` folder:
the swagger-ui-dist 5 release FastAPI's own page loads from jsDelivr, taken when the
package was built, and FastAPI's favicon), served at `/docs/assets/`. Only those files
are used; the app is still a plain `FastAPI`. (`swagger-ui-bundle` ships Swagger UI 4,
which cannot render the OpenAPI 3.1 documents FastAPI writes.)

The page is FastAPI's own (`get_swagger_ui_html`), which starts Swagger UI with one
inline script. Rather than `'unsafe-inline'`, the page's policy lists that script's
SHA-256 hash, computed from the page as sent (root path and Swagger UI parameters
included): that script runs, an injected one would not, and the page follows FastAPI's
generator on upgrades. The middleware's API policy (`middleware/security_headers.py`)
applies to everything else, the assets included. ReDoc is off (`redoc_url=None`).
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

DOCS_URL = "/docs"
ASSETS_URL = "/docs/assets"
ASSETS_PACKAGE = ("fastapi_offline", "static")
# `<script>...</script>` without a `src`: the scripts the policy must name by hash.
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.DOTALL | re.IGNORECASE
)


def docs_policy(html: str) -> str:
    """The page's CSP: scripts, styles and images from this origin (Swagger UI's CSS
    draws its icons as data: URIs), the inline scripts of `html` by hash, requests to
    this origin only (the OpenAPI document, "Try it out"), and no framing."""
    scripts = ["'self'", *inline_script_sources(html)]
    return (
        f"default-src 'none'; script-src {' '.join(scripts)}; "
        "style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


def inline_script_sources(html: str) -> list[str]:
    """CSP sources (`'sha256-...'`) that allow exactly the inline scripts of `html`."""
    return [f"'sha256-{_sha256(script)}'" for script in INLINE_SCRIPT.findall(html)]


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def install_docs(app: FastAPI) -> None:
    """Swagger UI for `app.openapi_url` at DOCS_URL, its assets at ASSETS_URL. Nothing
    when the app serves no OpenAPI document (`openapi_url=None`)."""
    openapi_url = app.openapi_url
    if openapi_url is None:
        return
    app.mount(
        ASSETS_URL, StaticFiles(packages=[ASSETS_PACKAGE]), name="swagger_ui_assets"
    )

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=app.swagger_ui_parameters,
        )
        html = bytes(page.body).decode()
        page.headers["content-security-policy"] = docs_policy(html)
        return page
