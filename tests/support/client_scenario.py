"""A client generated from a rendered service's OpenAPI document, used as a new user
would use it. Run inside a rendered project, with its environment (not imported by the
template's suite):

    python client_scenario.py document OUT.json
        serve the app and write the document it serves at /openapi.json
    python client_scenario.py scenario DOCUMENT.json CLIENT_PARENT_DIR
        serve the app again (checking it serves DOCUMENT.json) and run the scenario
        through the client package `api_client` generated from it

The app runs under uvicorn on loopback against the rendered project's own test servers
(tests/servers.py: nx-27017, redis-server; tests/mail.py: the SMTP server), with the
settings its test suite uses.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Any

import httpx
import uvicorn

PACKAGE = "matrix_service"  # tests/matrix.py: the package of every rendered project
PASSWORD = "correct horse battery"
SECRET_KEY = "client-scenario-secret-key-long-enough-0123456789"
ERRORS_CHECKED: list[str] = []


@contextmanager
def served_app() -> Iterator[tuple[str, Any]]:
    """The rendered app under uvicorn on a free loopback port, with its test servers."""
    sys.path[:0] = [str(Path.cwd()), str(Path.cwd() / "src")]
    from tests.mail import SmtpServer  # the rendered project's test helpers
    from tests.servers import free_port, start_nx_27017, start_redis

    config = importlib.import_module(f"{PACKAGE}.core.config")
    main = importlib.import_module(f"{PACKAGE}.main")
    with ExitStack() as stack:
        workdir = Path.cwd() / ".scenario"
        workdir.mkdir(exist_ok=True)
        mongodb = start_nx_27017(workdir)
        stack.callback(mongodb.stop)
        smtp = SmtpServer(free_port())
        smtp.start()
        stack.callback(smtp.stop)
        fields = config.Settings.model_fields
        options: dict[str, Any] = {
            "_env_file": None,
            "environment": "test",
            "secret_key": SECRET_KEY,
            "log_level": "WARNING",
            "mongodb_uri": mongodb.url,
            "mongodb_database": f"scenario_{uuid.uuid4().hex[:12]}",
            "argon2_time_cost": 1,
            "argon2_memory_cost_kib": 1024,
            "argon2_parallelism": 1,
            "rate_limit_enabled": False,
            "shutdown_grace_s": 0,
            "email_backend": "smtp",
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "smtp_starttls": False,
        }
        if "redis_key_prefix" in fields:  # use_redis
            redis = start_redis(workdir)
            stack.callback(redis.stop)
            options["redis_url"] = redis.url
        app = main.create_app(config.Settings(**options))
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None)
        )
        loop = asyncio.new_event_loop()
        thread = threading.Thread(
            target=loop.run_until_complete, args=(server.serve(),), daemon=True
        )
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive(), "uvicorn stopped before it started"
            assert time.monotonic() < deadline, "uvicorn did not start within 30 s"
            time.sleep(0.02)
        try:
            yield f"http://127.0.0.1:{port}", smtp.mailbox
        finally:
            server.should_exit = True
            thread.join(30)
            loop.close()


def expect_problem(response: Any, status: int, *, validation: bool = False) -> Any:
    """`response` (the generated client's `Response`) is the documented error, parsed
    to its typed problem model."""
    from api_client.models.problem import Problem
    from api_client.models.validation_problem import ValidationProblem

    assert response.status_code == status, (response.status_code, response.content)
    assert response.headers["content-type"] == "application/problem+json"
    model = ValidationProblem if validation else Problem
    assert isinstance(response.parsed, model), (status, response.parsed)
    assert response.parsed.status == status
    assert response.parsed.title == HTTPStatus(status).phrase
    ERRORS_CHECKED.append(f"{status} {type(response.parsed).__name__}")
    return response.parsed


def expect(response: Any, status: int, model: type | None = None) -> Any:
    assert response.status_code == status, (response.status_code, response.content)
    if model is not None:
        assert isinstance(response.parsed, model), response.parsed
    return response.parsed


def scenario(base_url: str, mailbox: Any, security_schemes: dict[str, Any]) -> None:
    from api_client import Client
    from api_client.api.auth import login, me, register, verify_email
    from api_client.api.users import get_user, update_user
    from api_client.models import (
        Accepted,
        LoginRequest,
        RegisterRequest,
        TokenRequest,
        UserPublic,
        UserUpdate,
    )

    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"

    # Registration: 202 either way; the policy's refusals are typed 422 problems.
    created = register.sync_detailed(
        client=anonymous,
        body=RegisterRequest(email=email, name="Ada Lovelace", password=PASSWORD),
    )
    expect(created, 202, Accepted)
    refused = expect_problem(
        register.sync_detailed(
            client=anonymous,
            body=RegisterRequest(email=email, name="Ada", password="short"),
        ),
        422,
        validation=True,
    )
    assert refused.errors[0].loc == ["body", "password"]

    # Email verification with the token mailed to the address.
    token = mailbox.token_for(email, "/verify-email")
    expect(
        verify_email.sync_detailed(client=anonymous, body=TokenRequest(token=token)),
        204,
    )
    expect_problem(
        verify_email.sync_detailed(client=anonymous, body=TokenRequest(token=token)),
        400,
    )

    # Login: a wrong password is a typed 401 problem.
    expect_problem(
        login.sync_detailed(
            client=anonymous,
            body=LoginRequest(email=email, password="not the password"),
        ),
        401,
    )
    answer = login.sync_detailed(
        client=anonymous, body=LoginRequest(email=email, password=PASSWORD)
    )
    assert answer.status_code == 200, answer.content

    if "bearer" in security_schemes:
        client, log_out = _jwt_steps(base_url, answer)
    else:
        client, log_out = _session_steps(base_url, answer, security_schemes)

    # Both strategies, with the authenticated client of the login.
    profile = expect(me.sync_detailed(client=client), 200, UserPublic)
    assert profile.email == email
    assert profile.email_verified is True
    expect_problem(
        get_user.sync_detailed("usr_01J0000000000000000000000Z", client=client), 404
    )
    renamed = expect(
        update_user.sync_detailed(
            profile.id, client=client, body=UserUpdate(name="Ada L.")
        ),
        200,
        UserPublic,
    )
    assert renamed.name == "Ada L."
    expect_problem(
        update_user.sync_detailed(
            profile.id, client=client, body=UserUpdate(name="Ada\x00")
        ),
        422,
        validation=True,
    )
    log_out()


def _jwt_steps(base_url: str, answer: Any) -> tuple[Any, Callable[[], None]]:
    from api_client import AuthenticatedClient, Client
    from api_client.api.auth import logout, me, refresh
    from api_client.models import RefreshRequest, TokenPair

    pair = answer.parsed
    assert isinstance(pair, TokenPair), pair
    # A wrong token is a typed 401 problem.
    stranger = AuthenticatedClient(base_url=base_url, token="not-a-token")
    expect_problem(me.sync_detailed(client=stranger), 401)

    anonymous = Client(base_url=base_url)
    renewed = expect(
        refresh.sync_detailed(
            client=anonymous, body=RefreshRequest(refresh_token=pair.refresh_token)
        ),
        200,
        TokenPair,
    )
    # A refresh token works once.
    expect_problem(
        refresh.sync_detailed(
            client=anonymous, body=RefreshRequest(refresh_token=pair.refresh_token)
        ),
        401,
    )

    def log_out() -> None:
        body = RefreshRequest(refresh_token=renewed.refresh_token)
        expect(logout.sync_detailed(client=anonymous, body=body), 204)
        # The refresh token's family is revoked (access tokens live until they expire).
        expect_problem(refresh.sync_detailed(client=anonymous, body=body), 401)

    return AuthenticatedClient(base_url=base_url, token=renewed.access_token), log_out


def _session_steps(
    base_url: str, answer: Any, schemes: dict[str, Any]
) -> tuple[Any, Callable[[], None]]:
    from api_client import AuthenticatedClient
    from api_client.api.auth import current_session, logout, me
    from api_client.api.users import update_user
    from api_client.models import SessionInfo, UserUpdate

    info = answer.parsed
    assert isinstance(info, SessionInfo), info
    cookie_name = schemes["sessionCookie"]["name"]
    csrf_header = schemes["csrfToken"]["name"]
    session_id = answer.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    # The session cookie, and the CSRF token in the header the document names.
    client = AuthenticatedClient(
        base_url=base_url,
        token=info.csrf_token,
        prefix="",
        auth_header_name=csrf_header,
        cookies={cookie_name: session_id},
    )
    expect(current_session.sync_detailed(client=client), 200, SessionInfo)
    # An unsafe request without the CSRF token is a typed 403 problem.
    no_csrf = AuthenticatedClient(
        base_url=base_url,
        token="wrong",
        prefix="",
        auth_header_name=csrf_header,
        cookies={cookie_name: session_id},
    )
    user_id = info.user.id
    expect_problem(
        update_user.sync_detailed(
            user_id, client=no_csrf, body=UserUpdate(name="Mallory")
        ),
        403,
    )

    def log_out() -> None:
        expect(logout.sync_detailed(client=client), 204)
        # The session has ended: the cookie no longer logs in.
        expect_problem(me.sync_detailed(client=client), 401)

    return client, log_out


def main() -> None:
    command = sys.argv[1]
    if command == "document":
        with served_app() as (base_url, _):
            document = httpx.get(f"{base_url}/openapi.json", timeout=30).json()
        Path(sys.argv[2]).write_text(json.dumps(document, indent=1))
        return
    assert command == "scenario", command
    expected = json.loads(Path(sys.argv[2]).read_text())
    sys.path.insert(0, sys.argv[3])
    with served_app() as (base_url, mailbox):
        served = httpx.get(f"{base_url}/openapi.json", timeout=30).json()
        assert served == expected, "the app serves another document than the client's"
        scenario(base_url, mailbox, served["components"]["securitySchemes"])
    print("errors checked:", ", ".join(ERRORS_CHECKED))


if __name__ == "__main__":
    main()
