"""Policy and ignore files that YAML or re cannot read: exit 2 with file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest
from policy_helpers import MANIFESTS, Runner, ignore_text, policy_text, write

from checker.policy import PolicyFileError, load_ignore_file, load_policy
from checker.yamlguard import YamlInputError, check_aliases, expansion_exceeded

HEADER = "apiVersion: qlik-drift/v1\nkind: Policy\n"


def problems_of(path: Path, loader: object = load_policy) -> list[str]:
    with pytest.raises(PolicyFileError) as caught:
        loader(str(path))  # type: ignore[operator]
    return [str(p) for p in caught.value.problems]


def alias_bomb(levels: int) -> str:
    """Return a policy whose last key expands to 9**levels strings."""
    lines = [HEADER.rstrip("\n"), "a: &a [" + ",".join(['"lol"'] * 9) + "]"]
    for level in range(1, levels):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [{','.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", alias_bomb(8))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:1:1: aliases in this file expand to ")
    assert "more than 10 times" in problem


def test_alias_bomb_in_ignore_file(tmp_path: Path) -> None:
    text = alias_bomb(8).replace("kind: Policy", "kind: IgnoreList")
    path = write(tmp_path / "i.yaml", text)
    (problem,) = problems_of(path, load_ignore_file)
    assert "aliases in this file expand to" in problem


def test_repeated_alias_within_limit(tmp_path: Path) -> None:
    text = policy_text(
        """
        allowedRegions: &eu [eu-west-1, eu-central-1]
        subscriptions:
          "1111": {allowedRegions: *eu}
          "2222": {allowedRegions: *eu}
        """
    )
    policy = load_policy(str(write(tmp_path / "p.yaml", text)))
    assert policy.rules_for("2222").allowed_regions == {"eu-west-1", "eu-central-1"}


def test_control_character_position(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(HEADER + "namePattern: a\x01b\n", encoding="utf-8")
    problems = problems_of(path)
    assert problems == [
        f"{path}:3:15: invalid YAML: character U+0001 is not allowed in a YAML file"
    ]


def test_unknown_tag_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", policy_text("allowedRegions: !foo [eu-west-1]\n"))
    problems = problems_of(path)
    assert problems == [
        f"{path}:3:17: YAML tag '!foo' is not supported in this file; remove it"
    ]


def test_unknown_tag_on_item(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", policy_text("allowedRegions: !foo [a]\n"))
    problems = problems_of(path)
    tag = f"{path}:3:17: YAML tag '!foo' is not supported in this file; remove it"
    assert tag in problems
    assert f"{path}:3:17: unknown region code 'a'" in problems


def test_core_str_tag_accepted(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", policy_text("namePattern: !!str 5\n"))
    policy = load_policy(str(path))
    assert policy.rules.name_pattern is not None
    assert policy.rules.name_pattern.pattern == "5"


def test_core_tag_bad_value(tmp_path: Path) -> None:
    text = policy_text("maxTenantsPerSubscription: !!int abc\n")
    problems = problems_of(write(tmp_path / "p.yaml", text))
    path = tmp_path / "p.yaml"
    assert problems == [f"{path}:3:28: invalid YAML: the value cannot be read as !!int"]


def test_binary_value_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", policy_text("namePattern: !!binary aGk=\n"))
    problems = problems_of(path)
    assert problems[0].startswith(f"{path}:3:14: a value of type bytes is not supported")


def test_regex_repeat_too_large(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", policy_text("hostnamePattern: 'a{4294967296}'\n"))
    problems = problems_of(path)
    assert problems == [
        f"{path}:3:18: invalid regular expression: the repetition number is too large"
    ]


def test_regex_groups_nested_deeply(tmp_path: Path) -> None:
    pattern = "(" * 2000 + "a" + ")" * 2000
    path = write(tmp_path / "p.yaml", HEADER + f"namePattern: '{pattern}'\n")
    problems = problems_of(path)
    assert problems == [
        f"{path}:3:14: invalid regular expression: groups are nested too deeply"
    ]


def test_regex_in_subscription_block(tmp_path: Path) -> None:
    text = policy_text('subscriptions:\n  "1111":\n    hostnamePattern: "x{99999999999}"\n')
    path = write(tmp_path / "p.yaml", text)
    problems = problems_of(path)
    assert problems == [
        f"{path}:5:22: invalid regular expression: the repetition number is too large"
    ]


def test_deep_nesting_position(tmp_path: Path) -> None:
    text = HEADER + "allowedRegions: " + "[" * 200_000 + "\n"
    path = write(tmp_path / "p.yaml", text)
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:3:")
    assert "nested more than 100 levels deep" in problem


def test_nesting_at_limit_read(tmp_path: Path) -> None:
    # The root mapping is level 1, so 99 lists reach the limit of 100.
    value = "[" * 99 + "]" * 99
    path = write(tmp_path / "p.yaml", HEADER + f"x: {value}\n")
    problems = problems_of(path)
    assert problems == [f"{path}:3:1: unknown key 'x'"]


def test_nesting_past_limit(tmp_path: Path) -> None:
    value = "[" * 100 + "]" * 100
    path = write(tmp_path / "p.yaml", HEADER + f"x: {value}\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:3:103: ")


def test_duplicate_key_without_values(tmp_path: Path) -> None:
    text = policy_text("namePattern: first-value\nnamePattern: second-value\n")
    path = write(tmp_path / "p.yaml", text)
    (problem,) = problems_of(path)
    assert problem == f'{path}:4:1: invalid YAML: duplicate key "namePattern"'


def test_subscription_key_line_break(tmp_path: Path) -> None:
    text = policy_text('subscriptions:\n  "1234\\n":\n    maxTenants: 1\n')
    path = write(tmp_path / "p.yaml", text)
    (problem,) = problems_of(path)
    assert problem == (
        f"{path}:4:3: invalid subscription id '1234\\n': "
        "use the digits of the license number"
    )


def test_rule_key_line_break(tmp_path: Path) -> None:
    text = policy_text('severity:\n  rules:\n    "policy/*\\n": error\n')
    path = write(tmp_path / "p.yaml", text)
    problems = problems_of(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:5:5: invalid rule id 'policy/*\\n'")


def test_expires_line_break(tmp_path: Path) -> None:
    entry = '  - hostname: x\n    reason: r\n    expires: "2026-01-01\\n"\n'
    path = write(tmp_path / "i.yaml", ignore_text("ignore:\n" + entry))
    problems = problems_of(path, load_ignore_file)
    line_break = "'2026-01-01\\n' contains a line break; write it on one line"
    assert f"{path}:6:14: {line_break}" in problems


def test_region_line_break(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", policy_text('allowedRegions: ["eu-west-1\\n"]\n'))
    problems = problems_of(path)
    line_break = "'eu-west-1\\n' contains a line break; write it on one line"
    assert f"{path}:3:18: {line_break}" in problems


@pytest.mark.parametrize(
    ("body", "position"),
    [
        ("x: \x01\n", "3:4"),
        ("allowedRegions: !foo [a]\n", "3:17"),
        ("hostnamePattern: 'a{4294967296}'\n", "3:18"),
        ("namePattern: '" + "(" * 2000 + ")" * 2000 + "'\n", "3:14"),
        ("x: " + "[" * 200_000 + "\n", "3:"),
        ("licenseExpiryWarningDays: !!bool maybe\n", "3:27"),
    ],
    ids=["control", "tag", "repeat", "groups", "nesting", "bool-tag"],
)
def test_validate_policy_exit_2(
    cli: Runner, tmp_path: Path, body: str, position: str
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(HEADER + body, encoding="utf-8")
    result = cli("validate", "--policy", path, MANIFESTS)
    assert result.code == 2
    assert f"{path}:{position}" in result.err
    assert "Internal error" not in result.err
    assert "Traceback" not in result.err


def test_guard_collection_contains_itself() -> None:
    # ruamel.yaml 0.18 builds no such cycle from a file, so the check is
    # called on Python data directly.
    cycle: list[object] = []
    cycle.append(cycle)
    with pytest.raises(YamlInputError) as caught:
        check_aliases(cycle)
    assert caught.value.message == "recursive alias: a mapping or list contains itself"


def test_guard_expansion_boundary() -> None:
    assert not expansion_exceeded(10 * 5 + 100_000, 5)
    assert expansion_exceeded(10 * 5 + 100_001, 5)
