"""State files: the example loads; each mistake is a UsageError with its position."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checker.errors import EXIT_NO_ANSWER, UsageError
from checker.simulator import Fault, FaultPlan, SimulatorState, load_state

from .sim_helpers import ACME

HEAD = """\
organization: Test
clients:
  - clientId: demo
    clientSecret: demo-secret
subscriptions:
  - subscriptionId: "1111"
foreignSubscriptions: ["2222"]
"""
TENANT = """\
  - id: tenant-a
    name: A
    hostnames: [a.eu.qlikcloud.com]
    subscriptionId: "1111"
"""


def write(tmp_path: Path, text: str, name: str = "state.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str, name: str = "state.yaml") -> UsageError:
    path = write(tmp_path, text, name)
    with pytest.raises(UsageError) as caught:
        load_state(path)
    return caught.value


def test_acme_example_loads() -> None:
    state = load_state(ACME)
    assert state.organization == "Acme Analytics"
    assert len(state.tenants) == 8
    assert state.subscription_ids == {
        "9876543210987654",
        "1234567890123456",
        "5555666677778888",
        "4444555566667777",
    }
    assert state.foreign_subscriptions == {"1111222233334444"}
    assert state.clients[0].client_id == "demo-client-id"
    assert state.settings == FaultPlan()


def test_state_repr_hides_secret() -> None:
    state = load_state(ACME)
    assert "demo-client-secret" not in repr(state)
    assert "demo-client-secret" not in repr(state.clients)


def test_valid_minimal_state(tmp_path: Path) -> None:
    state = load_state(write(tmp_path, HEAD + "tenants:\n" + TENANT))
    assert [t["id"] for t in state.tenants] == ["tenant-a"]
    assert type(state.tenants[0]) is dict
    assert type(state.tenants[0]["hostnames"]) is list


def test_json_state_file(tmp_path: Path) -> None:
    data = {
        "clients": [{"clientId": "c", "clientSecret": "s"}],
        "tenants": [
            {"id": "t", "hostnames": ["t.us.qlikcloud.com"], "subscriptionId": "9"}
        ],
    }
    path = write(tmp_path, json.dumps(data, indent="\t"), "state.json")
    state = load_state(path)
    assert state.subscription_ids == {"9"}


def test_subscriptions_default_from_tenants(tmp_path: Path) -> None:
    text = "clients: [{clientId: c, clientSecret: s}]\ntenants:\n" + TENANT
    assert load_state(write(tmp_path, text)).subscription_ids == {"1111"}


def tenant_yaml(*fields: str) -> str:
    """Return one tenant as a YAML list item, one field per line."""
    return "  - " + "\n    ".join(fields) + "\n"


HOST = "hostnames: [x.eu.qlikcloud.com]"
SUBSCRIPTION = 'subscriptionId: "1111"'


@pytest.mark.parametrize(
    ("tenant", "position", "message"),
    [
        (
            tenant_yaml("name: X", HOST, SUBSCRIPTION),
            "13:5",
            'tenants[1]: missing required field "id"',
        ),
        (
            tenant_yaml("id: x", SUBSCRIPTION),
            "13:5",
            'tenants[1]: missing required field "hostnames"',
        ),
        (
            tenant_yaml("id: x", HOST),
            "13:5",
            'tenants[1]: missing required field "subscriptionId"',
        ),
        (
            tenant_yaml("id: x", "hostnames: []", SUBSCRIPTION),
            "14:16",
            "tenants[1].hostnames: must not be empty",
        ),
        (
            tenant_yaml("id: tenant-a", HOST, SUBSCRIPTION),
            "13:9",
            "tenants[1].id: duplicate tenant id tenant-a (also tenants[0])",
        ),
        (
            tenant_yaml(
                "id: x",
                "hostnames: [y.eu.qlikcloud.com, A.EU.qlikcloud.com]",
                SUBSCRIPTION,
            ),
            "14:37",
            "tenants[1].hostnames[1]: duplicate hostname A.EU.qlikcloud.com",
        ),
        (
            tenant_yaml("id: x", HOST, "subscriptionId: 1111"),
            "15:21",
            "tenants[1].subscriptionId: must be a string, not the number 1111",
        ),
        (
            tenant_yaml("id: x", HOST, 'subscriptionId: "3333"'),
            "15:21",
            "tenants[1].subscriptionId: subscription 3333 is in neither",
        ),
        (
            tenant_yaml("id: x", HOST, SUBSCRIPTION, "createdAt: 2024-01-01T00:00:00Z"),
            "16:16",
            "tenants[1].createdAt: must be a string, not a timestamp",
        ),
    ],
    ids=[
        "no-id",
        "no-hostnames",
        "no-subscription",
        "empty-hostnames",
        "duplicate-id",
        "duplicate-hostname",
        "unquoted-number",
        "unknown-subscription",
        "timestamp",
    ],
)
def test_tenant_errors(
    tmp_path: Path, tenant: str, position: str, message: str
) -> None:
    error = load_error(tmp_path, HEAD + "tenants:\n" + TENANT + tenant)
    assert str(error).startswith(f"{tmp_path / 'state.yaml'}:{position}: ")
    assert message in error.message
    assert error.hint
    assert error.exit_code == EXIT_NO_ANSWER


def test_unquoted_number_hint(tmp_path: Path) -> None:
    tenant = (
        "  - id: x\n    hostnames: [x.eu.qlikcloud.com]\n    subscriptionId: 1111\n"
    )
    error = load_error(tmp_path, HEAD + "tenants:\n" + tenant)
    assert error.hint is not None
    assert "double quotes" in error.hint


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        (HEAD + "tenant:\n" + TENANT, "8:1", 'unknown field "tenant"'),
        ("clients: []\ntenants: []\n", "1:10", "clients: must not be empty"),
        ("tenants: []\n", "1:1", 'missing required field "clients"'),
        ("- a\n- b\n", "1:1", "must be a mapping, not a list"),
        (
            HEAD.replace("clientSecret: demo-secret", "secret: x") + "tenants: []\n",
            "4:5",
            'clients[0].secret: unknown field "secret"',
        ),
        (
            HEAD + "tenants: []\nsettings:\n  faults: [explode]\n",
            "10:12",
            'settings.faults[0]: unknown fault kind "explode"',
        ),
        (
            HEAD + "tenants: []\nsettings:\n  rateLimits: {tier1PerMinute: 0}\n",
            "10:32",
            "settings.rateLimits.tier1PerMinute",
        ),
        (
            HEAD + "tenants: []\nsettings:\n  quirks: {offsetCursors: true}\n",
            "10:12",
            'settings.quirks.offsetCursors: unknown field "offsetCursors"',
        ),
        (
            HEAD + "tenants: []\nsettings:\n  faults: [{kind: status, requests: 0}]\n",
            "10:12",
            "settings.faults[0]: invalid request numbers",
        ),
        (
            HEAD + "tenants: []\nsettings:\n  faults: [{kind: drop, colour: red}]\n",
            "10:25",
            'settings.faults[0].colour: unknown field "colour"',
        ),
        (
            HEAD.replace(
                'foreignSubscriptions: ["2222"]', 'foreignSubscriptions: ["1111"]'
            )
            + "tenants: []\n",
            "7:24",
            "listed as both",
        ),
    ],
    ids=[
        "unknown-key",
        "no-clients",
        "missing-clients",
        "not-mapping",
        "client-field",
        "bad-fault",
        "bad-rate",
        "bad-quirk",
        "bad-requests",
        "bad-fault-key",
        "both-lists",
    ],
)
def test_file_errors(tmp_path: Path, text: str, position: str, message: str) -> None:
    error = load_error(tmp_path, text)
    assert str(error).startswith(f"{tmp_path / 'state.yaml'}:{position}: ")
    assert message in error.message


def test_duplicate_client_id(tmp_path: Path) -> None:
    second = "  - clientId: demo\n    clientSecret: other\nsubscriptions:"
    text = HEAD.replace("subscriptions:", second) + "tenants: []\n"
    error = load_error(tmp_path, text)
    assert error.message.endswith(
        "clients[1].clientId: duplicate clientId: clients[0] has the same one"
    )
    assert ":5:15:" in error.message
    assert "demo" not in str(error)


def test_yaml_syntax_error(tmp_path: Path) -> None:
    error = load_error(tmp_path, HEAD + "tenants:\n  - id: [unclosed\n")
    assert error.message.startswith(f"{tmp_path / 'state.yaml'}:")
    assert "invalid YAML" in error.message


def test_yaml_duplicate_key(tmp_path: Path) -> None:
    error = load_error(tmp_path, HEAD + "tenants: []\ntenants: []\n")
    assert ":9:1:" in error.message
    assert "invalid YAML" in error.message


def test_json_syntax_error(tmp_path: Path) -> None:
    error = load_error(tmp_path, '{\n\t"clients": [,]\n}', "state.json")
    assert error.message.startswith(f"{tmp_path / 'state.json'}:2:")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        load_state(tmp_path / "nope.yaml")
    assert "state file not found" in caught.value.message
    assert caught.value.hint is not None
    assert "--state" in caught.value.hint


def test_empty_file(tmp_path: Path) -> None:
    error = load_error(tmp_path, "\n# nothing\n")
    assert "state file is empty" in error.message


def test_settings_block_builds_plan(tmp_path: Path) -> None:
    settings = """\
settings:
  seed: 9
  tokenLifetime: 30
  strictFilter: true
  unknownSubscription: forbidden
  rateLimits: {tier1PerMinute: 10, tier2PerMinute: 5, windowSeconds: 60}
  quirks: {linkPrefix: true, offsetCursor: true, unknownStatus: gone}
  faults:
    - {kind: status, endpoint: list, requests: "2-3", status: 502}
    - "latency:50 endpoint=any"
"""
    plan = load_state(write(tmp_path, HEAD + "tenants: []\n" + settings)).settings
    assert plan.seed == 9
    assert plan.token_lifetime == 30
    assert plan.strict_filter is True
    assert plan.unknown_subscription == "forbidden"
    assert plan.rate_limits.budget("tier1") == 10
    assert plan.rate_limits.budget("tier2") == 5
    assert plan.quirks.link_prefix == "https://api.qlikcloud.com/core"
    assert plan.quirks.offset_cursor is True
    assert plan.quirks.unknown_status == "gone"
    assert plan.faults == (
        Fault("status", endpoint="list", requests="2-3", status=502),
        Fault("latency", endpoint="any", latency_ms=50),
    )


def test_from_dict_error_has_path() -> None:
    with pytest.raises(UsageError) as caught:
        SimulatorState.from_dict(
            {
                "clients": [{"clientId": "c", "clientSecret": "s"}],
                "tenants": [{"id": "t", "hostnames": ["h"]}],
            },
            source="<test>",
        )
    assert caught.value.message == (
        '<test>:1:1: tenants[0]: missing required field "subscriptionId"'
    )


def test_unknown_tenant_fields_kept(tmp_path: Path) -> None:
    tenant = TENANT + "    status: archived\n    lifecycle: {stage: beta}\n"
    state = load_state(write(tmp_path, HEAD + "tenants:\n" + tenant))
    assert state.tenants[0]["status"] == "archived"
    assert state.tenants[0]["lifecycle"] == {"stage": "beta"}


SECRET = "SECRETSENTINEL"
CLIENT_ID = "CIDSENTINEL"


def client_state(*lines: str) -> str:
    """Return a state with one client made of ``lines`` and no tenants."""
    return "clients:\n  - " + "\n    ".join(lines) + "\ntenants: []\n"


def assert_hidden(error: UsageError, *values: str) -> None:
    """Check that no value reaches the message, the hint or a chained exception."""
    text = f"{error}\n{error.__cause__}\n{error.__context__}"
    for value in values:
        assert value not in text
    assert error.__cause__ is None
    assert error.__suppress_context__


def test_duplicate_secret_key_hidden(tmp_path: Path) -> None:
    text = client_state(
        f"clientId: {CLIENT_ID}", f"clientSecret: {SECRET}-1", f"clientSecret: {SECRET}-2"
    )
    error = load_error(tmp_path, text)
    assert error.message == (
        f'{tmp_path / "state.yaml"}:4:5: invalid YAML: duplicate key "clientSecret"'
    )
    assert_hidden(error, SECRET, CLIENT_ID)


def test_duplicate_client_id_hidden(tmp_path: Path) -> None:
    text = (
        f"clients:\n  - {{clientId: {CLIENT_ID}, clientSecret: a}}\n"
        f"  - {{clientId: {CLIENT_ID}, clientSecret: b}}\ntenants: []\n"
    )
    error = load_error(tmp_path, text)
    assert ":3:16: clients[1].clientId: duplicate clientId" in error.message
    assert_hidden(error, CLIENT_ID)


@pytest.mark.parametrize(
    ("lines", "position", "message"),
    [
        (
            ("clientId: demo", "clientSecret: 987654321987654321"),
            "3:19",
            "clients[0].clientSecret: must be a string, not a number",
        ),
        (
            ("clientId: 1234567890", "clientSecret: s"),
            "2:15",
            "clients[0].clientId: must be a string, not a number",
        ),
        (
            ("clientId: demo", "clientSecret: ''"),
            "3:19",
            "clients[0].clientSecret: must not be empty",
        ),
    ],
    ids=["numeric-secret", "numeric-id", "empty-secret"],
)
def test_credential_type_hidden(
    tmp_path: Path, lines: tuple[str, ...], position: str, message: str
) -> None:
    error = load_error(tmp_path, client_state(*lines))
    assert error.message.startswith(f"{tmp_path / 'state.yaml'}:{position}: ")
    assert error.message.endswith(message)
    assert_hidden(error, "987654321987654321", "1234567890")


def test_other_numbers_still_shown(tmp_path: Path) -> None:
    error = load_error(tmp_path, HEAD.replace("Test", "42") + "tenants: []\n")
    assert error.message.endswith("organization: must be a string, not the number 42")


def test_control_character_position(tmp_path: Path) -> None:
    text = client_state("clientId: demo", f'clientSecret: "{SECRET}\x01"')
    error = load_error(tmp_path, text)
    assert error.message == (
        f"{tmp_path / 'state.yaml'}:3:34: invalid YAML: "
        "character U+0001 is not allowed in a YAML file"
    )
    assert_hidden(error, SECRET)


def test_control_character_json(tmp_path: Path) -> None:
    text = json.dumps({"clients": [], "tenants": []}).replace("[]", '["a\x01"]', 1)
    error = load_error(tmp_path, text, "state.json")
    assert error.message.startswith(f"{tmp_path / 'state.json'}:1:")
    assert "invalid" in error.message


@pytest.mark.parametrize("name", ["state.yaml", "state.json"])
def test_deep_nesting_position(tmp_path: Path, name: str) -> None:
    error = load_error(tmp_path, "[" * 200_000, name)
    assert error.message.startswith(f"{tmp_path / name}:1:")
    assert "nested more than 100 levels deep" in error.message


def test_deep_json_value_position(tmp_path: Path) -> None:
    # Valid JSON that Python's json module cannot read: it nests too deeply.
    deep = "[" * 5000 + "]" * 5000
    text = f'{{"clients": [], "tenants": [], "x": {deep}}}'
    error = load_error(tmp_path, text, "state.json")
    assert error.message.startswith(f"{tmp_path / 'state.json'}:1:")
    assert "nested more than 100 levels deep" in error.message


def test_alias_bomb_rejected(tmp_path: Path) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for level in range(1, 8):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [{','.join([f'*{previous}'] * 9)}]")
    error = load_error(tmp_path, "\n".join(lines) + "\n")
    assert ":1:1: aliases in this file expand to " in error.message


def test_simulate_bad_state_exit_2(tmp_path: Path) -> None:
    # A subprocess, so that a state accepted by mistake ends in the timeout
    # instead of serving forever inside the test process.
    lines = [f"clientId: {CLIENT_ID}", f"clientSecret: {SECRET}", f"clientSecret: {SECRET}2"]
    path = write(tmp_path, client_state(*lines))
    command = ["--debug", "simulate", "--state", str(path), "--port", "0"]
    result = subprocess.run(
        [sys.executable, "-m", "checker", *command],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert f"{path}:4:5" in result.stderr
    assert SECRET not in result.stderr + result.stdout
    assert CLIENT_ID not in result.stderr + result.stdout


def test_str_tag_secret_is_text(tmp_path: Path) -> None:
    state = load_state(write(tmp_path, client_state("clientId: demo", "clientSecret: !!str 5")))
    assert state.clients[0].client_secret.reveal() == "5"


def test_unknown_tag_secret_hidden(tmp_path: Path) -> None:
    error = load_error(tmp_path, client_state("clientId: demo", f"clientSecret: !foo {SECRET}"))
    assert error.message.endswith(
        "clients[0].clientSecret: must be a string, not a value with the YAML tag !foo"
    )
    assert_hidden(error, SECRET)


def round_trip_state(path: Path) -> SimulatorState:
    """Load ``path`` with ruamel.yaml only, the reader that places errors."""
    from checker.simulator import state

    return state._build(state._parse(path.read_text("utf-8"), str(path)), str(path))


def test_yaml_fast_path_same_state() -> None:
    from checker.simulator import state

    text = ACME.read_text("utf-8")
    fast = state._build_from_yaml(text, str(ACME))
    assert fast is not None
    assert fast == round_trip_state(ACME)


@pytest.mark.parametrize(
    "extra",
    ["    licenseEndsAt: 2028-06-30\n", "    createdAt: 2023-01-15T10:30:00Z\n"],
)
def test_yaml_unquoted_date_error(tmp_path: Path, extra: str) -> None:
    path = write(tmp_path, HEAD + "tenants:\n" + TENANT + extra)
    with pytest.raises(UsageError) as expected:
        round_trip_state(path)
    assert str(load_error(tmp_path, HEAD + "tenants:\n" + TENANT + extra)) == str(
        expected.value
    )


def test_yaml_number_key_round_trip(tmp_path: Path) -> None:
    from checker.simulator import state

    path = write(tmp_path, HEAD + "tenants:\n" + TENANT + "    labels: {1: one}\n")
    assert state._build_from_yaml(path.read_text("utf-8"), str(path)) is None
    assert load_state(path) == round_trip_state(path)
