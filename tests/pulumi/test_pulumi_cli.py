"""The producer example deployed by the real Pulumi CLI, with a local file backend.

Skipped when ``pulumi`` is not on PATH. The other Pulumi tests cover the same
provider without the CLI; only this one runs the engine's own diff, preview
and state handling.

NOTE: written without a Pulumi CLI at hand, so it has never run; the CLI
flags used are the documented ones.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from stack_helpers import MANIFESTS, PRODUCER, SENTINEL_ID, SENTINEL_SECRET, acme_data

from checker.simulator import Simulator

pytestmark = pytest.mark.skipif(
    shutil.which("pulumi") is None, reason="needs the Pulumi CLI, which is not on PATH"
)


def make_project(root: Path) -> Path:
    """Copy the producer next to the example manifests, as in the repository."""
    shutil.copytree(MANIFESTS, root / "examples" / "manifests")
    project = root / "examples" / "pulumi" / "producer"
    project.mkdir(parents=True)
    shutil.copy(PRODUCER / "__main__.py", project)
    # No virtualenv option: the program runs with PULUMI_PYTHON_CMD, the test's
    # interpreter, which has qlik-drift installed.
    (project / "Pulumi.yaml").write_text("name: qlik-tenants\nruntime: python\n")
    return project


def test_up_refresh_destroy(tmp_path: Path, simulator: Simulator) -> None:
    project = make_project(tmp_path)
    env = {
        **os.environ,
        "PULUMI_BACKEND_URL": (tmp_path / "state").as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": "test-only-passphrase",
        "PULUMI_PYTHON_CMD": sys.executable,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    (tmp_path / "state").mkdir()

    def pulumi(*args: str) -> str:
        result = subprocess.run(
            ["pulumi", *args, "--non-interactive"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    pulumi("stack", "init", "dev")
    pulumi("config", "set", "qlik:orgUrl", simulator.url)
    pulumi("config", "set", "qlik:clientId", SENTINEL_ID)
    pulumi("config", "set", "--secret", "qlik:clientSecret", SENTINEL_SECRET)
    pulumi("up", "--yes", "--skip-preview")

    outputs = json.loads(pulumi("stack", "output", "--json"))
    assert outputs["qlik_tenant_count"] == len(acme_data()["tenants"])
    assert outputs["qlik_drift_count"] == 5

    # read returns the inputs, so a refresh leaves nothing to change.
    pulumi("preview", "--refresh", "--expect-no-changes")
    state = pulumi("stack", "export", "--show-secrets")
    assert SENTINEL_SECRET not in state
    pulumi("destroy", "--yes", "--skip-preview")
