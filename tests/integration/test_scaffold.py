"""``tinhso new service`` writes a service that passes the platform's checks and its own tests.

The scaffold runs in a copy of the repository (its tracked and new files), so nothing it
writes or edits touches this tree; every tool then runs in that copy with ``PYTHONPATH`` on
it, because the virtualenv's editable install points at this tree, not the copy. The
scaffold's tests start their own embedded PostgreSQL and broker through ``tests/conftest.py``,
as the suite's do.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NAME = "demo"

pytestmark = pytest.mark.slow


def _tracked_files() -> list[str]:
    git = shutil.which("git")
    assert git is not None, "the copy is made from git's list of files"
    listed = subprocess.run(
        [git, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("scaffold") / "repo"
    for name in _tracked_files():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _run(copy: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``python -m …`` in the copy, with no ``TINHSO_*`` setting of this run leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TINHSO_")} | {"PYTHONPATH": str(copy)}
    return subprocess.run(
        [sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"{result.args}\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def scaffolded(copy: Path) -> Path:
    out = _ok(_run(copy, "-m", "services.cli.main", "new", "service", NAME))
    assert f"wrote  services/{NAME}/app.py" in out
    assert "edited contracts/services.py" in out
    return copy


def test_the_scaffolded_service_passes_lint_types_and_import_contracts(scaffolded: Path) -> None:
    _ok(_run(scaffolded, "-m", "ruff", "check", "."))
    _ok(_run(scaffolded, "-m", "ruff", "format", "--check", "."))
    typed = [f"services/{NAME}", f"contracts/{NAME}_events.py", f"tests/unit/{NAME}", f"tests/integration/{NAME}"]
    _ok(_run(scaffolded, "-m", "mypy", *typed))
    lint_imports = Path(sys.executable).parent / "lint-imports"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TINHSO_")} | {"PYTHONPATH": str(scaffolded)}
    contracts = subprocess.run(
        [str(lint_imports)], cwd=scaffolded, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert "0 broken" in _ok(contracts)
    assert f"services.{NAME}" in (scaffolded / "pyproject.toml").read_text()


def test_the_scaffolded_contracts_generate_and_stay_compatible(scaffolded: Path) -> None:
    _ok(_run(scaffolded, "-m", "contracts.generate"))
    assert (scaffolded / "contracts" / "schemas" / f"{NAME}.item_recorded.v1.json").exists()
    _ok(_run(scaffolded, "-m", "contracts.generate", "--check"))
    _ok(_run(scaffolded, "-m", "contracts.compat"))


def test_the_scaffolded_service_passes_its_own_tests_and_the_catalogue_checks(scaffolded: Path) -> None:
    _ok(_run(scaffolded, "-m", "contracts.generate"))
    own = [f"tests/unit/{NAME}", f"tests/integration/{NAME}"]
    # What restates the catalogue (settings, README, docs, infra/) and what every service must
    # have (migrations, declared reads, event keys, generated contracts), now with the new one.
    platform = [
        "tests/unit/test_service_catalogue.py",
        "tests/unit/test_infra_manifests.py",
        "tests/unit/test_migration_files.py",
        "tests/unit/test_consumer_reads.py",
        "tests/unit/test_contracts_generated.py",
        "tests/unit/test_contracts_compat.py",
        "tests/unit/test_event_signing.py",
        "tests/unit/test_settings.py",
        "tests/unit/test_sql_in_adapters.py",
        "tests/unit/test_text_hygiene.py",
    ]
    out = _ok(_run(scaffolded, "-m", "pytest", *own, *platform, "-q", "-p", "no:randomly", "-p", "no:cacheprovider"))
    counted = re.search(r"(\d+) passed", out)
    assert counted is not None, out
    assert int(counted[1]) > 3, out  # the platform's checks ran, not only the scaffold's three
    assert " failed" not in out


def test_the_scaffolded_service_is_in_the_catalogue_and_the_up_banner(scaffolded: Path) -> None:
    probe = (
        "from libs.common.settings import load_settings\n"
        "from services.cli.catalogue import EVENT_SOURCED, all_migrations\n"
        "from services.cli.up import print_banner\n"
        f"assert {NAME!r} in EVENT_SOURCED\n"
        f"assert any(m.service == {NAME!r} for m in all_migrations())\n"
        "print_banner(load_settings({}))\n"
    )
    banner = _ok(_run(scaffolded, "-c", probe))
    assert f"  {NAME:<20} http://127.0.0.1:8004/docs" in banner
    assert f"  {NAME + ' backbone':<20} http://127.0.0.1:8104/admin/relay" in banner
