"""Find the data files that ship with qlik-drift: JSON Schemas and the
built-in policy."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_REPOSITORY = _PACKAGE.parent


def data_file(installed: str, in_repository: str) -> Path:
    """Return the path of a data file in the installed package, or in the
    repository when the package runs from a checkout (an editable install).

    ``installed`` is the path inside the package, where the wheel puts the
    file; ``in_repository`` the path from the repository root. A plain path
    lookup is enough because pip installs packages as folders, and it avoids
    importing ``importlib.resources``, which costs every command about 10 ms.
    """
    packaged = _PACKAGE / installed
    if packaged.is_file():
        return packaged
    return _REPOSITORY / in_repository
