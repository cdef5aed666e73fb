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
    """``python -m …`` in the copy, with no ``TINHSO_*`` setting of this run leaking in.

    A nested pytest keeps its temporary directories beside the copy: in the shared
    ``/tmp/pytest-of-<user>`` it would make that directory private again while another
    worker's embedded PostgreSQL, running as its own system user, initialises a data
    directory beneath it."""
    temproot = copy.parent / "nested-pytest"
    temproot.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TINHSO_")} | {
        "PYTHONPATH": str(copy),
        "PYTEST_DEBUG_TEMPROOT": str(temproot),
    }
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


# The recipes of docs/extending.md, "An event type" and "A projection", followed on a freshly
# scaffolded service: the files each names, then the checks the doc says to run.
ARCHIVED_EVENT = """

class DemoItemArchived(Event, frozen=True, kw_only=True, tag="demo.item_archived"):
    item_id: str
    reason: str | None = None


CATALOGUE = EventCatalogue("demo", [DemoItemRecorded, DemoItemArchived])
"""

TITLES_ADAPTER = '''"""SQL of the ``demo_titles`` read model: how many items were recorded under each title."""

from __future__ import annotations

from libs.common.db import Conn

SCHEMA = "demo_titles"

TABLES = """
CREATE TABLE IF NOT EXISTS {s}.titles (
    title  text    PRIMARY KEY,
    items  integer NOT NULL
);
"""


async def count_title(conn: Conn, schema: str, title: str) -> None:
    await conn.execute(
        f"""INSERT INTO {schema}.titles AS t (title, items) VALUES ($1, 1)
            ON CONFLICT (title) DO UPDATE SET items = t.items + 1""",
        title,
    )
'''

TITLES_PROJECTION = '''"""The ``demo_titles`` projection: items per title."""

from __future__ import annotations

from collections.abc import Sequence

from contracts import demo_events as e
from libs.common.db import Conn
from libs.common.projections.declared import ReadFields, read_model
from libs.common.projections.projection import Applied
from services.demo.adapters.titles import SCHEMA, TABLES, count_title


async def apply(conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
    for item in batch:
        if isinstance(item.event, e.DemoItemRecorded):
            await count_title(conn, schema, item.event.title)


READS: ReadFields = {e.DemoItemRecorded: ("title",)}

TitlesProjection = read_model(SCHEMA, READS, tables=lambda schema: TABLES.format(s=schema), apply=apply)
'''

TITLES_TEST = '''"""The ``demo_titles`` projection counts what the service records."""

from __future__ import annotations

import asyncio

import asyncpg

from libs.common.eventstore.schema import backbone_migrations
from libs.common.kafka import ensure_topics, service_topics
from libs.common.migrations import apply_migrations, discover
from libs.common.settings import Settings
from services.demo.app import create_app
from tests.support.principals import service_client


async def _count(conn: asyncpg.Connection, title: str) -> int | None:
    if await conn.fetchval("SELECT to_regclass('demo_titles.titles')") is None:
        return None
    found: int | None = await conn.fetchval("SELECT items FROM demo_titles.titles WHERE title = $1", title)
    return found


async def test_titles_are_counted(settings: Settings) -> None:
    conn = await asyncpg.connect(settings.database_url)
    await apply_migrations(conn, [*backbone_migrations("demo"), *discover("demo", "services.demo.migrations")])
    await ensure_topics(settings.kafka_bootstrap, service_topics(settings), settings.kafka_partitions)
    async with service_client(create_app(settings), settings) as client:
        for _ in range(3):
            assert (await client.post("/commands/items/record", json={"title": "same"})).status_code == 201
        async with asyncio.timeout(30):
            while await _count(conn, "same") != 3:  # noqa: ASYNC110 - polling the read model
                await asyncio.sleep(0.05)
    await conn.close()
'''


def _fresh_scaffold(tmp_path: Path) -> Path:
    """A new copy of the repository with a new ``demo`` service, for a recipe to change."""
    copy = tmp_path / "repo"
    for name in _tracked_files():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, copy / name)
    _ok(_run(copy, "-m", "services.cli.main", "new", "service", NAME))
    return copy


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path} no longer has {old!r}: the recipe's test follows the scaffold"
    path.write_text(text.replace(old, new, 1))


def test_the_event_type_and_projection_recipes_work_on_a_scaffolded_service(tmp_path: Path) -> None:
    copy = _fresh_scaffold(tmp_path)
    # An event type: the Struct in contracts/demo_events.py, in the catalogue's list.
    events = copy / "contracts" / f"{NAME}_events.py"
    text = events.read_text()
    declared = 'CATALOGUE = EventCatalogue("demo", [DemoItemRecorded])\n'
    assert declared in text
    events.write_text(text.replace(declared, "") + ARCHIVED_EVENT.lstrip("\n"))
    # A projection: its SQL in adapters/, the class in entrypoints/, listed in PROJECTIONS.
    service = copy / "services" / NAME
    (service / "adapters" / "titles.py").write_text(TITLES_ADAPTER)
    (service / "entrypoints" / "titles_projection.py").write_text(TITLES_PROJECTION)
    listed = service / "entrypoints" / "projections.py"
    listed.write_text(
        listed.read_text()
        .replace(
            "from services.demo.entrypoints.items_projection import ItemsProjection\n",
            "from services.demo.entrypoints.items_projection import ItemsProjection\n"
            "from services.demo.entrypoints.titles_projection import TitlesProjection\n",
        )
        .replace("[ItemsProjection()]", "[ItemsProjection(), TitlesProjection()]")
    )
    (copy / "tests" / "integration" / NAME / "test_titles.py").write_text(TITLES_TEST)
    # The checks the doc names.
    _ok(_run(copy, "-m", "contracts.generate"))
    assert (copy / "contracts" / "schemas" / f"{NAME}.item_archived.v1.json").exists()
    _ok(_run(copy, "-m", "contracts.generate", "--check"))
    _ok(_run(copy, "-m", "contracts.compat"))
    _ok(
        _run(
            copy, "-m", "ruff", "check", f"services/{NAME}", f"contracts/{NAME}_events.py", f"tests/integration/{NAME}"
        )
    )
    tests = [
        f"tests/unit/{NAME}",
        f"tests/integration/{NAME}",
        "tests/unit/test_consumer_reads.py",
        "tests/unit/test_contracts_generated.py",
        "tests/unit/test_service_catalogue.py",
    ]
    out = _ok(_run(copy, "-m", "pytest", *tests, "-q", "-rA", "-p", "no:randomly", "-p", "no:cacheprovider"))
    assert f"PASSED tests/integration/{NAME}/test_titles.py::test_titles_are_counted" in out
    assert " failed" not in out


UPCASTER = """

UPCASTERS = Upcasters()


@UPCASTERS.register("demo.item_recorded", 1)
def upcast_item_recorded_v1_v2(data: Data) -> Data:
    \"\"\"v1 -> v2: items recorded before categories are ``general``.\"\"\"
    return {**data, "category": "general"}


CATALOGUE = EventCatalogue("demo", [DemoItemRecorded], UPCASTERS)
"""

UPCASTER_TEST = '''"""A version 1 ``demo.item_recorded`` reads as version 2, through the catalogue's upcaster."""

from __future__ import annotations

from contracts.demo_events import CATALOGUE, DemoItemRecorded


def test_a_v1_item_reads_with_the_default_category() -> None:
    event = CATALOGUE.decode("demo.item_recorded", 1, b\'{"item_id": "i-1", "title": "old"}\')
    assert event == DemoItemRecorded(item_id="i-1", title="old", category="general")
'''


def test_the_upcasting_recipe_works_on_a_scaffolded_service(tmp_path: Path) -> None:
    """docs/extending.md, "Changing an event type": a released type gains a required field."""
    copy = _fresh_scaffold(tmp_path)
    _ok(_run(copy, "-m", "contracts.generate"))
    _ok(_run(copy, "-m", "contracts.compat", "--release"))
    events = copy / "contracts" / f"{NAME}_events.py"
    # 1. The Struct changes and its SCHEMA_VERSION goes up (its decider fills the new field).
    _edit(
        events,
        "from contracts.base import Event\n",
        "from typing import ClassVar\n\nfrom contracts.base import Event\n",
    )
    _edit(
        events,
        "    item_id: str\n    title: str\n",
        "    SCHEMA_VERSION: ClassVar[int] = 2\n\n    item_id: str\n    title: str\n    category: str\n",
    )
    _edit(copy / "services" / NAME / "domain" / "items.py", "title=title)]", 'title=title, category="general")]')
    _edit(
        copy / "tests" / "unit" / NAME / f"test_{NAME}_domain.py",
        'title="first")',
        'title="first", category="general")',
    )
    _ok(_run(copy, "-m", "contracts.generate"))
    refused = _run(copy, "-m", "contracts.compat")
    assert refused.returncode == 1, "compat accepted a new version that nothing lifts the released one to"
    assert "demo.item_recorded" in refused.stdout + refused.stderr
    # 2. An upcaster from version 1, on an Upcasters() passed to the catalogue.
    _edit(
        events,
        "from contracts.catalogue import EventCatalogue\n",
        "from contracts.catalogue import EventCatalogue\nfrom contracts.upcasting import Data, Upcasters\n",
    )
    _edit(events, f'CATALOGUE = EventCatalogue("{NAME}", [DemoItemRecorded])\n', "")
    events.write_text(events.read_text().rstrip("\n") + "\n" + UPCASTER)
    (copy / "tests" / "unit" / NAME / f"test_{NAME}_upcasting.py").write_text(UPCASTER_TEST)
    # 3. The new schema generated; compat accepts the change because the upcaster lifts v1.
    _ok(_run(copy, "-m", "contracts.generate"))
    assert (copy / "contracts" / "schemas" / f"{NAME}.item_recorded.v2.json").exists()
    _ok(_run(copy, "-m", "contracts.generate", "--check"))
    _ok(_run(copy, "-m", "contracts.compat"))
    _ok(_run(copy, "-m", "ruff", "check", f"contracts/{NAME}_events.py", f"services/{NAME}", f"tests/unit/{NAME}"))
    tests = [f"tests/unit/{NAME}", "tests/unit/test_contracts_generated.py", "tests/unit/test_upcasting.py"]
    out = _ok(_run(copy, "-m", "pytest", *tests, "-q", "-rA", "-p", "no:randomly", "-p", "no:cacheprovider"))
    assert f"PASSED tests/unit/{NAME}/test_{NAME}_upcasting.py::test_a_v1_item_reads_with_the_default_category" in out
    assert " failed" not in out


DEMO_API = '''"""The demo service's internal routes the gateway uses, one function per route."""

from __future__ import annotations

from contracts.api.demo import ItemView
from services.gateway.adapters.internal import ServiceCaller


async def item(caller: ServiceCaller, item_id: str) -> ItemView:
    return await caller.get("demo", f"/items/{item_id}", {}, ItemView)
'''

DEMO_TYPE = '''# mypy: disallow-untyped-decorators=False
"""Items recorded through the demo service."""

from __future__ import annotations

import strawberry

from contracts.api.demo import ItemView
from services.gateway.graphql.contract_types import FromContract, contract_type


@contract_type(
    ItemView, fields=("item_id", "title", "recorded_at"), description="An item recorded through the demo service."
)
class DemoItem(FromContract[ItemView]):
    item_id: strawberry.ID
'''

DEMO_READS = '''"""The demo service's reads through the gateway, one row each (ADR 0044)."""

from __future__ import annotations

from typing import TypeAlias

import strawberry
from litestar.params import FromPath

from contracts.api.demo import ItemView
from services.gateway.adapters import demo_api
from services.gateway.graphql.types_demo import DemoItem
from services.gateway.reads.table import Answer, Arg, Field, Read, ReadTable, Route

ItemId: TypeAlias = FromPath[str]

DEMO_READS = ReadTable(
    "DemoQuery",
    "demo",
    (
        Read(
            "demoItem",
            demo_api.item,
            (Arg("item_id", graphql=strawberry.ID, rest=ItemId, from_graphql=str),),
            Field("demo_item", Answer(DemoItem, lambda view, _: DemoItem.of(view)), "An item of the demo service."),
            Route("/demo/items/{item_id:str}", Answer(ItemView, lambda view, _: view), "An item of the demo service"),
        ),
    ),
)
'''

DEMO_GATEWAY_TEST = '''"""The demo service's item, read by a partner through the gateway: GraphQL and REST."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx
import msgspec

from libs.common.db import create_pool
from libs.common.kafka import ensure_topics, service_topics
from libs.common.migrations import apply_migrations
from libs.common.principal import Principal
from libs.common.settings import Settings
from services.cli.catalogue import all_migrations
from services.demo.app import create_app as demo_app
from services.gateway.app import create_app as gateway_app
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.partners import Partner
from tests.support.http_server import Server, listening_socket
from tests.support.principals import PrincipalAuth

WRITER = Principal(subject="writer", partner="writer", scopes=frozenset({"demo:write"}))
QUERY = "query($id: ID!) { demoItem(itemId: $id) { itemId title } }"


async def test_a_partner_reads_a_demo_item_through_the_gateway(settings: Settings) -> None:
    conn = await asyncpg.connect(settings.database_url)
    await apply_migrations(conn, all_migrations())
    await conn.close()
    await ensure_topics(settings.kafka_bootstrap, service_topics(settings), settings.kafka_partitions)
    demo_socket, gateway_socket = listening_socket(), listening_socket()
    demo_url = f"http://127.0.0.1:{demo_socket.getsockname()[1]}"
    settings = msgspec.structs.replace(settings, demo_url=demo_url, rate_limit_per_minute=0)
    servers = [Server(demo_app(settings), demo_socket), Server(gateway_app(settings), gateway_socket)]
    pool = await create_pool(settings.database_url, service="test", max_size=2)
    answer: dict[str, Any] = {}
    try:
        key = await PartnerStore(pool).create(Partner(name="demo-reader", scopes=frozenset({"read"})))
        for server in servers:
            await server.start()
        async with httpx.AsyncClient(base_url=demo_url, auth=PrincipalAuth(settings, WRITER, "demo")) as demo:
            recorded = await demo.post("/commands/items/record", json={"title": "through the gateway"})
        assert recorded.status_code == 201, recorded.text
        [item_id] = recorded.json()["ids"]
        gateway = f"http://127.0.0.1:{gateway_socket.getsockname()[1]}"
        async with httpx.AsyncClient(base_url=gateway, headers={"authorization": f"Bearer {key}"}) as partner:
            async with asyncio.timeout(30):
                while not (answer.get("data") or {}).get("demoItem"):  # the projection catches up
                    body = {"query": QUERY, "variables": {"id": item_id}}
                    answer = (await partner.post("/graphql", json=body)).json()
                    await asyncio.sleep(0.05)
            rest = await partner.get(f"/api/v1/demo/items/{item_id}")
    finally:
        for server in reversed(servers):
            await server.stop()
        demo_socket.close()
        gateway_socket.close()
        await pool.close()
    assert answer["data"]["demoItem"] == {"itemId": item_id, "title": "through the gateway"}
    assert rest.status_code == 200, rest.text
    assert rest.json()["title"] == "through the gateway"
'''


def test_the_gateway_read_recipe_works_on_a_scaffolded_service(tmp_path: Path) -> None:
    """docs/extending.md, "A read through the gateway": the scaffold's item query, exposed to
    partners in GraphQL and REST by one row of a read table."""
    copy = _fresh_scaffold(tmp_path)
    gateway = copy / "services" / "gateway"
    # 1. A gateway adapter function per internal route, decoding the service's own wire shape.
    (gateway / "adapters" / f"{NAME}_api.py").write_text(DEMO_API)
    # 2. The type in types_*.py; the read, one row of a table (a new area's: its field merged
    # into Query in schema.py, its routes in app.py).
    (gateway / "graphql" / f"types_{NAME}.py").write_text(DEMO_TYPE)
    (gateway / "reads" / f"{NAME}.py").write_text(DEMO_READS)
    imports = "from services.gateway.reads.graphql_fields import query_type\n"
    reads_import = f"from services.gateway.reads.{NAME} import DEMO_READS\n"
    schema, app = gateway / "graphql" / "schema.py", gateway / "app.py"
    _edit(schema, imports, imports + reads_import)
    _edit(schema, "query_type(METRICS_READS),\n", "query_type(METRICS_READS),\nquery_type(DEMO_READS),\n")
    _edit(app, "read_router(REGISTRY_READS),\n", "read_router(REGISTRY_READS),\nread_router(DEMO_READS),\n")
    registry_import = "from services.gateway.reads.registry import REGISTRY_READS\n"
    _edit(app, registry_import, registry_import + reads_import)
    _ok(_run(copy, "-m", "ruff", "check", "--fix", "-q", "services/gateway"))
    _ok(_run(copy, "-m", "ruff", "format", "-q", "services/gateway"))
    # 3. The exported schema has the new field, and compat accepts an added field.
    _ok(_run(copy, "-m", "services.gateway.graphql.export"))
    assert "demoItem(itemId: ID!): DemoItem!" in (copy / "contracts" / "schema.graphql").read_text()
    _ok(_run(copy, "-m", "services.gateway.rest.export"))
    assert '"operationId": "demoItem"' in (copy / "contracts" / "openapi.json").read_text()
    _ok(_run(copy, "-m", "contracts.compat"))
    _ok(_run(copy, "-m", "ruff", "check", "services/gateway"))
    # 4. A test through the gateway.
    (copy / "tests" / "integration" / "gateway" / f"test_{NAME}_items.py").write_text(DEMO_GATEWAY_TEST)
    test = f"tests/integration/gateway/test_{NAME}_items.py"
    out = _ok(_run(copy, "-m", "pytest", test, "tests/unit/gateway/test_api_schema_contract.py", "-q", "-rA",
                   "-p", "no:randomly", "-p", "no:cacheprovider"))  # fmt: skip
    assert f"PASSED {test}::test_a_partner_reads_a_demo_item_through_the_gateway" in out
    assert " failed" not in out
