"""Ortsteil-Steckbriefe: one web page per Ortsteil, all written by one notebook, and the annex's facts.

Each profile is a MyST Markdown page (``steckbriefe/<code>.md``) with every indicator
against the Stadtbezirk and the city, its rank and trend, the early-warning status and
participation proposals, and a small-multiples chart drawn by Vega. Writing 63 files from one
kernel avoids 63 kernel starts. The profiles are not part of the report PDF: the printed annex
(one A4 page per Ortsteil, :mod:`sozialbericht.build.annex`) takes its key figures and sentences
from :meth:`Profiles.key_rows` and :meth:`Profiles.sentences`.
"""

from __future__ import annotations

import html
import math
from functools import cached_property
from pathlib import Path

import altair as alt
import pandas as pd
from IPython.display import Markdown

from sozialbericht import fmt, style
from sozialbericht.analysis.indicators import changes, reference_year
from sozialbericht.data.geography import ORTSTEIL, STADT
from sozialbericht.report import charts, profile_text
from sozialbericht.report.edition import Edition
from sozialbericht.report.policy_pages import escape_markdown
from sozialbericht.report.profile_text import KEY_INDICATORS
from sozialbericht.report.tables import html_table, markdown_table

CHART_INDICATORS = [
    "auslaenderanteil",
    "durchschnittsalter",
    "arbeitslosenanteil",
    "sgb2_dichte",
    "sgb2_alleinerziehende",
    "straftaten_je_1000",
]
ARROWS = {1: "↑", -1: "↓", 0: "→"}
# the annex's chart: two series over the years, Ortsteil against Stadtbezirk and city
ANNEX_CHART_INDICATORS = ["arbeitslosenanteil", "sgb2_dichte"]


def slug(code: str) -> str:
    return f"ot-{code}"


class Profiles(Edition):
    def __init__(
        self, year: int, inputs_file: str | None = None, output_dir: str | Path = "", formats: str = "html,pdf"
    ):
        super().__init__(year, inputs_file, formats)
        self.output_dir = Path(output_dir) if output_dir else None
        self.ortsteile = self.inputs.geography.ortsteile.sort_values("area_code")
        self.sbz_names = self.inputs.geography.stadtbezirke.set_index("area_code")["area_name"]
        self._long = pd.concat(self.values.values(), ignore_index=True)

    @cached_property
    def _by_code(self) -> pd.DataFrame:
        """The Ortsteile indexed by code: each page and chart looks its Ortsteil up several times."""
        return self.ortsteile.set_index("area_code")

    # -- numbers ------------------------------------------------------------------------
    @cached_property
    def five_year_changes(self) -> dict[str, tuple[int, pd.DataFrame]]:
        """Per key indicator, once for all 63 pages: its data year and the Ortsteile's changes over five
        years that are larger than chance makes likely, indexed by area code."""
        result = {}
        for indicator_id in KEY_INDICATORS:
            ind = self.catalogue.indicators.get(indicator_id)
            if ind is None or ind.is_count or ind.survey:
                continue
            values = self.values[indicator_id]
            year = reference_year(values, self.year)
            if year is None:
                continue
            moved = changes(values, ORTSTEIL, year, year - 5)
            moved = moved[moved["significant"].fillna(False).astype(bool)]
            result[indicator_id] = (year, moved.drop_duplicates("area_code").set_index("area_code"))
        return result

    @cached_property
    def _slices(self) -> list[dict]:
        """Per indicator, once: the data year, values by area then and five years earlier, ranks."""
        slices = []
        for ind in self.catalogue.indicators.values():
            values = self.values[ind.id]
            year = reference_year(values, self.year)
            if year is None:
                continue
            now = values[values["year"] == year].set_index("area_code")["value"]
            before = values[values["year"] == year - 5].set_index("area_code")["value"]
            ortsteile = values[(values["level"] == ORTSTEIL) & (values["year"] == year)].dropna(subset=["value"])
            # rank 1 = highest value; ties share the better rank
            ranks = ortsteile.set_index("area_code")["value"].rank(ascending=False, method="min")
            city = values.loc[values["level"] == STADT, "area_code"].iloc[0]
            slices.append(
                {
                    "indicator": ind,
                    "year": year,
                    "now": now,
                    "before": before,
                    "ranks": ranks,
                    "of": len(ortsteile),
                    "city": now.get(city, math.nan),
                }
            )
        return slices

    def rows_for(self, code: str) -> list[dict]:
        sbz = self._by_code.loc[code, "sbz_code"]
        rows = []
        for part in self._slices:
            ot_value = part["now"].get(code, math.nan)
            before = part["before"].get(code, math.nan)
            rank = part["ranks"].get(code)
            rows.append(
                {
                    "indicator": part["indicator"],
                    "year": part["year"],
                    "ot": ot_value,
                    "sbz": part["now"].get(sbz, math.nan),
                    "city": part["city"],
                    "rank": int(rank) if rank is not None and not math.isnan(rank) else None,
                    "of": part["of"],
                    "change": ot_value - before,
                }
            )
        return rows

    def table_frame(self, code: str) -> pd.DataFrame:
        out = []
        for row in self.rows_for(code):
            ind = row["indicator"]
            # the arrow follows the change as shown: a change that rounds to ±0 is "→"
            change = row["change"] if math.isnan(row["change"]) else round(row["change"], ind.decimals)
            arrow = "" if math.isnan(change) else ARROWS[int(change > 0) - int(change < 0)] + "\u00a0"
            out.append(
                {
                    "Kennzahl": ind.short,
                    "Einheit": ind.unit,
                    "Jahr": str(row["year"]),
                    "Ortsteil": fmt.number(row["ot"], ind.decimals),
                    "Stadtbezirk": fmt.number(row["sbz"], ind.decimals),
                    "Stadt": fmt.number(row["city"], ind.decimals),
                    # survey estimates of single Ortsteile are too uncertain to rank
                    "Rang": f"{row['rank']}/{row['of']}" if row["rank"] and not ind.survey else fmt.DASH,
                    "5 Jahre": arrow + fmt.signed(change, ind.decimals) if not math.isnan(change) else fmt.DASH,
                }
            )
        return pd.DataFrame(out)

    TABLE_ALIGN = ["l", "l", "r", "r", "r", "r", "r", "r"]

    def table(self, code: str) -> str:
        """The comparison table as Markdown (the PDF's table)."""
        return markdown_table(self.table_frame(code), align=self.TABLE_ALIGN)

    def table_block(self, code: str) -> str:
        """MyST for the table: HTML (Sphinx needed a third of the website build for the nodes of 63 Markdown
        tables). The profiles are not in the report PDF; the annex has its own page per Ortsteil."""
        frame = self.table_frame(code)
        # on the website the unit goes under the indicator's name: eight columns did not fit the text column
        web = html_table(
            frame.drop(columns="Einheit"),
            align=[a for i, a in enumerate(self.TABLE_ALIGN) if i != 1],
            css_class="sb-profile-table",
            notes=frame["Einheit"].tolist(),
        )
        return "\n".join(["```{raw} html", web, "```"])

    # -- chart --------------------------------------------------------------------------
    def chart(self, code: str) -> alt.FacetChart:
        rows = self._long[
            self._long["indicator"].isin(CHART_INDICATORS)
            & self._long["area_code"].isin([code, self._city_code()])
            & self._long["value"].notna()
            & (self._long["year"] <= self.year)
        ]
        frame = pd.DataFrame(
            {
                "Kennzahl": rows["indicator"].map(lambda i: self.catalogue.indicators[i].short),
                "Jahr": rows["year"],
                "Gebiet": rows["area_name"],
                "Wert": rows["value"],
            }
        )
        order = [self.catalogue.indicators[i].short for i in CHART_INDICATORS]
        name = self._by_code.loc[code, "area_name"]
        return (
            alt.Chart(frame)
            .mark_line(point=alt.OverlayMarkDef(size=18))
            .encode(
                x=alt.X("Jahr:Q", axis=alt.Axis(format="d", tickMinStep=2, labelAngle=0), title=None),
                y=alt.Y("Wert:Q", title=None, scale=alt.Scale(zero=False)),
                color=alt.Color(
                    "Gebiet:N",
                    sort=[name, "Stadt Leipzig"],
                    scale=alt.Scale(domain=[name, "Stadt Leipzig"], range=["#0072B2", "#999999"]),
                    legend=alt.Legend(orient="top", title=None),
                ),
            )
            .properties(width=190, height=110)
            .facet(facet=alt.Facet("Kennzahl:N", sort=order, title=None), columns=3)
            .resolve_scale(y="independent")
            # the data table under the chart: years as years, not as "2.023"
            .properties(
                usermeta=charts.table_meta(
                    [
                        {"field": "Kennzahl", "title": "Kennzahl"},
                        {"field": "Jahr", "title": "Jahr"},
                        {"field": "Gebiet", "title": "Gebiet"},
                        {"field": "Wert", "title": "Wert", "format": ",.1f"},
                    ]
                )
            )
        )

    def _city_code(self) -> str:
        values = next(iter(self.values.values()))
        return values.loc[values["level"] == STADT, "area_code"].iloc[0]

    # -- pages --------------------------------------------------------------------------
    def chart_alt_text(self, code: str) -> str:
        name = self._by_code.loc[code, "area_name"]
        return (
            f"Liniendiagramme für {name} und die Stadt Leipzig: "
            + ", ".join(self.catalogue.indicators[i].short for i in CHART_INDICATORS)
            + "."
        )

    def chart_html(self, code: str, chart: alt.TopLevelMixin | None = None) -> str:
        """The chart as on the chapters' pages: drawn by Vega, with its alt text and data table."""
        chart = chart if chart is not None else self.chart(code)
        return charts.ChartOutput(chart, f"profil-{slug(code)}", self.chart_alt_text(code)).to_html()

    def chart_block(self, code: str, html_file: str) -> str:
        """MyST for the chart: its HTML read from ``html_file`` (a raw file is not parsed as Markdown,
        which kept Sphinx busy with 60 KB per page)."""
        name = self._by_code.loc[code, "area_name"]
        return "\n".join(
            ["```{raw} html", f":file: {html_file}", "```", "", f"{name} (blau) und Stadt Leipzig (grau)."]
        )

    def page(self, code: str, chart_block: str) -> str:
        ot = self._by_code.loc[code]
        name, sbz = ot["area_name"], self.sbz_names[ot["sbz_code"]]
        population = self.values["einwohner"]
        pop_year = reference_year(population, self.year)
        pop = population[(population["area_code"] == code) & (population["year"] == pop_year)]["value"]
        status = self.warning.status.set_index("area_code").loc[code]
        flags = self.warning.flags[self.warning.flags["area_code"] == code]
        lines = [
            f"# {name}",
            "",
            f"Ortsteil {code} im Stadtbezirk {sbz}. {style.persons('Einwohner')} am {fmt.year_end(pop_year)}: "
            f"**{fmt.number(pop.iloc[0] if len(pop) else math.nan)}**. Ausgabe {self.year}.",
            "",
        ]
        if status["too_small"]:
            lines.append(f"**Frühwarnsystem:** zu klein für eine Einstufung ({status['too_small_reason']}).")
        else:
            lines.append(
                f"**Frühwarnsystem:** {status['group']}"
                + (" – besondere Aufmerksamkeit." if status["attention"] else ".")
            )
        if not flags.empty:
            lines += ["", "Markierungen:", ""]
            lines += [f"- {row.severity_label}: {escape_markdown(row.reason)}" for row in flags.itertuples()]
        lines += [
            "",
            "## Kennzahlen im Vergleich",
            "",
            "Rang unter den Ortsteilen mit Wert (1 = höchster Wert); „5 Jahre“: Veränderung im Ortsteil "
            "gegenüber fünf Jahren vor dem Datenjahr, in der Einheit der Kennzahl (bei Anteilen in "
            "Prozentpunkten). Die Definitionen stehen im Anhang „Daten, Quellen und Methoden“. "
            "Umfragewerte sind Stichprobenschätzungen und erhalten keinen Rang.",
            "",
            self.table_block(code),
            "",
            "## Entwicklung im Vergleich zur Stadt",
            "",
            chart_block,
            "",
            # a download link means nothing on paper
            "```{only} html",
            f"{{download}}`Daten der Grafik als CSV <daten/{slug(code)}.csv>`",
            "```",
            "",
        ]
        if not flags.empty:
            # the proposals come from data/participation.yml: included, so an edit there re-runs nothing
            lines += ["## Beteiligung", "", f"```{{include}} ../politik/beteiligung-ot-{code}.md", "```", ""]
        return "\n".join(lines)

    def write(self) -> list[Path]:
        """Write all 63 profile pages and their chart data (HTML and CSV)."""
        if self.output_dir is None:
            raise ValueError("output_dir is needed to write the profiles")
        folder = self.output_dir / "steckbriefe"
        pages = []
        (folder / "daten").mkdir(parents=True, exist_ok=True)
        (folder / "grafiken").mkdir(exist_ok=True)
        images = folder / "bilder"
        if images.is_dir():  # chart images of earlier builds, when the profiles were part of the PDF
            for old in images.glob("*.pdf"):
                old.unlink()
        for code in self.ortsteile["area_code"]:
            chart = self.chart(code)
            charts.save_chart_csv(chart.data, folder / "daten" / f"{slug(code)}.csv")
            (folder / "grafiken" / f"{slug(code)}.html").write_text(self.chart_html(code, chart), encoding="utf-8")
            page = folder / f"{slug(code)}.md"
            page.write_text(self.page(code, self.chart_block(code, f"grafiken/{slug(code)}.html")), encoding="utf-8")
            pages.append(page)
        return pages

    # -- annex ------------------------------------------------------------------------
    def key_rows(self, code: str) -> list[dict]:
        """The annex's key figures of an Ortsteil, with Stadtbezirk and city, in catalogue units."""
        wanted = [r for r in self.rows_for(code) if r["indicator"].id in KEY_INDICATORS]
        return sorted(wanted, key=lambda r: KEY_INDICATORS.index(r["indicator"].id))

    def series(self, code: str, indicator_id: str) -> pd.DataFrame:
        """Years and values of one indicator for the Ortsteil, its Stadtbezirk and the city (columns ot, sbz, city)."""
        values = self.values[indicator_id]
        values = values[(values["year"] <= self.year) & values["value"].notna()]
        sbz = self._by_code.loc[code, "sbz_code"]
        frame = values.pivot_table(index="year", columns="area_code", values="value", aggfunc="first")
        out = pd.DataFrame(index=frame.index)
        for column, area in (("ot", code), ("sbz", sbz), ("city", self._city_code())):
            out[column] = frame[area] if area in frame.columns else math.nan
        return out.dropna(how="all").reset_index()

    def sentences(self, code: str) -> list[str]:
        """Two or three sentences for the annex: what stands out, what changed, early warning and what is planned."""
        return profile_text.sentences(self, code)

    def overview(self) -> Markdown:
        """The index of the profiles. Website: a table with a search field and a choice of Stadtbezirk
        (book/_static/profiles.js filters the rows). PDF: where the annex is, and the same list without links."""
        status = self.warning.status.set_index("area_code")
        population = self.values["einwohner"]
        pop_year = reference_year(population, self.year)
        pop = population[population["year"] == pop_year].set_index("area_code")["value"]
        rows = []
        for ot in self.ortsteile.itertuples():
            entry = status.loc[ot.area_code]
            rows.append(
                {
                    "code": ot.area_code,
                    "name": ot.area_name,
                    "sbz": self.sbz_names[ot.sbz_code],
                    "pop": fmt.number(pop.get(ot.area_code, math.nan)),
                    "group": "zu klein" if entry["too_small"] else entry["group"],
                }
            )
        return Markdown(self._overview_html(rows, pop_year) + "\n\n" + self._overview_latex(rows))

    def _overview_html(self, rows: list[dict], pop_year: int) -> str:
        esc = html.escape
        options = "".join(f'<option value="{esc(n)}">{esc(n)}</option>' for n in sorted({r["sbz"] for r in rows}))
        body = "".join(
            f'<tr data-sbz="{esc(r["sbz"])}"><td style="text-align:right">{esc(r["code"])}</td>'
            f'<td><a href="steckbriefe/{slug(r["code"])}.html">{esc(r["name"])}</a></td>'
            f'<td>{esc(r["sbz"])}</td><td style="text-align:right">{esc(r["pop"])}</td><td>{esc(r["group"])}</td></tr>'
            for r in rows
        )
        return "\n".join(
            [
                "```{raw} html",
                '<form class="sb-ot-filter" role="search" onsubmit="return false">'
                '<label>Ortsteil suchen <input type="search" id="sb-ot-search" autocomplete="off"></label> '
                '<label>Stadtbezirk <select id="sb-ot-sbz"><option value="">alle</option>'
                + options
                + "</select></label>"
                '<p id="sb-ot-count" class="sb-ot-count" aria-live="polite"></p></form>',
                '<table class="sb-ot-index"><thead><tr><th scope="col" style="text-align:right">Nr.</th>'
                '<th scope="col">Ortsteil</th><th scope="col">Stadtbezirk</th>'
                f'<th scope="col" style="text-align:right">{style.persons("Einwohner")} {pop_year}</th>'
                '<th scope="col">Frühwarnsystem</th></tr></thead><tbody>' + body + "</tbody></table>",
                "```",
            ]
        )

    def _overview_latex(self, rows: list[dict]) -> str:
        frame = pd.DataFrame(
            {
                "Nr.": [r["code"] for r in rows],
                "Ortsteil": [r["name"] for r in rows],
                "Stadtbezirk": [r["sbz"] for r in rows],
                style.persons("Einwohner"): [r["pop"] for r in rows],
                "Frühwarnsystem": [r["group"] for r in rows],
            }
        )
        return "\n".join(
            [
                "````{only} latex",
                f"Die Steckbriefe der {len(rows)} Ortsteile erscheinen als eigener Anhang zu diesem Bericht: "
                f"„Ortsteil-Steckbriefe {self.year}“ (Datei ortsteil-steckbriefe-{self.year}.pdf), eine Seite je "
                "Ortsteil mit Lage in der Stadt, den wichtigsten Kennzahlen im Vergleich zu Stadtbezirk und Stadt, "
                "der Einstufung im Frühwarnsystem und der Entwicklung. Auf der Website hat jeder Ortsteil eine "
                "eigene Seite mit allen Kennzahlen.",
                "",
                markdown_table(frame, align=["r", "l", "l", "r", "l"]),
                "````",
            ]
        )
