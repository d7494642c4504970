from __future__ import annotations

import logging
import os
import pickle
from pathlib import Path

import pytest

from checker.errors import SecretStr, UsageError
from checker.live import Credentials

CLIENT_ID = "cid-5f0e3c1a9b"
CLIENT_SECRET = "csecret-8d7e6f5a4b3c"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QLIK_CLIENT_ID", raising=False)
    monkeypatch.delenv("QLIK_CLIENT_SECRET", raising=False)


def write_private(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def test_environment_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QLIK_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("QLIK_CLIENT_SECRET", f"  {CLIENT_SECRET}\n")

    credentials = Credentials.load()

    assert credentials.client_id.reveal() == CLIENT_ID
    assert credentials.client_secret.reveal() == CLIENT_SECRET
    assert credentials.source == "environment"


@pytest.mark.parametrize(
    ("variables", "missing"),
    [
        ({"QLIK_CLIENT_ID": CLIENT_ID}, "QLIK_CLIENT_SECRET"),
        ({"QLIK_CLIENT_SECRET": CLIENT_SECRET}, "QLIK_CLIENT_ID"),
        (
            {"QLIK_CLIENT_ID": " ", "QLIK_CLIENT_SECRET": CLIENT_SECRET},
            "QLIK_CLIENT_ID",
        ),
    ],
    ids=["no-secret", "no-id", "blank-id"],
)
def test_environment_missing_value(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], missing: str
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(UsageError) as caught:
        Credentials.load()

    assert missing in str(caught.value)
    assert CLIENT_SECRET not in str(caught.value)
    assert CLIENT_ID not in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        f"client_id: {CLIENT_ID}\nclient_secret: {CLIENT_SECRET}\n",
        f'{{"clientId": "{CLIENT_ID}", "clientSecret": "{CLIENT_SECRET}"}}',
        f"# exported for CI\nQLIK_CLIENT_ID={CLIENT_ID}\n"
        f"export QLIK_CLIENT_SECRET='{CLIENT_SECRET}'\n",
        f'client_id = "{CLIENT_ID}"\nclient_secret={CLIENT_SECRET}\n',
    ],
    ids=["yaml", "json", "dotenv", "key-value"],
)
def test_file_formats(tmp_path: Path, text: str) -> None:
    path = write_private(tmp_path / "qlik.creds", text)

    credentials = Credentials.load(path)

    assert credentials.client_id.reveal() == CLIENT_ID
    assert credentials.client_secret.reveal() == CLIENT_SECRET
    assert credentials.source == str(path)


def test_file_wins_over_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QLIK_CLIENT_ID", "from-environment")
    monkeypatch.setenv("QLIK_CLIENT_SECRET", "from-environment")
    path = write_private(
        tmp_path / "c.yaml", f"client_id: {CLIENT_ID}\nclient_secret: {CLIENT_SECRET}\n"
    )

    credentials = Credentials.load(str(path))

    assert credentials.client_id.reveal() == CLIENT_ID


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604], ids=oct)
def test_file_shared_mode_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, mode: int
) -> None:
    text = f"client_id: {CLIENT_ID}\nclient_secret: {CLIENT_SECRET}\n"
    path = write_private(tmp_path / "c.yaml", text, mode)

    with caplog.at_level(logging.DEBUG):
        Credentials.load(path)

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(path) in warnings[0].getMessage()
    assert "chmod 600" in warnings[0].getMessage()
    assert CLIENT_SECRET not in caplog.text


def test_file_private_mode_silent(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_private(
        tmp_path / "c.yaml", f"client_id: {CLIENT_ID}\nclient_secret: {CLIENT_SECRET}\n"
    )

    with caplog.at_level(logging.DEBUG):
        Credentials.load(path)

    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_file_missing_secret(tmp_path: Path) -> None:
    path = write_private(tmp_path / "c.yaml", f"client_id: {CLIENT_ID}\n")

    with pytest.raises(UsageError) as caught:
        Credentials.load(path)

    assert "client_secret" in str(caught.value)
    assert str(path) in str(caught.value)


def test_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        Credentials.load(tmp_path / "absent.yaml")

    assert "not found" in str(caught.value)


def test_invalid_yaml_hides_secret(tmp_path: Path) -> None:
    # The broken line carries the secret: the message must name the place only.
    text = f"client_id: {CLIENT_ID}\nclient_secret: [{CLIENT_SECRET}\n  oops: : :\n"
    path = write_private(tmp_path / "c.yaml", text)

    with pytest.raises(UsageError) as caught:
        Credentials.load(path)

    message = str(caught.value)
    assert message.startswith(f"{path}:")
    assert "invalid YAML" in message
    assert CLIENT_SECRET not in message
    assert caught.value.__cause__ is None


def test_invalid_json_position(tmp_path: Path) -> None:
    path = write_private(
        tmp_path / "c.json", f'{{"client_id": "{CLIENT_ID}",\n  oops}}'
    )

    with pytest.raises(UsageError) as caught:
        Credentials.load(path)

    assert str(caught.value).startswith(f"{path}:2:3:")
    assert CLIENT_ID not in str(caught.value)


def test_file_not_a_mapping(tmp_path: Path) -> None:
    path = write_private(tmp_path / "c.yaml", "- just\n- a list\n")

    with pytest.raises(UsageError) as caught:
        Credentials.load(path)

    assert "mapping" in str(caught.value)


def test_secrets_never_printed() -> None:
    credentials = Credentials(SecretStr(CLIENT_ID), SecretStr(CLIENT_SECRET))
    renderings = [
        repr(credentials),
        str(credentials),
        f"{credentials}",
        f"{credentials.client_secret}",
        "%s" % (credentials.client_id,),  # noqa: UP031 - the old operator too
    ]

    for text in renderings:
        assert CLIENT_ID not in text
        assert CLIENT_SECRET not in text


def test_pickle_raises() -> None:
    credentials = Credentials(SecretStr(CLIENT_ID), SecretStr(CLIENT_SECRET))

    with pytest.raises(TypeError):
        pickle.dumps(credentials)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("*S3CRET", "anchors and aliases (& and *) are not allowed"),
        ("&S3CRET x", "anchors and aliases (& and *) are not allowed"),
        ("!S3CRET", "tags (! and !!) are not allowed"),
        ("!!python/name:S3CRET", "tags (! and !!) are not allowed"),
        ("!!int S3CRET", "tags (! and !!) are not allowed"),
        ("'S3CRET", "invalid YAML in credentials file"),
    ],
    ids=["alias", "anchor", "local-tag", "python-tag", "int-tag", "unterminated"],
)
def test_yaml_value_rejected(tmp_path: Path, value: str, problem: str) -> None:
    path = write_private(tmp_path / "c.yaml", f"client_id: x1\nclient_secret: {value}\n")

    with pytest.raises(UsageError) as caught:
        Credentials.load(path)

    message = str(caught.value)
    assert message.startswith((f"{path}:2:", f"{path}:3:"))
    assert problem in message
    assert "S3CRET" not in message
    assert "quote a value" in message


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("c.yaml", "[" * 200_000),
        ("c.yaml", "a:\n" + "".join(f"{' ' * i}b{i}:\n" for i in range(1, 60))),
        ("c.json", '{"a":' * 200_000),
        ("c.json", '{"a":' + "[" * 200_000),
    ],
    ids=["yaml-flow", "yaml-block", "json-object", "json-array"],
)
def test_deep_nesting_rejected(tmp_path: Path, name: str, text: str) -> None:
    path = write_private(tmp_path / name, text)

    with pytest.raises(UsageError) as caught:
        Credentials.load(path)

    assert str(caught.value).startswith(str(path))
    assert "nest" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        f"QLIK_CLIENT_ID={CLIENT_ID}\nQLIK_CLIENT_SECRET={CLIENT_SECRET}\n",
        f"client_id: {CLIENT_ID}\nclient_secret: {CLIENT_SECRET}\n",
        f'{{"client_id": "{CLIENT_ID}", "client_secret": "{CLIENT_SECRET}"}}',
    ],
    ids=["key-value", "yaml", "json"],
)
def test_byte_order_mark_accepted(tmp_path: Path, text: str) -> None:
    path = tmp_path / "c.creds"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    os.chmod(path, 0o600)

    credentials = Credentials.load(path)

    assert credentials.client_id.reveal() == CLIENT_ID
    assert credentials.client_secret.reveal() == CLIENT_SECRET


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("0x1F", "0x1F"),
        ("0123", "0123"),
        ("1_000", "1_000"),
        ("12:30:00", "12:30:00"),
        ("yes", "yes"),
        ("~", "~"),
        ("2026-01-01", "2026-01-01"),
        ("'0x1F'", "0x1F"),
        ('"a # b"', "a # b"),
        ("' padded '", " padded "),
    ],
)
def test_yaml_values_exact(tmp_path: Path, written: str, expected: str) -> None:
    path = write_private(
        tmp_path / "c.yaml", f"client_id: {written}\nclient_secret: {written}\n"
    )

    credentials = Credentials.load(path)

    assert credentials.client_id.reveal() == expected
    assert credentials.client_secret.reveal() == expected


def test_json_number_exact(tmp_path: Path) -> None:
    path = write_private(
        tmp_path / "c.json", '{"client_id": 0.10, "client_secret": 1e5}'
    )

    credentials = Credentials.load(path)

    assert credentials.client_id.reveal() == "0.10"
    assert credentials.client_secret.reveal() == "1e5"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("c.yaml", "client_id: x1\nclient_secret: [S3CRET, two]\n"),
        ("c.yaml", "client_id: x1\nclient_secret: {S3CRET: 1}\n"),
        ("c.json", '{"client_id": "x1", "client_secret": true}'),
    ],
    ids=["yaml-list", "yaml-mapping", "json-boolean"],
)
def test_value_not_string(tmp_path: Path, name: str, text: str) -> None:
    path = write_private(tmp_path / name, text)

    with pytest.raises(UsageError) as caught:
        Credentials.load(path)

    assert f"credentials file {path}: client_secret must be a string" in str(
        caught.value
    )
    assert "S3CRET" not in str(caught.value)
