"""Every error path answers RFC 9457 problem+json without internals."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

PROBLEM_JSON = "application/problem+json"


async def test_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/route")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "instance": "/no/such/route",
    }


async def test_wrong_method_is_a_405_problem(client: httpx.AsyncClient) -> None:
    response = await client.put("/health/live")
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["allow"] == "GET"


async def test_a_405_allows_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    # Each method is a route of its own: Starlette names only the first one's.
    collection = await client.request("OPTIONS", "/api/v1/users")
    item = await client.put("/api/v1/users/usr_01JD0000000000000000000000")
    assert collection.status_code == item.status_code == 405
    assert collection.headers["allow"] == "GET, POST"
    assert item.headers["allow"] == "DELETE, GET, PATCH"


async def test_malformed_json_is_a_422_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/login",
        content=b'{"email": ',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON


async def test_unexpected_error_is_a_generic_500(app: FastAPI) -> None:
    async def explode() -> None:
        raise RuntimeError("connection string mongodb://admin:hunter2@db")

    app.add_api_route("/explode", explode)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver"
    ) as client:
        response = await client.get("/explode")

    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["detail"] == "An unexpected error occurred."
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text


async def test_openapi_documents_problem_responses(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    create = spec["paths"]["/api/v1/auth/register"]["post"]["responses"]
    assert set(create) >= {"201", "202", "409", "422"}
    assert PROBLEM_JSON in create["409"]["content"]
    assert PROBLEM_JSON in create["422"]["content"]
