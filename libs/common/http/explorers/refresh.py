"""``python -m libs.common.http.explorers.refresh`` (``make explorers``): vendor the explorers'
assets from the npm registry into ``assets/``.

It installs the packages pinned by ``package-lock.json`` (``npm ci --ignore-scripts``, in a
temporary folder: no ``node_modules`` is left in the tree), copies the few browser bundles
the pages load, and writes ``assets/LICENSES.md`` with each package's version, licence and
licence text. ``--node-modules DIR`` copies from a tree already installed from that lock.
To move a version: edit ``package.json``, run ``npm install --package-lock-only`` here, then
this. ``docs.css`` is the platform's own and is left alone.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ASSETS = HERE / "assets"

FILES = {
    "react.production.min.js": ("react", "umd/react.production.min.js"),
    "react-dom.production.min.js": ("react-dom", "umd/react-dom.production.min.js"),
    "graphiql.min.js": ("graphiql", "graphiql.min.js"),
    "graphiql.min.css": ("graphiql", "graphiql.min.css"),
    "plugin-explorer.umd.js": ("@graphiql/plugin-explorer", "dist/index.umd.js"),
    "plugin-explorer.css": ("@graphiql/plugin-explorer", "dist/style.css"),
    "scalar-api-reference.standalone.js": ("@scalar/api-reference", "dist/browser/standalone.js"),
}
"""Served file -> (npm package, path inside it)."""

BUNDLED = {"@graphiql/plugin-explorer": ["graphiql-explorer"]}
"""Packages whose bundle includes another package's code: that one's licence goes along."""


MIT = """MIT License

Copyright (c) {holders}

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE."""


def _install(into: Path) -> Path:
    for name in ("package.json", "package-lock.json"):
        shutil.copy2(HERE / name, into / name)
    subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=into, check=True)  # noqa: S607
    return into / "node_modules"


def _package_dir(modules: Path, package: str) -> Path:
    direct = modules / package
    if direct.is_dir():
        return direct
    nested = sorted(modules.glob(f"**/node_modules/{package}"))
    if not nested:
        raise SystemExit(f"{package} is not in {modules}")
    return nested[0]


def _licence(modules: Path, package: str) -> str:
    root = _package_dir(modules, package)
    meta = json.loads((root / "package.json").read_text(encoding="utf-8"))
    texts = [p for p in sorted(root.iterdir()) if p.name.upper().startswith(("LICENSE", "LICENCE"))]
    if texts:
        text = texts[0].read_text(encoding="utf-8").strip()
    elif meta.get("license") == "MIT":  # declared, without the file: the MIT text, naming its authors
        repository = meta.get("repository", {})
        where = repository.get("url", "") if isinstance(repository, dict) else str(repository)
        text = MIT.format(holders=f"the authors of {package} ({meta.get('author') or where})")
    else:
        raise SystemExit(f"{package} declares {meta.get('license')!r} and ships no licence file: check it by hand")
    return f"## {package} {meta['version']} ({meta.get('license')})\n\n```\n{text}\n```\n"


def vendor(modules: Path) -> None:
    ASSETS.mkdir(exist_ok=True)
    for served, (package, inside) in FILES.items():
        shutil.copy2(_package_dir(modules, package) / inside, ASSETS / served)
    packages = sorted({package for package, _ in FILES.values()})
    packages += sorted({extra for package in packages for extra in BUNDLED.get(package, [])})
    sections = [_licence(modules, package) for package in packages]
    heading = (
        "# Licences of the vendored explorer assets\n\n"
        "Taken from the npm registry by `python -m libs.common.http.explorers.refresh`, pinned by "
        "`libs/common/http/explorers/package-lock.json`.\n\n"
    )
    (ASSETS / "LICENSES.md").write_text(heading + "\n".join(sections), encoding="utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--node-modules", type=Path, help="copy from this installed tree instead of running npm ci")
    args = parser.parse_args(argv)
    if args.node_modules is not None:
        vendor(args.node_modules.resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="tinhso-explorers-") as tmp:
            vendor(_install(Path(tmp)))
    print(f"vendored {len(FILES)} files into {ASSETS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
