"""Writes the JSON Schema of an aired result reported to the source-information system (ADR 0054):
the body of each webhook post and each item of the pull endpoint's ``results``.

    python -m contracts.source_link_schema          # rewrite contracts/source_result.schema.json
    python -m contracts.source_link_schema --check  # exit 1 if the file is stale

Generated from :class:`contracts.api.source_link.SourceResult`, so the document partners read
and the Struct the platform encodes cannot drift apart; a unit test runs the check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import msgspec

from contracts.api.source_link import SourceResult, SourceResultPage
from contracts.generate import JSON_SCHEMA_DIALECT, JsonObject, render

PATH = Path(__file__).resolve().parent / "source_result.schema.json"
ID = "https://tinhso.example.vn/contracts/source_result.schema.json"


def document() -> JsonObject:
    (result, _page), components = msgspec.json.schema_components(
        (SourceResult, SourceResultPage), ref_template="#/$defs/{name}"
    )
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": ID,
        "title": "An aired result reported to the source-information system",
        "description": (
            "One step of one bulletin at one commune station: delivered to it, received, aired "
            "(at `at`) or failed (with `reason`). The body of each webhook post, signed in the "
            "X-Tinhso-Signature header (docs/source-link.md); the items of GET "
            "/api/v1/source-bulletins/results, whose page is `$defs/SourceResultPage`."
        ),
        **result,
        "$defs": components,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    text = render(document())
    if args.check:
        if not PATH.is_file() or PATH.read_text(encoding="utf-8") != text:
            print(f"stale: {PATH.name} (run python -m contracts.source_link_schema)", file=sys.stderr)
            return 1
        return 0
    PATH.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
