#!/usr/bin/env python3
"""Generate a synthetic data folder laid out like the offline mirror, for N areas.

Used by ``scripts/bench.py`` to measure how the data layer and the computations grow with the
number of areas. The folder has the same API format as ``../shared/data/leipzig/mirror``:

- ``INDEX.csv`` (file, kategorie_nr, rubrik_nr, title, origin, gebiete, values);
- ``kdvalues/kdvalues_kK_rR_y.csv`` in the *recorded* layout: ``"Gebiet","Sachmerkmal","2000",...``,
  area and feature unquoted, every value quoted, decimal commas (rates with 15 decimals), sub-items
  with leading spaces, one block per feature: the N Ortsteile in code order, the 10 Stadtbezirke,
  then ``Stadt Leipzig``; CRLF line endings in some files, LF in others;
- ``geo/ortsteile.geojson``: N square polygons (EPSG:4326) with properties ``OT`` ("000".."999",
  the first digit is the Stadtbezirk) and ``Name``; ``geo/stadtbezirke.geojson``: 10 squares with
  ``SBZ`` ("0".."9") and ``Name``.

Only four datasets are generated (Einwohner, Arbeitslose, SGB II, Straftaten): enough for the
indicators of the early-warning system (index and rules). Values are random but plausible and
internally consistent (Stadtbezirk and city rows of counts are the sums of their Ortsteile, so
the completeness and sum checks of the loader pass). ``reduced_config`` writes matching reduced
``datasets.yml``, ``indicators.yml`` and ``fruehwarnsystem.yml`` taken from the project's own files.

    python scripts/make_scale_mirror.py OUT_DIR --areas 1000 [--seed 1] [--config-dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import random
from pathlib import Path

CITY = "Stadt Leipzig"
N_SBZ = 10
MAX_AREAS = 1000  # codes "000".."999"

# key -> (kategorie, rubrik, title, first year, last year, line ending)
DATASETS = {
    "einwohner": (2, 1, "Einwohner (Jahreszahlen, kleinräumig)", 2000, 2023, "\r\n"),
    "arbeitslose": (7, 3, "Arbeitslose (Jahreszahlen, kleinräumig)", 2000, 2022, "\n"),
    "sgb2": (4, 4, "Grundsicherung für Arbeitssuchende (SGB II) (Jahreszahlen, kleinräumig)", 2008, 2022, "\r\n"),
    "straftaten": (12, 1, "Straftaten (Jahreszahlen, kleinräumig)", 2004, 2022, "\n"),
}
# indicators of data/indicators.yml that the generated datasets support
INDICATORS = [
    "einwohner",
    "auslaenderanteil",
    "arbeitslose",
    "arbeitslosenanteil",
    "langzeitarbeitslosenanteil",
    "jugendarbeitslosenanteil",
    "sgb2_dichte",
    "sgb2_alleinerziehende",
    "straftaten_je_1000",
]


def area_codes(n: int) -> list[str]:
    """N Ortsteil codes spread over 10 Stadtbezirke: area k -> Stadtbezirk k % 10, number k // 10."""
    if not N_SBZ <= n <= MAX_AREAS:
        raise ValueError(f"{N_SBZ} to {MAX_AREAS} areas (three-digit codes, every Stadtbezirk needs one), not {n}")
    return sorted(f"{k % N_SBZ}{k // N_SBZ:02d}" for k in range(n))


def _square(x: float, y: float, size: float) -> dict:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [[[round(a, 6), round(b, 6)] for a, b in ring]]}


def _geojson(features: list[dict]) -> str:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
            "features": features,
        },
        ensure_ascii=False,
    )


def write_geometry(out: Path, codes: list[str]) -> None:
    """Ortsteile as squares in a grid per Stadtbezirk; Stadtbezirke as squares around their grids."""
    geo = out / "geo"
    geo.mkdir(parents=True, exist_ok=True)
    per_sbz = max(1, math.ceil(len(codes) / N_SBZ))
    side = math.ceil(math.sqrt(per_sbz))
    cell = 0.02 / side  # each Stadtbezirk is 0.02 degrees wide
    ot_features, sbz_features = [], []
    for s in range(N_SBZ):
        x0, y0 = 12.25 + 0.021 * (s % 5), 51.28 + 0.021 * (s // 5)
        sbz_features.append(
            {
                "type": "Feature",
                "properties": {"SBZ": str(s), "Name": f"Stadtbezirk {s}"},
                "geometry": _square(x0, y0, 0.02),
            }
        )
        mine = [c for c in codes if c[0] == str(s)]
        for i, code in enumerate(mine):
            ot_features.append(
                {
                    "type": "Feature",
                    "properties": {"OT": code, "Name": f"Ortsteil {code}"},
                    "geometry": _square(x0 + cell * (i % side), y0 + cell * (i // side), cell),
                }
            )
    (geo / "ortsteile.geojson").write_text(_geojson(ot_features), encoding="utf-8")
    (geo / "stadtbezirke.geojson").write_text(_geojson(sbz_features), encoding="utf-8")


def _number(value: float, decimals: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if decimals == 0:
        return str(int(round(value)))
    return f"{value:.{decimals}f}".replace(".", ",")


class Area:
    """Plausible random base quantities of one Ortsteil for the report year, with a yearly trend."""

    def __init__(self, rng: random.Random):
        self.population = max(60.0, rng.lognormvariate(math.log(9000), 0.8))
        self.growth = rng.uniform(-0.01, 0.025)
        self.foreign = rng.uniform(0.02, 0.25)
        self.unemployment = rng.uniform(0.02, 0.14)
        self.unemployment_trend = rng.uniform(-0.05, 0.02)
        self.sgb2 = rng.uniform(0.02, 0.28)
        self.single_parents = rng.uniform(0.08, 0.25)
        self.crime = rng.uniform(0.03, 0.3)

    def counts(self, key: str, year: int, rng: random.Random) -> dict[str, float]:
        population = self.population * (1 + self.growth) ** (year - 2023)
        noise = lambda: rng.uniform(0.95, 1.05)
        if key == "einwohner":
            total = round(population)
            men = round(total * rng.uniform(0.47, 0.52))
            foreign = round(total * self.foreign * noise())
            return {
                "Einwohner insgesamt": total,
                "   Männer": men,
                "   Frauen": total - men,
                "   Deutsche": total - foreign,
                "   Ausländer": foreign,
            }
        if key == "arbeitslose":
            workforce = population * 0.66
            rate = max(0.005, self.unemployment * (1 + self.unemployment_trend) ** (year - 2022) * noise())
            total = round(workforce * rate)
            men = round(total * rng.uniform(0.5, 0.6))
            return {
                "Arbeitslose insgesamt": total,
                "Männer": men,
                "Frauen": total - men,
                "unter 25 Jahre": round(total * rng.uniform(0.05, 0.12)),
                "Langzeitarbeitslose": round(total * rng.uniform(0.25, 0.45)),
                "_workforce": workforce,
            }
        if key == "sgb2":
            persons = round(population * self.sgb2 * noise())
            households = round(persons / rng.uniform(1.6, 2.0))
            return {
                "Bedarfsgemeinschaften": households,
                "mit 1 Person": round(households * 0.5),
                "mit Kindern": round(households * 0.3),
                "Personen in Bedarfsgemeinschaften": persons,
                "Alleinerziehende": round(households * self.single_parents * noise()),
                "unter 15 Jahre": round(persons * 0.3),
            }
        if key == "straftaten":
            total = round(population * self.crime * noise())
            return {"Straftaten insgesamt": total, "Diebstahl": round(total * 0.4)}
        raise KeyError(key)


def write_mirror(out: Path, n_areas: int, seed: int = 1) -> dict:
    """Write the folder; returns a summary (areas, files, bytes, value cells)."""
    out = Path(out)
    (out / "kdvalues").mkdir(parents=True, exist_ok=True)
    codes = area_codes(n_areas)
    write_geometry(out, codes)
    rng = random.Random(seed)
    areas = {code: Area(rng) for code in codes}
    index_rows, total_bytes, cells = [], 0, 0
    for key, (kategorie, rubrik, title, first, last, newline) in DATASETS.items():
        years = list(range(first, last + 1))
        # values[feature][area name][year]
        values: dict[str, dict[str, dict[int, float]]] = {}
        workforce: dict[str, dict[int, float]] = {}
        for year in years:
            sums: dict[str, dict[str, float]] = {}
            for code in codes:
                numbers = areas[code].counts(key, year, rng)
                work = numbers.pop("_workforce", None)
                name = f"Ortsteil {code}"
                for feature, value in numbers.items():
                    values.setdefault(feature, {}).setdefault(name, {})[year] = value
                    for total in (f"Stadtbezirk {code[0]}", CITY):
                        sums.setdefault(feature, {}).setdefault(total, 0.0)
                        sums[feature][total] += value
                if work is not None:
                    workforce.setdefault(name, {})[year] = work
                    for total in (f"Stadtbezirk {code[0]}", CITY):
                        workforce.setdefault(total, {}).setdefault(year, 0.0)
                        workforce[total][year] += work
            for feature, by_area in sums.items():
                for name, value in by_area.items():
                    values[feature].setdefault(name, {})[year] = value
        if key == "arbeitslose":  # a published share, as the real file has it
            share = {
                name: {y: values["Arbeitslose insgesamt"][name][y] / workforce[name][y] * 100 for y in years}
                for name in workforce
            }
            values["Anteil an den Erwerbsfähigen"] = share
        order = [f"Ortsteil {c}" for c in codes] + [f"Stadtbezirk {s}" for s in range(N_SBZ)] + [CITY]
        buffer = io.StringIO()
        buffer.write(",".join(f'"{h}"' for h in ["Gebiet", "Sachmerkmal"] + [str(y) for y in years]) + newline)
        for feature, by_area in values.items():
            decimals = 15 if feature.startswith("Anteil") else 0
            for name in order:
                row = [_number(by_area[name].get(y, math.nan), decimals) for y in years]
                cells += len(row)
                buffer.write(f"{name},{feature}," + ",".join(f'"{v}"' for v in row) + newline)
        path = out / "kdvalues" / f"kdvalues_k{kategorie}_r{rubrik}_y.csv"
        data = buffer.getvalue().encode("utf-8")
        path.write_bytes(data)
        total_bytes += len(data)
        index_rows.append(
            [
                f"kdvalues/{path.name}",
                kategorie,
                rubrik,
                title,
                f"GENERATED by scripts/make_scale_mirror.py (seed {seed})",
                f"{n_areas} Ortsteile + {N_SBZ} Stadtbezirke + {CITY}",
                "synthetic",
            ]
        )
    with open(out / "INDEX.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["file", "kategorie_nr", "rubrik_nr", "title", "origin", "gebiete", "values"])
        writer.writerows(index_rows)
    (out / "README.md").write_text(
        f"Synthetic mirror with {n_areas} Ortsteile (generated by scripts/make_scale_mirror.py, seed {seed}); "
        "random values, for benchmarks only.\n",
        encoding="utf-8",
    )
    return {"areas": n_areas, "files": len(index_rows), "bytes": total_bytes, "cells": cells}


def reduced_config(project_data: Path, out: Path) -> dict[str, Path]:
    """Reduced datasets.yml, indicators.yml and fruehwarnsystem.yml for the generated datasets."""
    import yaml

    out.mkdir(parents=True, exist_ok=True)
    datasets = yaml.safe_load((project_data / "datasets.yml").read_text(encoding="utf-8"))
    datasets["datasets"] = {k: v for k, v in datasets["datasets"].items() if k in DATASETS}
    missing = set(DATASETS) - set(datasets["datasets"])
    if missing:
        raise SystemExit(f"{project_data / 'datasets.yml'} lacks the dataset(s) {sorted(missing)}")
    indicators = yaml.safe_load((project_data / "indicators.yml").read_text(encoding="utf-8"))
    indicators["indicators"] = [i for i in indicators["indicators"] if i["id"] in INDICATORS]
    kept = {i["id"] for i in indicators["indicators"]}
    warning = yaml.safe_load((project_data / "fruehwarnsystem.yml").read_text(encoding="utf-8"))
    warning["rules"] = [r for r in warning.get("rules") or [] if r["indicator"] in kept]
    warning["statistics"] = {k: v for k, v in (warning.get("statistics") or {}).items() if k in kept}
    index_ids = [(e if isinstance(e, str) else e["id"]) for e in warning["index"]["indicators"]]
    if not set(index_ids) <= kept:
        raise SystemExit(
            f"the early-warning index needs {sorted(set(index_ids) - kept)}, which the generated "
            "mirror does not provide; extend DATASETS/INDICATORS in scripts/make_scale_mirror.py"
        )
    paths = {}
    for name, content in (("datasets.yml", datasets), ("indicators.yml", indicators), ("fruehwarnsystem.yml", warning)):
        paths[name] = out / name
        paths[name].write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--areas", type=int, default=63)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--config-dir", type=Path, help="also write reduced YAML configuration here")
    parser.add_argument("--project-data", type=Path, default=Path(__file__).resolve().parents[1] / "data")
    args = parser.parse_args()
    print(json.dumps(write_mirror(args.out, args.areas, args.seed)))
    if args.config_dir:
        print({k: str(v) for k, v in reduced_config(args.project_data, args.config_dir).items()})


if __name__ == "__main__":
    main()
