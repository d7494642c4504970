from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

from checker.errors import SecretStr, UsageError
from checker.live import ClientConfig, Credentials, OrgApiClient, validate_org_url

CLIENT_ID = "cid-77aa11bb22"
CLIENT_SECRET = "csecret-99cc33dd44ee"
CREDENTIALS = Credentials(SecretStr(CLIENT_ID), SecretStr(CLIENT_SECRET))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://console.qlikcloud.com", "https://console.qlikcloud.com"),
        ("https://Console.QlikCloud.com/", "https://console.qlikcloud.com"),
        ("  https://console.qlikcloud.com  ", "https://console.qlikcloud.com"),
        ("HTTPS://console.qlikcloud.com:8443", "https://console.qlikcloud.com:8443"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://127.8.9.10:1", "http://127.8.9.10:1"),
        ("http://LOCALHOST:9000/", "http://localhost:9000"),
        ("http://[::1]:8080", "http://[::1]:8080"),
    ],
)
def test_org_url_normalized(url: str, expected: str) -> None:
    assert validate_org_url(url) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://console.qlikcloud.com", "plain-http"),
        ("http://10.0.0.5:8080", "plain-http"),
        ("http://localhost.example.com", "plain-http"),
        ("ftp://console.qlikcloud.com", "expected https"),
        ("https://console.qlikcloud.com/api/core", "path"),
        ("https://console.qlikcloud.com?x=1", "path or query"),
        ("https://user:pw@console.qlikcloud.com", "user info"),
        ("https://", "expected https"),
        ("https://console.qlikcloud.com:99999", "invalid organization URL"),
        ("127.0.0.1:18080", "add the scheme"),
        ("console.qlikcloud.com", "add the scheme"),
        ("https://console.qlikcloud.com//", "it has the path"),
        ("https://console.qlikcloud.com/?a=b", "it has a query"),
        ("https://console.qlikcloud.com#top", "it has a fragment"),
    ],
)
def test_org_url_rejected(url: str, reason: str) -> None:
    with pytest.raises(UsageError) as caught:
        validate_org_url(url)

    assert reason in str(caught.value)
    assert "pw" not in str(caught.value)


def test_org_url_without_scheme_message() -> None:
    with pytest.raises(UsageError) as caught:
        validate_org_url("127.0.0.1:18080")

    message = str(caught.value)
    assert "invalid organization URL '127.0.0.1:18080'" in message
    assert "https://console.qlikcloud.com" in message
    assert "http://127.0.0.1:8080 for a local simulator" in message
    assert caught.value.exit_code == 2


def test_config_normalizes_url() -> None:
    config = ClientConfig(
        org_url="https://Console.qlikcloud.com/", credentials=CREDENTIALS
    )

    assert config.org_url == "https://console.qlikcloud.com"
    assert config.token_url == "https://console.qlikcloud.com/oauth/token"


def test_config_defaults() -> None:
    config = ClientConfig(credentials=CREDENTIALS)

    assert config.org_url == "https://console.qlikcloud.com"
    assert config.page_limit == 100
    assert config.retry_statuses == frozenset({429, 502, 503, 504})
    assert 500 not in config.retry_statuses
    assert config.tier1_per_minute == 1000
    assert config.tier2_per_minute == 100
    assert config.rate_window_seconds == 300


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"page_limit": 0}, "page limit"),
        ({"page_limit": 101}, "page limit"),
        ({"concurrency": 0}, "concurrency"),
        ({"max_retries": -1}, "max retries"),
        ({"timeout": 0}, "timeout"),
        ({"read_timeout": -1.0}, "read timeout"),
        ({"tier1_per_minute": 0}, "tier1 per minute"),
        ({"backoff_factor": -0.5}, "backoff factor -0.5 invalid"),
        ({"retry_after_max": -1}, "retry after max -1 invalid"),
        ({"org_url": "http://example.com"}, "plain-http"),
    ],
)
def test_config_rejects_invalid(changes: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError) as caught:
        ClientConfig(credentials=CREDENTIALS, **changes)  # type: ignore[arg-type]

    assert message in str(caught.value)


def test_config_missing_ca_bundle(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        ClientConfig(credentials=CREDENTIALS, ca_bundle=str(tmp_path / "absent.pem"))

    assert "CA bundle" in str(caught.value)


def test_config_has_no_verify_switch() -> None:
    names = {f.name for f in dataclasses.fields(ClientConfig)}

    assert not {name for name in names if "verify" in name or "insecure" in name}


def test_config_repr_hides_secrets() -> None:
    config = ClientConfig(credentials=CREDENTIALS)

    assert CLIENT_ID not in repr(config)
    assert CLIENT_SECRET not in repr(config)
    assert CLIENT_SECRET not in str(config)


def test_config_pickle_raises() -> None:
    config = ClientConfig(credentials=CREDENTIALS)

    with pytest.raises(TypeError):
        pickle.dumps(config)


def test_client_repr_and_pickle() -> None:
    config = ClientConfig(credentials=CREDENTIALS)

    with OrgApiClient(config) as client:
        assert CLIENT_SECRET not in repr(client)
        assert CLIENT_ID not in repr(client.auth)
        assert CLIENT_SECRET not in repr(client.auth)
        with pytest.raises(TypeError):
            pickle.dumps(client)
        with pytest.raises(TypeError):
            pickle.dumps(client.auth)
