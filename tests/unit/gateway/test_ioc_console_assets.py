"""The console's static files: two dictionaries with the same keys covering every string the
page asks for (the contracts' enumerations included), nothing loaded from outside the gateway,
and a province map that matches the reference data it is built from."""

from __future__ import annotations

import json
import re
import typing

from contracts.broadcast_events import AlertCategory, AlertPriority, DownCause
from services.gateway.graphql.scalars import OperationalStatus, SignalStatus
from services.gateway.ioc import STATIC_DIR, geography
from services.metrics.seed.indicators import DTI

JS = STATIC_DIR / "js"
OWN_FILES = [STATIC_DIR / "index.html", STATIC_DIR / "ioc.css", *sorted(JS.glob("*.js"))]


def dictionary(language: str) -> set[str]:
    source = (JS / "i18n.js").read_text(encoding="utf-8")
    block = re.search(rf"\n  {language}: \{{\n(.*?)\n  \}},", source, re.DOTALL)
    assert block is not None, f"no {language} dictionary in i18n.js"
    return set(re.findall(r'^\s+"([\w.]+)":', block.group(1), re.MULTILINE))


def asked_for() -> set[str]:
    """Every fixed key the page asks for: data-i18n attributes and t("...") calls."""
    keys = set(re.findall(r'data-i18n="([\w.]+)"', (STATIC_DIR / "index.html").read_text(encoding="utf-8")))
    for path in JS.glob("*.js"):
        keys |= set(re.findall(r'\bt\("([\w.]+)"', path.read_text(encoding="utf-8")))
    return keys


def test_the_vietnamese_and_english_dictionaries_have_the_same_keys() -> None:
    vietnamese, english = dictionary("vi"), dictionary("en")
    assert vietnamese
    assert vietnamese == english


def test_every_string_the_page_asks_for_is_in_the_dictionaries() -> None:
    missing = asked_for() - dictionary("vi")
    assert not missing


def test_every_signal_status_priority_and_category_of_the_contracts_has_words() -> None:
    keys = dictionary("vi")
    wanted = {f"signal.{s.value}" for s in SignalStatus} | {f"signal.{c}" for c in typing.get_args(DownCause)}
    wanted |= {f"status.{s.value}" for s in OperationalStatus}
    wanted |= {f"priority.{p}" for p in typing.get_args(AlertPriority)}
    wanted |= {f"category.{c}" for c in typing.get_args(AlertCategory)}
    assert wanted - keys == set()


def test_the_console_loads_nothing_from_outside_the_gateway() -> None:
    for path in OWN_FILES:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://|//[\w.-]+\.(com|net|org|io)/", text), f"{path.name} names an outside URL"


def test_every_file_the_page_loads_is_served_from_the_console_folder() -> None:
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    loaded = re.findall(r'(?:src|href)="(/ioc/[^"]+)"', html)
    assert len(loaded) >= 5
    for url in loaded:
        assert (STATIC_DIR / url.removeprefix("/ioc/")).is_file(), url
    for path in JS.glob("*.js"):
        for module in re.findall(r'from "\./([\w.]+)"', path.read_text(encoding="utf-8")):
            assert (JS / module).is_file(), f"{path.name} imports {module}"


def test_the_vendored_libraries_are_the_locked_versions() -> None:
    locked = json.loads((STATIC_DIR.parent / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    licences = (STATIC_DIR / "vendor" / "LICENSES.md").read_text(encoding="utf-8")
    for package in ("leaflet", "chart.js", "@kurkle/color"):
        assert f"## {package} {locked[f'node_modules/{package}']['version']} " in licences


def test_the_province_map_is_the_one_the_reference_data_gives() -> None:
    assert (STATIC_DIR / "province.json").read_text(encoding="utf-8") == geography.rendered()


def test_every_commune_sits_inside_its_districts_box() -> None:
    province = geography.province_map()
    boxes = {d["code"]: d["bounds"] for d in province["districts"]}
    assert len(boxes) == 8
    assert len(province["communes"]) == 108
    for commune in province["communes"]:
        (south, west), (north, east) = boxes[commune["district"]]
        lat, lon = commune["at"]
        assert south < lat < north
        assert west < lon < east
    assert len({tuple(c["at"]) for c in province["communes"]}) == 108


def test_the_rankings_breakdown_names_the_dti_components_of_the_metrics_catalogue() -> None:
    source = (JS / "trends.js").read_text(encoding="utf-8")
    listed = re.search(r"RANKING_PARTS = \[(.*?)\];", source, re.DOTALL)
    assert listed is not None
    parts = re.findall(r'"([\w.]+)"', listed.group(1))
    assert parts == [component.code for component in DTI.components]
    assert re.search(rf'RANKING_INDEX = "{re.escape(DTI.code)}"', source)
    assert {f"part.{code}" for code in parts} <= dictionary("vi")


def test_the_sign_in_button_waits_for_the_script_that_keeps_the_key_out_of_the_url() -> None:
    """Failed before the fix: the sign-in form worked before ``main.js`` had attached its
    handler, so a quick operator (and the browser test, under load) sent the form as a plain
    GET: ``/ioc?api-key=tsk_…`` in the access log and the history, and no console."""
    page = (STATIC_DIR / "index.html").read_text("utf-8")
    form = page.split('<form id="sign-in-form">', 1)[1].split("</form>", 1)[0]
    assert re.search(r'<button type="submit"[^>]*\bdisabled\b', form), "the button must start disabled"
    script = (STATIC_DIR / "js" / "main.js").read_text("utf-8")
    handler, enable = script.index('$("sign-in-form").onsubmit'), script.index("disabled = false")
    assert handler < enable, "enable the button only once the handler is attached"
