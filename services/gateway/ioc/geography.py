"""``python -m services.gateway.ioc.geography``: the province's map for the console
(``static/province.json``), built from the reference data in ``data/``.

``data/`` holds byte-for-byte copies of the project's shared reference files (see
``data/README.md`` for their source): the official list of Bắc Kạn's units and each district's
centroid and bounding box. The list gives communes no position, so each commune gets a fixed
place on a grid over the inner part of its district's box, in code order: good enough to
find a commune's station on a map of the province, not a survey. ``--check`` exits 1 when
the checked-in file differs from what the data gives (CI runs it as a test).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
TARGET = HERE / "static" / "province.json"
UNITS = DATA / "backan_units_2025-03-01.csv"
DISTRICTS = DATA / "backan_districts_geo.csv"

INNER = 0.15
"""The margin of a district's box left free on each side, so communes sit inside its land."""


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _grid(count: int, box: dict[str, float]) -> list[tuple[float, float]]:
    """``count`` points (latitude, longitude) on a grid over the inner part of ``box``, row by
    row from the north-west corner."""
    columns = max(1, math.ceil(math.sqrt(count)))
    rows = max(1, math.ceil(count / columns))
    span_lat, span_lon = box["max_lat"] - box["min_lat"], box["max_lon"] - box["min_lon"]
    points = []
    for index in range(count):
        row, column = divmod(index, columns)
        u = INNER + (1 - 2 * INNER) * ((column + 0.5) / columns)
        v = INNER + (1 - 2 * INNER) * ((row + 0.5) / rows)
        points.append((round(box["max_lat"] - v * span_lat, 5), round(box["min_lon"] + u * span_lon, 5)))
    return points


def province_map() -> dict[str, Any]:
    units = _rows(UNITS)
    boxes = {
        row["district_code"]: {key: float(row[key]) for key in ("min_lon", "min_lat", "max_lon", "max_lat")}
        for row in _rows(DISTRICTS)
    }
    centroids = {
        row["district_code"]: (float(row["centroid_lat"]), float(row["centroid_lon"])) for row in _rows(DISTRICTS)
    }
    province = next(row for row in units if row["level"] == "province")
    districts = [row for row in units if row["level"] == "district"]
    communes: list[dict[str, Any]] = []
    for district in districts:
        own = sorted((row for row in units if row["parent_code"] == district["code"]), key=lambda row: row["code"])
        for row, (lat, lon) in zip(own, _grid(len(own), boxes[district["code"]]), strict=True):
            communes.append({"code": row["code"], "name": row["name"], "district": district["code"], "at": [lat, lon]})
    return {
        "source": "backan_units_2025-03-01.csv and backan_districts_geo.csv (services/gateway/ioc/data/README.md); "
        "commune positions are placed on a grid in their district's box, not surveyed",
        "province": {
            "code": province["code"],
            "name": province["name"],
            "bounds": [
                [min(b["min_lat"] for b in boxes.values()), min(b["min_lon"] for b in boxes.values())],
                [max(b["max_lat"] for b in boxes.values()), max(b["max_lon"] for b in boxes.values())],
            ],
        },
        "districts": [
            {
                "code": row["code"],
                "name": row["name"],
                "centroid": list(centroids[row["code"]]),
                "bounds": [
                    [boxes[row["code"]]["min_lat"], boxes[row["code"]]["min_lon"]],
                    [boxes[row["code"]]["max_lat"], boxes[row["code"]]["max_lon"]],
                ],
            }
            for row in districts
        ],
        "communes": communes,
    }


def rendered() -> str:
    return json.dumps(province_map(), ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if static/province.json is not current")
    args = parser.parse_args(argv)
    text = rendered()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is stale: run python -m services.gateway.ioc.geography", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
