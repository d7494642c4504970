from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary working folder, so diagnostics name files relative to it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def write(workdir: Path) -> Callable[[str, str], Path]:
    """Write a file under the working folder and return its relative path."""

    def write_file(name: str, text: str) -> Path:
        path = Path(name)
        (workdir / path).parent.mkdir(parents=True, exist_ok=True)
        (workdir / path).write_text(text, encoding="utf-8")
        return path

    return write_file
