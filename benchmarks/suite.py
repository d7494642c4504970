"""Settings, shared state and constants of one benchmark run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import generate
from benchmarks.measure import REPO, Series
from benchmarks.report import Report, fmt_mib, fmt_seconds

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SCHEMA = REPO / "schemas" / "manifest.schema.json"
SMALL_MANIFEST = REPO / "examples" / "manifests" / "emea.yaml"
LATENCY_MS = 20
CONCURRENCY = 8
DEEPDIFF_TIMEOUT = 120.0
SIMLOAD_SECONDS = 3.0
# Modules the validate path must not import (pre-commit start-up time).
FORBIDDEN_ON_VALIDATE = ("requests", "urllib3", "deepdiff", "pulumi")


@dataclass(slots=True)
class Settings:
    sizes: list[str]
    repeat: int
    quick: bool
    deepdiff_timeout: float
    output: Path
    command: str
    only: list[str] = field(default_factory=list)
    data_dir: Path = generate.DATA_DIR


@dataclass(slots=True)
class Suite:
    settings: Settings
    report: Report
    data: dict[str, generate.DataSet] = field(default_factory=dict)

    @property
    def largest(self) -> str:
        return max(self.settings.sizes, key=generate.parse_size)


def shown_path(path: Path) -> str:
    """Return ``path`` relative to the repository when it is inside it."""
    try:
        return str(path.relative_to(REPO))
    except ValueError:
        return str(path)


def times(series: Series) -> list[str]:
    """Return the median, min, max and peak RSS cells of a table row."""
    return [
        fmt_seconds(series.median),
        fmt_seconds(series.minimum),
        fmt_seconds(series.maximum),
        fmt_mib(series.peak_rss),
    ]
