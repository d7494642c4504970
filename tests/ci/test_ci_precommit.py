"""The pre-commit hooks, run by the real pre-commit on temporary git repositories.

``try-repo`` builds the hook's virtual environment from a git repository with
pip, as users' machines do. That needs PyPI and takes a while, so those tests
are marked slow and run pre-commit as few times as possible.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ci_helpers import MANIFESTS, ROOT

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "qlik-drift tests",
    "GIT_AUTHOR_EMAIL": "tests@qlik-drift.invalid",
    "GIT_COMMITTER_NAME": "qlik-drift tests",
    "GIT_COMMITTER_EMAIL": "tests@qlik-drift.invalid",
}


def git(*args: str, cwd: Path) -> None:
    env = {**os.environ, **GIT_IDENTITY}
    subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=cwd, env=env, check=True, capture_output=True, timeout=60,
    )


def commit_all(repo: Path) -> None:
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "test content", cwd=repo)


def pre_commit(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    # The venv's bin folder first, so `language: system` hooks find qlik-drift.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {**os.environ, **GIT_IDENTITY, "PRE_COMMIT_HOME": str(home), "PATH": path}
    # The hook must run the qlik-drift that pre-commit installed, not a path override.
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=570,
    )


def break_manifest(path: Path) -> int:
    """Misspell a key in ``path``; return the 1-based line of the mistake."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if "regionCode: eu-west-2" in line)
    lines[index] = lines[index].replace("regionCode", "regoinCode")
    path.write_text("".join(lines), encoding="utf-8")
    return index + 1


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a git repository with the project's working tree, uncommitted files included."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True, text=True, timeout=60,
    )
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in filter(None, listing.stdout.split("\0")):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    commit_all(repo)
    return repo


@pytest.fixture
def user_repo(tmp_path: Path) -> Path:
    """A user's repository with a good and a broken manifest."""
    repo = tmp_path / "user"
    (repo / "manifests").mkdir(parents=True)
    shutil.copy(MANIFESTS / "emea.yaml", repo / "manifests" / "good.yaml")
    shutil.copy(MANIFESTS / "emea.yaml", repo / "manifests" / "bad.yaml")
    return repo


@pytest.mark.slow
def test_validate_hook_pass_and_fail(
    hook_repo: Path, user_repo: Path, tmp_path: Path
) -> None:
    line = break_manifest(user_repo / "manifests" / "bad.yaml")
    commit_all(user_repo)
    home = tmp_path / "pre-commit-home"
    passed = pre_commit(
        "try-repo", str(hook_repo), "qlik-drift-validate",
        "--files", "manifests/good.yaml", cwd=user_repo, home=home,
    )
    failed = pre_commit(
        "try-repo", str(hook_repo), "qlik-drift-validate",
        "--files", "manifests/bad.yaml", cwd=user_repo, home=home,
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "qlik-drift validate" in passed.stdout
    assert "Passed" in passed.stdout
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout
    assert f"manifests/bad.yaml:{line}:" in failed.stdout
    assert "regoinCode" in failed.stdout


@pytest.fixture
def examples_copy(tmp_path: Path) -> Path:
    """A git repository with the project's own hook config and example manifests."""
    repo = tmp_path / "project"
    shutil.copytree(MANIFESTS, repo / "examples" / "manifests")
    shutil.copy(ROOT / ".pre-commit-config.yaml", repo / ".pre-commit-config.yaml")
    return repo


def test_own_hooks_pass_on_examples(examples_copy: Path, tmp_path: Path) -> None:
    commit_all(examples_copy)
    result = pre_commit("run", "--all-files", cwd=examples_copy, home=tmp_path / "home")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "qlik-drift validate examples/manifests" in result.stdout
    assert "Passed" in result.stdout


def test_own_hooks_catch_broken_example(examples_copy: Path, tmp_path: Path) -> None:
    line = break_manifest(examples_copy / "examples" / "manifests" / "emea.yaml")
    commit_all(examples_copy)
    result = pre_commit("run", "--all-files", cwd=examples_copy, home=tmp_path / "home")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"examples/manifests/emea.yaml:{line}:" in result.stdout
