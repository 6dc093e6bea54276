from __future__ import annotations

from pydantic import BaseModel, Field


class PortalPublic(BaseModel):
    url: str = Field(description="redirect the browser here (valid for a few minutes)")
