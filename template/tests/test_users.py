from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from pymongo.synchronous.database import Database

from .factories import user_payload

USERS = "/api/v1/users"
PROBLEM_JSON = "application/problem+json"
USER_ID = re.compile(r"^usr_[0-9A-HJKMNP-TV-Z]{26}$")


async def create_user(client: httpx.AsyncClient, **overrides: object) -> dict[str, object]:
    response = await client.post(USERS, json=user_payload(**overrides))
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def test_create_returns_the_user_with_a_prefixed_id(client: httpx.AsyncClient) -> None:
    response = await client.post(USERS, json={"email": "ada@example.com", "name": " Ada "})

    assert response.status_code == 201
    body = response.json()
    assert USER_ID.match(body["id"])
    assert body["email"] == "ada@example.com"
    assert body["name"] == "Ada"
    assert body["created_at"] == body["updated_at"]
    assert response.headers["location"].endswith(f"{USERS}/{body['id']}")
    fetched = await client.get(response.headers["location"])
    assert fetched.json() == body


async def test_email_is_normalised(client: httpx.AsyncClient) -> None:
    body = await create_user(client, email="  Grace.Hopper@Example.COM ")
    assert body["email"] == "grace.hopper@example.com"


async def test_duplicate_email_is_a_conflict(client: httpx.AsyncClient) -> None:
    await create_user(client, email="dup@example.com")

    response = await client.post(USERS, json=user_payload(email="DUP@example.com"))

    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["status"] == 409
    assert problem["title"] == "Conflict"
    assert problem["instance"] == USERS


async def test_concurrent_creates_of_one_email_store_exactly_one_user(
    client: httpx.AsyncClient, raw_db: Database[dict[str, object]]
) -> None:
    payload = user_payload(email="race@example.com")

    responses = await asyncio.gather(*(client.post(USERS, json=payload) for _ in range(50)))

    statuses = sorted(response.status_code for response in responses)
    assert statuses.count(201) == 1
    assert statuses.count(409) == 49
    assert raw_db["users"].count_documents({"email": "race@example.com"}) == 1


async def test_create_rejects_unknown_fields_and_bad_values(client: httpx.AsyncClient) -> None:
    cases = [
        user_payload(role="admin"),
        user_payload(email="not-an-email"),
        user_payload(name=""),
        user_payload(name="x" * 101),
        {"email": "missing-name@example.com"},
        user_payload(email={"$ne": None}),
    ]
    for payload in cases:
        response = await client.post(USERS, json=payload)
        assert response.status_code == 422, payload
        assert response.headers["content-type"] == PROBLEM_JSON
        problem = response.json()
        assert problem["status"] == 422
        assert problem["errors"], problem
        assert all("input" not in error for error in problem["errors"])


async def test_get_unknown_user_is_404_and_malformed_id_is_422(client: httpx.AsyncClient) -> None:
    missing = await client.get(f"{USERS}/usr_01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM_JSON

    malformed = await client.get(f"{USERS}/not-an-id")
    assert malformed.status_code == 422


async def test_list_pages_through_all_users_in_creation_order(client: httpx.AsyncClient) -> None:
    created = [await create_user(client) for _ in range(5)]

    seen: list[object] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        response = await client.get(USERS, params=params)
        assert response.status_code == 200
        page = response.json()
        assert len(page["items"]) <= 2
        seen.extend(item["id"] for item in page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == [user["id"] for user in created]
    assert pages == 3


async def test_page_size_is_capped(client: httpx.AsyncClient) -> None:
    assert (await client.get(USERS, params={"limit": 100})).status_code == 200
    too_big = await client.get(USERS, params={"limit": 101})
    assert too_big.status_code == 422
    assert (await client.get(USERS, params={"limit": 0})).status_code == 422


async def test_partial_update_changes_only_the_fields_sent(client: httpx.AsyncClient) -> None:
    user = await create_user(client, email="before@example.com", name="Before")

    response = await client.patch(f"{USERS}/{user['id']}", json={"name": "After"})

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "After"
    assert body["email"] == "before@example.com"
    assert body["created_at"] == user["created_at"]
    assert body["updated_at"] >= user["updated_at"]
    assert (await client.get(f"{USERS}/{user['id']}")).json() == body


async def test_update_to_a_taken_email_is_a_conflict(client: httpx.AsyncClient) -> None:
    await create_user(client, email="taken@example.com")
    user = await create_user(client, email="free@example.com")

    response = await client.patch(f"{USERS}/{user['id']}", json={"email": "Taken@example.com"})

    assert response.status_code == 409
    unchanged = await client.get(f"{USERS}/{user['id']}")
    assert unchanged.json()["email"] == "free@example.com"


async def test_update_rejects_empty_null_and_unknown_fields(client: httpx.AsyncClient) -> None:
    user = await create_user(client)
    for payload in ({}, {"name": None}, {"is_admin": True}):
        response = await client.patch(f"{USERS}/{user['id']}", json=payload)
        assert response.status_code == 422, payload
    missing = await client.patch(f"{USERS}/usr_01ARZ3NDEKTSV4RRFFQ69G5FAV", json={"name": "X"})
    assert missing.status_code == 404


async def test_delete_removes_the_user(client: httpx.AsyncClient) -> None:
    user = await create_user(client)

    assert (await client.delete(f"{USERS}/{user['id']}")).status_code == 204
    assert (await client.get(f"{USERS}/{user['id']}")).status_code == 404
    assert (await client.delete(f"{USERS}/{user['id']}")).status_code == 404


async def test_deleted_email_can_register_again(client: httpx.AsyncClient) -> None:
    user = await create_user(client, email="again@example.com")
    await client.delete(f"{USERS}/{user['id']}")

    again = await client.post(USERS, json=user_payload(email="again@example.com"))
    assert again.status_code == 201


async def test_timestamps_are_utc(client: httpx.AsyncClient) -> None:
    body = await create_user(client)
    created = str(body["created_at"])
    assert created.endswith("Z"), created
    fetched = (await client.get(f"{USERS}/{body['id']}")).json()
    assert fetched["created_at"] == created


@pytest.mark.requires_mongodb
async def test_updated_timestamp_stays_utc(client: httpx.AsyncClient) -> None:
    user = await create_user(client)
    await client.patch(f"{USERS}/{user['id']}", json={"name": "Later"})
    fetched = (await client.get(f"{USERS}/{user['id']}")).json()
    assert fetched["updated_at"].endswith("Z"), fetched
    assert fetched["updated_at"] >= fetched["created_at"]
