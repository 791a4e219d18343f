"""Check a published edition against its recorded inputs: ``python -m sozialbericht verify --year 2023``.

Reads the edition's manifest and indicator table from the published site, fetches the
inputs again from the configured source, reports every input whose SHA-256 differs from
the manifest, recomputes every indicator and compares it with the published number. Then it
checks what readers see (build/verify_pages.py): the key-figure tables of the chapter pages,
the data of every chart, and that the PDF and the website come from one build of these inputs.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sozialbericht.build.downloads import indicator_table
from sozialbericht.build.verify_pages import check_pages, check_release
from sozialbericht.data.inputs import load_inputs_for
from sozialbericht.errors import SozialberichtError
from sozialbericht.settings import Settings

KEYS = ["indicator", "area_code", "year"]


@dataclass
class Report:
    year: int
    changed_inputs: list[str] = field(default_factory=list)
    missing_inputs: list[str] = field(default_factory=list)
    compared: int = 0
    mismatches: pd.DataFrame = field(default_factory=pd.DataFrame)
    pages_compared: int = 0  # cells of key-figure tables and numbers of chart data
    page_differences: list[str] = field(default_factory=list)
    release_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            not self.changed_inputs
            and not self.missing_inputs
            and self.mismatches.empty
            and self.compared > 0
            and self.pages_compared > 0
            and not self.page_differences
            and not self.release_problems
        )

    def text(self) -> str:
        lines = [f"Edition {self.year}: {self.compared} published numbers compared."]
        for name in self.changed_inputs:
            lines.append(f"  input changed since the edition was built (SHA-256 differs): {name}")
        for name in self.missing_inputs:
            lines.append(f"  input recorded in the manifest but not read now: {name}")
        if self.mismatches.empty:
            lines.append("  every number matches its recomputation." if self.compared else "  nothing to compare.")
        else:
            lines.append(f"  {len(self.mismatches)} numbers differ, e.g.:")
            for row in self.mismatches.head(10).itertuples():
                lines.append(
                    f"    {row.indicator} {row.area_name} {row.year}: published {row.value_published}, "
                    f"recomputed {row.value_now}"
                )
        lines.append(
            f"Pages: {self.pages_compared} numbers of key-figure tables, Ortsteil profiles and chart data compared."
        )
        if self.page_differences:
            lines.append(f"  {len(self.page_differences)} differ from their recomputation, e.g.:")
            lines += [f"    {text}" for text in self.page_differences[:10]]
        elif self.pages_compared:
            lines.append("  every number on the pages matches its recomputation.")
        lines.append("Website and PDF: " + ("one build of these inputs." if not self.release_problems else ""))
        lines += [f"  {text}" for text in self.release_problems]
        lines.append("RESULT: " + ("verified" if self.ok else "NOT verified"))
        return "\n".join(lines)


def _same(a: float, b: float) -> bool:
    if (a is None or (isinstance(a, float) and math.isnan(a))) and (
        b is None or (isinstance(b, float) and math.isnan(b))
    ):
        return True
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    except (TypeError, ValueError):
        return False


def verify(year: int, settings: Settings, site: Path | None = None) -> Report:
    """Compare edition ``year`` as published (under the settings' build folder, or ``site``)
    with its recomputation from the data source the settings name."""
    site = site or settings.build_dir / "html" / str(year)
    downloads = site / "downloads"
    manifest_path = downloads / "manifest.json"
    table_path = downloads / f"indikatoren-{year}.csv"
    if not manifest_path.is_file() or not table_path.is_file():
        raise SozialberichtError(
            f"No published edition {year} at {downloads.parent}: build it first (make report YEAR={year})."
        )
    recorded = {m["name"]: m["sha256"] for m in json.loads(manifest_path.read_text(encoding="utf-8"))}
    published = pd.read_csv(table_path, dtype={"area_code": str})
    inputs = load_inputs_for(settings)
    now = {m["name"]: m["sha256"] for m in inputs.manifest}
    report = Report(year)
    report.changed_inputs = sorted(n for n, sha in recorded.items() if n in now and now[n] != sha)
    report.missing_inputs = sorted(n for n in recorded if n not in now)
    current = indicator_table(inputs, year)
    merged = published.merge(current, on=KEYS, how="outer", suffixes=("_published", "_now"), indicator=True)
    report.compared = int(len(merged))
    differs = [
        not (m == "both" and _same(a, b))
        for m, a, b in zip(merged["_merge"], merged["value_published"], merged["value_now"])
    ]
    mismatches = merged[differs]
    mismatches = mismatches.assign(area_name=mismatches["area_name_published"].fillna(mismatches["area_name_now"]))
    report.mismatches = mismatches[["indicator", "area_code", "area_name", "year", "value_published", "value_now"]]
    from sozialbericht.build.pipeline import build_key

    pages = check_pages(site, inputs, year)
    report.pages_compared, report.page_differences = pages.compared, pages.differences
    report.release_problems = check_release(site, inputs.content_digest(), build_key(inputs.content_digest(), year))
    return report
