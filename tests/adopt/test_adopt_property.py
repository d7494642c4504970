"""Property tests: import, then fix, always converge on a clean check.

Each example writes simulator state files for a random organization and a
random drift of it, and runs the real commands against simulators on
loopback. Example counts are small because every run starts servers.
"""

from __future__ import annotations

import copy
import io
import json
import re
import tempfile
from pathlib import Path
from typing import Any

from adopt_helpers import RunCli, comment_lines
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

SUBSCRIPTIONS = ["8000000000000001", "8000000000000002", "8000000000000003"]
# Never declared by an import of the first organization: tenants moved here
# make ``--fix`` create a subscription block.
NEW_SUBSCRIPTION = "8000000000000004"
REGIONS = ["eu-west-1", "us-east-1", "ap-southeast-2"]
STATUSES = ["active", "disabled", "deleted", "deactivated"]
NAMES = st.sampled_from(
    ["Acme", "Team: Data", "yes", "O'Brien #1", 'Say "hi"', "Ünïcode", "0123", "null", None]
)
OPERATIONS = ["keep", "rename", "status", "region", "aliases", "hostname", "move", "delete"]
# ruamel.yaml (mapping, sequence, offset) indentation: dash at the key's
# column, the usual 2/4/2, and wider styles.
INDENTS = [(2, 2, 0), (2, 4, 2), (4, 4, 0), (4, 6, 2), (3, 5, 3)]

Tenant = dict[str, Any]

SETTINGS = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def make_tenant(key: str, draw: st.DrawFn, subscriptions: list[str]) -> Tenant:
    tenant: Tenant = {
        "id": f"Prop{key}".ljust(32, "0"),
        # A custom domain: qlikcloud.com hostnames must match the region.
        "hostnames": [f"{key}.tenants.example"],
        "regionCode": draw(st.sampled_from(REGIONS)),
        "status": draw(st.sampled_from(STATUSES)),
        "subscriptionId": draw(st.sampled_from(subscriptions)),
    }
    aliases = draw(st.integers(0, 2))
    tenant["hostnames"] += [f"{key}-alias{n}.example" for n in range(aliases)]
    name = draw(NAMES)
    if name is not None:
        tenant["name"] = name
    return tenant


@st.composite
def organizations(draw: st.DrawFn) -> list[Tenant]:
    count = draw(st.integers(1, 6))
    return [make_tenant(f"t{index}", draw, SUBSCRIPTIONS) for index in range(count)]


@st.composite
def drifted(draw: st.DrawFn, tenants: list[Tenant]) -> list[Tenant]:
    """Apply one random change to each tenant, and maybe add new ones."""
    result = []
    for tenant in copy.deepcopy(tenants):
        operation = draw(st.sampled_from(OPERATIONS))
        key = tenant["hostnames"][0].split(".")[0]
        if operation == "delete":
            continue
        if operation == "rename":
            tenant["name"] = draw(NAMES) or "Renamed"
        elif operation == "status":
            tenant["status"] = draw(st.sampled_from(STATUSES))
        elif operation == "region":
            tenant["regionCode"] = draw(st.sampled_from(REGIONS))
        elif operation == "aliases":
            count = draw(st.integers(0, 3))
            tenant["hostnames"] = tenant["hostnames"][:1] + [
                f"{key}-new{n}.example" for n in range(count)
            ]
        elif operation == "hostname":
            tenant["hostnames"][0] = f"{key}-renamed.tenants.example"
        elif operation == "move":
            tenant["subscriptionId"] = draw(st.sampled_from([*SUBSCRIPTIONS, NEW_SUBSCRIPTION]))
        result.append(tenant)
    every = [*SUBSCRIPTIONS, NEW_SUBSCRIPTION]
    result += [make_tenant(f"new{n}", draw, every) for n in range(draw(st.integers(0, 2)))]
    return result


def write_state(path: Path, tenants: list[Tenant]) -> Path:
    state = {
        "clients": [{"clientId": "property-id", "clientSecret": "property-secret"}],
        "subscriptions": [
            {"subscriptionId": s} for s in [*SUBSCRIPTIONS, NEW_SUBSCRIPTION]
        ],
        "tenants": tenants,
    }
    path.write_text(json.dumps(state), encoding="utf-8")
    return path


def relayout(folder: Path, indent: tuple[int, int, int], block_aliases: bool, blank: bool) -> None:
    """Rewrite imported files in another layout, as a person might have written them."""
    for path in folder.glob("*.yaml"):
        yaml = YAML()
        yaml.width = 4096
        yaml.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
        data = yaml.load(path.read_text())
        for block in data["subscriptions"]:
            for tenant in block.get("tenants") or ():
                if block_aliases and "aliases" in tenant:
                    tenant["aliases"].fa.set_block_style()
        out = io.StringIO()
        yaml.dump(data, out)
        text = out.getvalue()
        if not blank:
            text = "".join(line for line in text.splitlines(keepends=True) if line.strip())
        path.write_text(text)


def add_comments(folder: Path) -> None:
    """Put a comment above every tenant and one at the end of every file."""
    for path in folder.glob("*.yaml"):
        text = re.sub(
            r"^( *)- hostname: (\S+)$",
            lambda m: f"{m[1]}# about {m[2]}\n{m[0]}",
            path.read_text(),
            flags=re.MULTILINE,
        )
        path.write_text(text + "# end of file\n")


@SETTINGS
@given(organization=organizations())
def test_import_then_check_clean(cli: RunCli, organization: list[Tenant]) -> None:
    with tempfile.TemporaryDirectory() as temp:
        state = write_state(Path(temp) / "org.json", organization)
        imported = cli("import", "--simulate", state, "-o", Path(temp) / "out")
        checked = cli("check", Path(temp) / "out", "--simulate", state)
        assert imported.code == 0, imported.err
        assert checked.code == 0, checked.out + checked.err


@SETTINGS
@given(data=st.data())
def test_fix_prune_then_check_clean(cli: RunCli, data: st.DataObject) -> None:
    organization = data.draw(organizations(), label="organization")
    later = data.draw(drifted(organization), label="drifted")
    with tempfile.TemporaryDirectory() as temp:
        before = write_state(Path(temp) / "before.json", organization)
        after = write_state(Path(temp) / "after.json", later)
        out = Path(temp) / "out"
        assert cli("import", "--simulate", before, "-o", out).code == 0
        relayout(
            out,
            data.draw(st.sampled_from(INDENTS), label="indent"),
            data.draw(st.booleans(), label="block aliases"),
            data.draw(st.booleans(), label="blank lines"),
        )
        add_comments(out)
        comments = sorted(c for p in out.glob("*.yaml") for c in comment_lines(p.read_text()))
        fixed = cli("check", "--fix", "--prune", out, "--simulate", after)
        checked = cli("check", out, "--simulate", after)
        kept = sorted(c for p in out.glob("*.yaml") for c in comment_lines(p.read_text()))
        assert fixed.code == 0, fixed.out + fixed.err
        assert checked.code == 0, checked.out + checked.err
        assert kept == comments
