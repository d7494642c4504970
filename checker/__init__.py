"""qlik-drift: compare tenant manifests with a live Qlik Cloud organization."""

from __future__ import annotations

__version__ = "0.1.0"
