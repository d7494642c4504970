"""The client prepares requests itself and reads the proxy variables once.

These tests compare what it builds with what ``requests.Session.request``
builds for the same input: the query string, the headers, the token body and
the proxy chosen for the organization host. Nothing is sent: both sides are
prepared requests and proxy tables.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from live_helpers import PROXY_VARIABLES
from requests.utils import select_proxy

from checker.errors import SecretStr
from checker.live import ClientConfig, Credentials, OrgApiClient
from checker.live.client import _NO_AUTH, _environment_proxies

ORG_URL = "https://console.example.invalid"
# Any text but lone surrogates, which no filter or cursor can carry.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@pytest.fixture(scope="module")
def client() -> Iterator[OrgApiClient]:
    credentials = Credentials(
        SecretStr("cid-parity-51d0"), SecretStr("sec-parity-8e2a")
    )
    with OrgApiClient(ClientConfig(org_url=ORG_URL, credentials=credentials)) as made:
        yield made


def session_for(client: OrgApiClient) -> requests.Session:
    session = requests.Session()
    session.headers.update(client._headers)
    return session


@settings(max_examples=300, deadline=None, database=None)
@given(
    params=st.lists(
        st.tuples(st.sampled_from(["filter", "next", "limit", "x y", "é"]), TEXT),
        max_size=4,
    ),
    path=st.sampled_from(
        ["/api/core/tenants", "/api/core/tenants/a%22b", "/api/core/tenants/%C3%A9"]
    ),
)
def test_query_as_session(
    client: OrgApiClient, params: list[tuple[str, str]], path: str
) -> None:
    url = ORG_URL + path
    ours = client._prepare("GET", url, params, None, _NO_AUTH)
    theirs = session_for(client).prepare_request(
        requests.Request("GET", url, params=params, auth=_NO_AUTH)
    )
    assert ours.url == theirs.url


@pytest.mark.parametrize(
    "value", ['subscriptionId eq "a\\"b\\\\c"', "a b+c&d=e", "é ü", "x%41y"]
)
def test_filter_query_as_session(client: OrgApiClient, value: str) -> None:
    url = ORG_URL + "/api/core/tenants"
    params = [("limit", "100"), ("filter", value), ("totalResults", "true")]
    ours = client._prepare("GET", url, params, None, _NO_AUTH)
    theirs = session_for(client).prepare_request(
        requests.Request("GET", url, params=params, auth=_NO_AUTH)
    )
    assert ours.url == theirs.url
    assert ours.headers == theirs.headers
    assert ours.body is None


def test_token_post_as_session(client: OrgApiClient) -> None:
    url = ORG_URL + "/oauth/token"
    body = {"client_id": 'a"é', "client_secret": "+&=", "grant_type": "x"}
    ours = client._prepare("POST", url, None, body, _NO_AUTH)
    theirs = session_for(client).prepare_request(
        requests.Request("POST", url, json=body, auth=_NO_AUTH)
    )
    assert ours.url == theirs.url
    assert ours.body == theirs.body
    assert ours.headers == theirs.headers
    assert "Authorization" not in ours.headers
    assert ours.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "variables",
    [
        {"HTTPS_PROXY": "http://127.0.0.1:2"},
        {"https_proxy": "http://127.0.0.1:5", "HTTPS_PROXY": "http://127.0.0.1:2"},
        {"ALL_PROXY": "http://127.0.0.1:3"},
        {"all_proxy": "http://127.0.0.1:6", "HTTP_PROXY": "http://127.0.0.1:1"},
        {"HTTPS_PROXY": "http://127.0.0.1:2", "NO_PROXY": "example.invalid"},
        {"https_proxy": "http://127.0.0.1:5", "no_proxy": ".example.invalid"},
        {"ALL_PROXY": "http://127.0.0.1:3", "NO_PROXY": "*"},
        {"HTTPS_PROXY": "http://127.0.0.1:2", "NO_PROXY": "other.test"},
        {"HTTPS_PROXY": "http://127.0.0.1:2", "no_proxy": "", "NO_PROXY": "x.test"},
    ],
)
def test_proxy_as_session(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str]
) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    url = ORG_URL + "/api/core/tenants"
    expected = requests.Session().merge_environment_settings(
        url, {}, None, None, None
    )["proxies"]

    assert select_proxy(url, _environment_proxies(ORG_URL)) == select_proxy(
        url, expected
    )
