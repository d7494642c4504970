"""Shared helpers of the import and fix tests."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
EXAMPLE_MANIFESTS = ROOT / "examples" / "manifests"
ACME = ROOT / "examples" / "live" / "acme.yaml"


@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


RunCli = Callable[..., CliResult]


def copy_case(case: str, destination: Path) -> Path:
    """Copy the input manifests of a fixture case; return the copy's folder."""
    target = destination / case
    shutil.copytree(DATA / case / "manifests", target)
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    """Return every file of ``folder`` (names and bytes), hidden ones included."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def comment_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("#")]
