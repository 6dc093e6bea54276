from __future__ import annotations

from pydantic import BaseModel, Field


class ProviderPublic(BaseModel):
    """An enabled sign-in provider: send the browser to `authorize_url`."""

    name: str = Field(examples=["google"])
    display_name: str = Field(examples=["Google"])
    authorize_url: str = Field(examples=["/api/v1/auth/oauth/google/authorize"])
