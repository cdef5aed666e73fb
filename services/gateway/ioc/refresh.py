"""``python -m services.gateway.ioc.refresh`` (``make explorers``): vendor the console's browser
libraries from the npm registry into ``static/vendor/``.

Like the explorers' assets (``libs.common.http.explorers.refresh``): the packages pinned by
``package-lock.json`` here are installed with ``npm ci --ignore-scripts`` in a temporary folder,
the few files the page loads are copied, without their source-map comments (the maps are not
vendored, and a browser's developer tools would ask for them), and ``static/vendor/LICENSES.md``
gets each package's version, licence and licence text. To move a version: edit
``package.json``, run ``npm install --package-lock-only`` here, then this.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from libs.common.http.explorers.refresh import _licence, _package_dir

HERE = Path(__file__).resolve().parent
VENDOR = HERE / "static" / "vendor"

FILES = {
    "leaflet.js": ("leaflet", "dist/leaflet.js"),
    "leaflet.css": ("leaflet", "dist/leaflet.css"),
    "chart.umd.min.js": ("chart.js", "dist/chart.umd.min.js"),
}
"""Served file -> (npm package, path inside it)."""

BUNDLED = {"chart.js": ["@kurkle/color"]}
"""Packages whose bundle includes another package's code: that one's licence goes along."""

SOURCE_MAP = re.compile(r"\n?//# sourceMappingURL=\S+\s*$|\n?/\*# sourceMappingURL=\S+ \*/\s*$")


def _install(into: Path) -> Path:
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(HERE / name, into / name)
    subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=into, check=True)  # noqa: S607
    return into / "node_modules"


def vendor(modules: Path) -> None:
    VENDOR.mkdir(exist_ok=True)
    for served, (package, inside) in FILES.items():
        text = (_package_dir(modules, package) / inside).read_text(encoding="utf-8")
        (VENDOR / served).write_text(SOURCE_MAP.sub("\n", text), encoding="utf-8")
    packages = sorted({package for package, _ in FILES.values()})
    packages += sorted({extra for package in packages for extra in BUNDLED.get(package, [])})
    heading = (
        "# Licences of the console's vendored libraries\n\n"
        "Taken from the npm registry by `python -m services.gateway.ioc.refresh`, pinned by "
        "`services/gateway/ioc/package-lock.json`.\n\n"
    )
    (VENDOR / "LICENSES.md").write_text(heading + "\n".join(_licence(modules, p) for p in packages), encoding="utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--node-modules", type=Path, help="copy from this installed tree instead of running npm ci")
    args = parser.parse_args(argv)
    if args.node_modules is not None:
        vendor(args.node_modules.resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="tinhso-ioc-") as tmp:
            vendor(_install(Path(tmp)))
    print(f"vendored {len(FILES)} files into {VENDOR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
