"""The baseline of the benchmark: a bare FastAPI app doing the same work as the rendered
service's endpoints, without middleware, settings, error handling or layers.

- GET /health/live: an async endpoint returning a constant.
- GET /me: decode the bearer JWT (PyJWT, HS256, issuer and audience checked) and find
  the user by id with the PyMongo async driver.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import jwt
from fastapi import FastAPI, Header, HTTPException
from pymongo import AsyncMongoClient

KEY = os.environ["JWT_SIGNING_KEY"]
ISSUER = os.environ["JWT_ISSUER"]
AUDIENCE = os.environ["JWT_AUDIENCE"]

client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(os.environ["MONGODB_URI"])
users = client[os.environ["MONGODB_DATABASE"]]["users"]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    await client.close()


app = FastAPI(lifespan=lifespan)


@app.get("/health/live")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/me")
async def me(authorization: str = Header()) -> dict[str, Any]:
    token = authorization.removeprefix("Bearer ")
    try:
        claims = jwt.decode(token, KEY, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER)
    except jwt.PyJWTError:
        raise HTTPException(401) from None
    user = await users.find_one({"_id": claims["sub"]})
    if user is None:
        raise HTTPException(401)
    return {"id": user["_id"], "email": user["email"], "name": user["name"]}
