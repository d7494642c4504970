"""Read the live state of a Qlik Cloud organization from the Organization API.

``read_live_state`` is the entry point. ``OrgApiClient`` gives lower-level
access to the tenant endpoints (list, count, get).
"""

from __future__ import annotations

from checker.live.client import OrgApiClient, subscription_filter
from checker.live.config import ClientConfig, validate_org_url
from checker.live.credentials import Credentials
from checker.live.read import read_live_state

__all__ = [
    "ClientConfig",
    "Credentials",
    "OrgApiClient",
    "read_live_state",
    "subscription_filter",
    "validate_org_url",
]
