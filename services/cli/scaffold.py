"""``tinhso new service NAME``: a new event-sourced service in the platform's shape (ADR 0026;
the catalogue and this scaffold: ADR 0024).

It writes one aggregate, one command, one event, one projection, one query, their tests and
the first migration from the templates in ``services/cli/templates/`` (``string.Template``,
``$$`` a literal ``$``), then declares the service wherever the platform or its checks read
the list of services: the catalogue (``contracts/services.py``), the settings' port and URL
fields, its ``NAME:write`` scope (``libs/common/principal.py``), the import-linter contracts
(``pyproject.toml``), the README's services list and settings table, ``docs/services/`` and
``infra/`` (compose and Kubernetes). Each edit adds
lines after (or before) the existing services' and reorders nothing; an anchor it cannot find
stops it with a ``ScaffoldError`` naming the file. ``tests/integration/test_scaffold.py``
scaffolds a service in a copy of the repository and runs the checks and its tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from string import Template

import click

from contracts.services import CATALOGUE
from libs.common.settings import Settings

# Lowercase letters only: the name is a Python package, a schema, a topic and the first part
# of every event type (``<service>.<what_happened>``, whose service part has no underscore).
NAME_PATTERN = re.compile(r"[a-z]+\Z")
TEMPLATES = resources.files("services.cli") / "templates"

# Where each template goes, relative to the repository root; the paths are templates too.
FILES: dict[str, str] = {
    "events.py.tmpl": "contracts/${name}_events.py",
    "contracts_api.py.tmpl": "contracts/api/${name}.py",
    "service/__init__.py.tmpl": "services/${name}/__init__.py",
    "service/__main__.py.tmpl": "services/${name}/__main__.py",
    "service/app.py.tmpl": "services/${name}/app.py",
    "service/domain/__init__.py.tmpl": "services/${name}/domain/__init__.py",
    "service/domain/items.py.tmpl": "services/${name}/domain/items.py",
    "service/application/__init__.py.tmpl": "services/${name}/application/__init__.py",
    "service/application/commands.py.tmpl": "services/${name}/application/commands.py",
    "service/application/queries.py.tmpl": "services/${name}/application/queries.py",
    "service/adapters/__init__.py.tmpl": "services/${name}/adapters/__init__.py",
    "service/adapters/items.py.tmpl": "services/${name}/adapters/items.py",
    "service/entrypoints/__init__.py.tmpl": "services/${name}/entrypoints/__init__.py",
    "service/entrypoints/projections.py.tmpl": "services/${name}/entrypoints/projections.py",
    "service/entrypoints/items_projection.py.tmpl": "services/${name}/entrypoints/items_projection.py",
    "service/entrypoints/http.py.tmpl": "services/${name}/entrypoints/http.py",
    "service/migrations/__init__.py.tmpl": "services/${name}/migrations/__init__.py",
    "service/migrations/0001_schema.sql.tmpl": "services/${name}/migrations/0001_schema.sql",
    "tests/unit/test_domain.py.tmpl": "tests/unit/${name}/test_${name}_domain.py",
    "tests/integration/test_service.py.tmpl": "tests/integration/${name}/test_${name}_service.py",
    "deploy/k8s.yaml.tmpl": "infra/k8s/base/${name}.yaml",
    "deploy/service_doc.md.tmpl": "docs/services/${name}.md",
}
# Test folders are packages here (``tests/unit/metrics/__init__.py``): same-named test modules
# in two folders would otherwise collide.
PACKAGES = ("tests/unit/${name}/__init__.py", "tests/integration/${name}/__init__.py")


class ScaffoldError(Exception):
    """A name the scaffold refuses, or a file it cannot edit as it expects."""


@dataclass
class Scaffold:
    root: Path
    name: str
    port: int = 0
    written: list[str] = field(default_factory=list)
    edited: list[str] = field(default_factory=list)

    @property
    def values(self) -> dict[str, str]:
        camel = "".join(part.capitalize() for part in self.name.split("_"))
        return {
            "name": self.name,
            "Name": camel,
            "NAME": self.name.upper(),
            "port": str(self.port),
            "backbone_port": str(self.port + Settings().backbone_port_offset),
        }


def next_port() -> int:
    """One past the highest default port in the catalogue (the backbone ports sit 100 above)."""
    return max(s.default_port for s in CATALOGUE) + 1


def check_name(root: Path, name: str) -> None:
    if not NAME_PATTERN.match(name):
        raise ScaffoldError(f"{name!r} is not a service name (lowercase letters a-z only)")
    taken = {s.name for s in CATALOGUE}
    if name in taken or (root / "services" / name).exists() or (root / "contracts" / f"{name}_events.py").exists():
        raise ScaffoldError(f"a service named {name!r} exists already")


def new_service(root: Path, name: str) -> Scaffold:
    """Write the service's files and declare it; returns what was written and edited."""
    check_name(root, name)
    scaffold = Scaffold(root, name, next_port())
    values = scaffold.values
    for template, target in FILES.items():
        text = Template((TEMPLATES / template).read_text()).substitute(values)
        _write(scaffold, Template(target).substitute(values), text)
    for package in PACKAGES:
        _write(scaffold, Template(package).substitute(values), "")
    _declare_in_catalogue(scaffold)
    _declare_settings(scaffold)
    _declare_import_contracts(scaffold)
    _declare_scope(scaffold)
    _declare_in_readme(scaffold)
    _declare_in_infra(scaffold)
    return scaffold


def _write(scaffold: Scaffold, relative: str, text: str) -> None:
    path = scaffold.root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    scaffold.written.append(relative)


def _edit(scaffold: Scaffold, relative: str, edit: str, pattern: str, insert: str, *, before: bool = False) -> None:
    """Insert ``insert`` after (or before) the last match of ``pattern``, failing loudly if none."""
    path = scaffold.root / relative
    text = path.read_text()
    matches = list(re.finditer(pattern, text, flags=re.MULTILINE))
    if not matches:
        raise ScaffoldError(f"{relative}: cannot find where to {edit}")
    at = matches[-1].start() if before else matches[-1].end()
    path.write_text(text[:at] + insert + text[at:])
    if relative not in scaffold.edited:
        scaffold.edited.append(relative)


def _declare_in_catalogue(scaffold: Scaffold) -> None:
    name = scaffold.name
    relative = "contracts/services.py"
    path = scaffold.root / relative
    text = path.read_text()
    found = re.search(r"^from contracts import (.*)$", text, flags=re.MULTILINE)
    if found is None:
        raise ScaffoldError(f"{relative}: cannot find where to import the events")
    modules = sorted({*found[1].split(", "), f"{name}_events"})
    path.write_text(text[: found.start()] + f"from contracts import {', '.join(modules)}" + text[found.end() :])
    entry = (
        "    Service(\n"
        f'        name="{name}",\n'
        f"        default_port={scaffold.port},\n"
        "        topic=TopicContract(\n"
        f'            service="{name}",\n'
        f'            description="Items recorded through the {name} service.",\n'
        f"            catalogue={name}_events.CATALOGUE,\n"
        "        ),\n"
        "    ),\n"
    )
    # Before the gateway: it starts last, once what it calls is up.
    _edit(scaffold, relative, "add the catalogue entry", r'^    Service\(name="gateway"', entry, before=True)


def _declare_settings(scaffold: Scaffold) -> None:
    name, relative = scaffold.name, "libs/common/settings.py"
    _edit(
        scaffold, relative, "add the port", r"^    \w+_port: Port = \d+\n", f"    {name}_port: Port = {scaffold.port}\n"
    )
    _edit(
        scaffold, relative, "add the URL", r'^    \w+_url: str = ""\n(?=    (?!\w+_url))', f'    {name}_url: str = ""\n'
    )


def _declare_import_contracts(scaffold: Scaffold) -> None:
    """The service joins the independence, pure-domain and layers contracts of ADR 0001/0026."""
    name, relative = scaffold.name, "pyproject.toml"
    pkg = f"services.{name}"
    _edit(
        scaffold,
        relative,
        "list it as independent",
        r'^    "services\.metrics",\n(?=    "services\.gateway")',
        f'    "{pkg}",\n',
    )
    _edit(scaffold, relative, "keep its domain pure", r'^    "services\.metrics\.domain",\n', f'    "{pkg}.domain",\n')
    outer = "".join(f'    "{pkg}.{layer}",\n' for layer in ("application", "adapters", "entrypoints"))
    _edit(
        scaffold,
        relative,
        "forbid its outer layers",
        r'^    "services\.metrics\.seed",\n(?=\]\n\n\[\[tool\.importlinter\.contracts\]\]\nid = "layers")',
        outer,
    )
    _edit(scaffold, relative, "layer it", r'^containers = \[(.*)"services\.metrics"', f', "{pkg}"')


TO_DO = (
    "docs/services/{name}.md and its README entry: what the service is for",
    "infra/k8s/base/{name}.yaml: the event keys of the topics its projections read",
    "README.md's scope list and docs/services/gateway-security.md's scopes table: `{name}:write`",
    "contracts/: run `make generate`; `python -m contracts.compat --release` when you release it",
)


def _declare_scope(scaffold: Scaffold) -> None:
    """``NAME:write``, a scope partners can be given (the gateway refuses unknown ones)."""
    scope = f'SCOPES |= {{"{scaffold.name}:write"}}  # its commands (tinhso new service)\n'
    _edit(scaffold, "libs/common/principal.py", "add its write scope", r"^SCOPES \|?= .*\n", scope)


def _declare_in_readme(scaffold: Scaffold) -> None:
    """The settings table's port and URL rows and the services list (checked against the catalogue)."""
    name, upper, relative = scaffold.name, scaffold.name.upper(), "README.md"
    port_row = f"| `TINHSO_{upper}_PORT` | `{scaffold.port}` | Port of the {name} service. |\n"
    url_row = f"| `TINHSO_{upper}_URL` | empty | The same for the {name} service. |\n"
    _edit(scaffold, relative, "add the port row", r"^\| `TINHSO_\w+_PORT` \| `\d+` \|.*\n", port_row)
    _edit(scaffold, relative, "add the URL row", r"^\| `TINHSO_\w+_URL` \| empty \| The same for .*\n", url_row)
    entry = (
        f"- **{name}** (:{scaffold.port}, [docs/services/{name}.md](docs/services/{name}.md)): written by\n"
        f"  `tinhso new service {name}`; say what it does.\n"
    )
    _edit(scaffold, relative, "list the service", r"^- \*\*gateway\*\* \(:", entry, before=True)


def _declare_in_infra(scaffold: Scaffold) -> None:
    """Its processes, the gateway's URL and event key, its topic: in compose and Kubernetes."""
    name, upper, url = scaffold.name, scaffold.name.upper(), f"http://{scaffold.name}:{scaffold.port}"
    compose = "infra/docker-compose.yml"
    _edit(
        scaffold,
        compose,
        "give the gateway its URL",
        r"^  TINHSO_\w+_URL: http://.*\n",
        f"  TINHSO_{upper}_URL: {url}\n",
    )
    _edit(scaffold, compose, "create its topic", r"for service in [a-z_ ]+(?=; do)", f" {name}")
    processes = Template((TEMPLATES / "deploy/compose.yml.tmpl").read_text()).substitute(scaffold.values)
    _edit(scaffold, compose, "run its processes", r"^  gateway:\n", processes, before=True)
    healthy = f"      {name}:\n        condition: service_healthy\n"
    _edit(
        scaffold, compose, "start the gateway after it", r"^      \w+:\n        condition: service_healthy\n", healthy
    )
    gateway = "infra/k8s/base/gateway.yaml"
    env = f'            - name: TINHSO_{upper}_URL\n              value: "{url}"\n'
    _edit(
        scaffold,
        gateway,
        "give the gateway its URL",
        r'^            - name: TINHSO_\w+_URL\n              value: ".*"\n',
        env,
    )
    key = f"              - key: {name}.key\n                path: {name}.key\n"
    _edit(
        scaffold,
        gateway,
        "give the gateway its event key",
        r"^              - key: \w+\.key\n                path: \w+\.key\n",
        key,
    )
    _edit(
        scaffold, "infra/k8s/base/topics-job.yaml", "create its topic", r"for service in [a-z_ ]+(?=; do)", f" {name}"
    )
    prometheus = "infra/observability/prometheus.yml"
    api_target = f"          - {name}:{scaffold.port}\n"
    _edit(scaffold, prometheus, "scrape its API", r"^          - [a-z]+:\d+\n", api_target)
    backbone_target = f"          - {name}-backbone:{scaffold.values['backbone_port']}\n"
    _edit(scaffold, prometheus, "scrape its backbone", r"^          - [a-z]+-backbone:\d+\n", backbone_target)
    kustomization = "infra/k8s/base/kustomization.yaml"
    _edit(scaffold, kustomization, "list its manifests", r"^  - gateway\.yaml\n", f"  - {name}.yaml\n", before=True)


@click.group("new")
def new() -> None:
    """Scaffold a new part of the platform."""


@new.command("service")
@click.argument("name")
def new_service_command(name: str) -> None:
    """Write a working event-sourced service NAME and declare it in the catalogue."""
    root = Path.cwd()
    try:
        scaffold = new_service(root, name)
    except ScaffoldError as exc:
        click.echo(f"tinhso new service: {exc}", err=True)
        raise SystemExit(2) from None
    for relative in scaffold.written:
        click.echo(f"wrote  {relative}")
    for relative in scaffold.edited:
        click.echo(f"edited {relative}")
    click.echo(f"\nThe {name} service listens on :{scaffold.port}. Still yours to write (see docs/extending.md):")
    for item in TO_DO:
        click.echo("  - " + item.format(name=name, NAME=name.upper()))
