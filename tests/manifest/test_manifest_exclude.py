"""Folder search: hidden folders and --exclude patterns."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from manifest_helpers import HEADER

from checker.errors import UsageError
from checker.manifest import collect_manifest_files, load_manifests

Write = Callable[[str, str], Path]
EMPTY = HEADER + "subscriptions: []\n"
BROKEN = "not: [a manifest\n"


def found(paths: list[str], exclude: tuple[str, ...] = ()) -> list[str]:
    return [path.as_posix() for path in collect_manifest_files(paths, exclude=exclude)]


@pytest.fixture
def tree(write: Write) -> None:
    write("m/a.yaml", EMPTY)
    write("m/live/acme.yaml", BROKEN)
    write("m/live/deep/b.yaml", BROKEN)
    write("m/pulumi/producer/Pulumi.yaml", BROKEN)
    write("m/teams/c.yml", EMPTY)
    write("m/.github/workflows/ci.yml", BROKEN)
    write("m/.hidden.yaml", EMPTY)


def test_hidden_folders_skipped(tree: None) -> None:
    files = found(["m"])
    assert "m/.github/workflows/ci.yml" not in files
    # Only folders are hidden by a leading dot: a dot file is still a manifest.
    assert "m/.hidden.yaml" in files


def test_hidden_folder_named_read(tree: None) -> None:
    assert found(["m/.github"]) == ["m/.github/workflows/ci.yml"]


def test_exclude_folder_star(tree: None) -> None:
    files = found(["m"], ("live/*",))
    assert "m/live/acme.yaml" not in files
    # As in gitignore, live/* also matches the folder live/deep and so its files.
    assert "m/live/deep/b.yaml" not in files
    assert "m/a.yaml" in files


def test_exclude_star_one_folder(tree: None) -> None:
    files = found(["m"], ("live/*.yaml",))
    assert "m/live/acme.yaml" not in files
    # gitignore's * does not match a slash.
    assert "m/live/deep/b.yaml" in files


def test_exclude_double_star(tree: None) -> None:
    files = found(["m"], ("live/**",))
    assert "m/live/acme.yaml" not in files
    assert "m/live/deep/b.yaml" not in files
    assert "m/teams/c.yml" in files


def test_exclude_folder_slash(tree: None) -> None:
    assert "m/live/deep/b.yaml" not in found(["m"], ("live/",))


def test_exclude_file_name_any_depth(tree: None) -> None:
    files = found(["m"], ("Pulumi.yaml",))
    assert "m/pulumi/producer/Pulumi.yaml" not in files
    assert "m/live/acme.yaml" in files


def test_exclude_relative_to_argument(tree: None) -> None:
    # A pattern with a slash is anchored at the folder argument.
    assert "m/live/acme.yaml" in found(["m"], ("m/live/*",))
    assert "m/live/acme.yaml" not in found(["m"], ("/live/*",))


def test_exclude_suffix_glob(tree: None) -> None:
    assert found(["m"], ("*.yaml",)) == ["m/teams/c.yml"]


def test_exclude_negation(tree: None) -> None:
    files = found(["m"], ("live/*", "!live/acme.yaml"))
    assert "m/live/acme.yaml" in files


def test_exclude_repeatable(tree: None) -> None:
    files = found(["m"], ("live/", "pulumi/"))
    assert files == ["m/.hidden.yaml", "m/a.yaml", "m/teams/c.yml"]


def test_exclude_not_for_named_file(tree: None) -> None:
    files = found(["m/live/acme.yaml", "m"], ("live/*",))
    assert files[0] == "m/live/acme.yaml"
    assert "m/live/deep/b.yaml" not in files


def test_exclude_all_usage_error(tree: None) -> None:
    with pytest.raises(UsageError) as caught:
        found(["m"], ("*.y*ml",))
    assert "every *.yaml or *.yml file in folder m" in str(caught.value)
    assert caught.value.exit_code == 2


def test_exclude_empty_pattern_error(tree: None) -> None:
    with pytest.raises(UsageError) as caught:
        found(["m"], ("",))
    assert "pattern is empty" in str(caught.value)


def test_exclude_invalid_pattern_error(tree: None) -> None:
    with pytest.raises(UsageError) as caught:
        found(["m"], ("!",))
    assert "invalid --exclude pattern" in str(caught.value)
    assert caught.value.hint is not None


def test_load_manifests_exclude(tree: None) -> None:
    result = load_manifests(["m"], exclude=("live/", "pulumi/"))
    assert result.ok
    assert result.files == ["m/.hidden.yaml", "m/a.yaml", "m/teams/c.yml"]


def test_load_manifests_without_exclude(tree: None) -> None:
    result = load_manifests(["m"])
    assert not result.ok
    assert "m/live/acme.yaml" in result.files
