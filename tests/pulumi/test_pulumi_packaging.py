"""How checker.pulumi is installed and imported."""

from __future__ import annotations

import subprocess
import sys

from stack_helpers import ROOT

from checker.pulumi import EXPORT_NAMES

# Imports every checker module outside checker.pulumi, then prints the Pulumi
# modules that got imported along the way.
LIST_PULUMI_IMPORTS = """
import importlib, pkgutil, sys
import checker

def walk(package):
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        if info.name == "checker.pulumi" or info.name.endswith(".__main__"):
            continue
        module = importlib.import_module(info.name)
        if info.ispkg:
            walk(module)

walk(checker)
print(sorted(name for name in sys.modules if name.split(".")[0] == "pulumi"))
"""


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_missing_sdk_message() -> None:
    # None in sys.modules makes `import pulumi` fail as if it were not installed.
    result = run_python(
        "import sys; sys.modules['pulumi'] = None; import checker.pulumi"
    )
    assert result.returncode == 1
    assert "ImportError" in result.stderr
    assert 'pip install "qlik-drift[pulumi]"' in result.stderr


def test_core_without_pulumi() -> None:
    result = run_python(LIST_PULUMI_IMPORTS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_export_names_prefixed() -> None:
    assert all(name.startswith("qlik_") for name in EXPORT_NAMES)
    assert len(set(EXPORT_NAMES.values())) == len(EXPORT_NAMES)
