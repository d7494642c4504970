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
