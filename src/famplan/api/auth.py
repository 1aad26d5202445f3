"""Facility tokens: `Authorization: Bearer fpd_…`, one facility each (deliveries.services)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from famplan.deliveries.services import token_authenticate


class FacilityToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return token_authenticate(token.strip())
