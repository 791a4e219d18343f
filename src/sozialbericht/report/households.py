"""The parts of the chapter "Haushalte und Familien" that are not one indicator each.

``Households(chapter)`` gives the city's households by size over time (shares computed from the counts),
the check of the published Stadtbezirk and city counts against the sum of the Ortsteile, and the check of
the published share columns against the counts (the source's 2025 column for 4-person households is
wrong; the report never uses the published shares).
"""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from sozialbericht import fmt
from sozialbericht.data.geography import STADT
from sozialbericht.report import charts
from sozialbericht.report.tables import markdown_table

DATASET = "haushalte"
TOTAL = "Haushalte insgesamt"
SIZES = [
    ("Haushalte mit 1 Person", "1 Person"),
    ("Haushalte mit 2 Personen", "2 Personen"),
    ("Haushalte mit 3 Personen", "3 Personen"),
    ("Haushalte mit 4 Personen", "4 Personen"),
    ("Haushalte mit 5 oder mehr Personen", "5 und mehr Personen"),
]
SHARE_SUFFIX = " (Anteil in %)"
# published shares carry at least 2 decimals: a larger gap is not rounding
TOLERANCE = 0.01
USABLE = {"ok", "nothing", "aggregated"}
# the size structure starts where the indicator of single-person households does (2006 is doubtful)
FIRST_YEAR_FROM = "einpersonenhaushalte"


def size_shares(table: pd.DataFrame, level: str = STADT) -> pd.DataFrame:
    """Share of each household size in all households, from the counts: area_code, year, size, count, share."""
    rows = table[(table["dataset"] == DATASET) & (table["level"] == level) & table["status"].isin(USABLE)]
    total = rows[rows["feature"] == TOTAL].set_index(["area_code", "year"])["value"]
    frames = []
    for feature, label in SIZES:
        part = rows[rows["feature"] == feature].set_index(["area_code", "year"])["value"]
        frame = pd.DataFrame({"count": part, "total": total}).dropna()
        frame = frame[frame["total"] > 0]
        frame["share"] = frame["count"] / frame["total"] * 100
        frames.append(frame.assign(size=label).reset_index())
    return pd.concat(frames, ignore_index=True)[["area_code", "year", "size", "count", "share"]]


def share_mismatches(table: pd.DataFrame) -> pd.DataFrame:
    """Published '(Anteil in %)' values that differ from count / total * 100 by more than rounding.

    Columns: feature, year, areas (how many areas differ), city_published, city_computed.
    """
    rows = table[table["dataset"] == DATASET]
    total = rows[rows["feature"] == TOTAL].set_index(["area_code", "year"])["value"]
    found = []
    for feature, _ in SIZES:
        counts = rows[rows["feature"] == feature].set_index(["area_code", "year"])["value"]
        published = rows[rows["feature"] == feature + SHARE_SUFFIX].set_index(["area_code", "year"])
        if published.empty:
            continue
        computed = counts / total * 100
        frame = published[["value", "status", "level"]].join(computed.rename("computed"), how="inner")
        # a sign ("." etc.) where a count exists is as wrong as a wrong number
        wrong = ((frame["value"] - frame["computed"]).abs() > TOLERANCE) | (
            ~frame["status"].isin(USABLE) & frame["computed"].notna()
        )
        for year, group in frame[wrong].groupby(level="year"):
            city = group[group["level"] == STADT]
            city_all = frame.xs(year, level="year")
            city_row = city_all[city_all["level"] == STADT]
            found.append(
                {
                    "feature": feature + SHARE_SUFFIX,
                    "year": int(year),
                    "areas": len(group),
                    "city_published": float(city["value"].iloc[0]) if len(city) else float("nan"),
                    "city_computed": float(city_row["computed"].iloc[0]) if len(city_row) else float("nan"),
                }
            )
    return pd.DataFrame(found, columns=["feature", "year", "areas", "city_published", "city_computed"])


class Households:
    def __init__(self, chapter):
        self.chapter = chapter
        self.inputs = chapter.inputs
        self.year = chapter.year

    def _shares(self) -> pd.DataFrame:
        """City shares up to the edition year, from the first year the share indicators use."""
        shares = size_shares(self.inputs.table)
        first = self.chapter.catalogue.indicators.get(FIRST_YEAR_FROM)
        start = first.first_year if first is not None and first.first_year else shares["year"].min()
        return shares[(shares["year"] <= self.year) & (shares["year"] >= start)]

    def scope(self) -> Markdown:
        """What the chapter covers; whether family data are read is decided by the catalogues, not typed here."""
        from sozialbericht.report.coverage import titles_read, uncovered_themes

        read = titles_read(self.chapter.catalogue, self.inputs.specs)
        families = [t for t in uncovered_themes(self.chapter.catalogue, read) if "Familien" in t["theme"]]
        text = (
            "Das Kapitel beschreibt die Haushalte nach ihrer Größe: wie viele es in jedem Ortsteil gibt, wie groß sie "
            "im Durchschnitt sind und wie hoch der Anteil der Einpersonenhaushalte und der Haushalte mit fünf und "
            "mehr Personen ist. Es steht vor dem Kapitel „Kinder und Familie“, weil die Haushaltsstruktur den "
            "Rahmen für Familien, Alleinlebende und Wohnungsbedarf bildet."
        )
        if families:
            text += f" {families[0]['reason']}"
        return Markdown(text)

    def size_chart(self):
        shares = self._shares()
        if shares.empty:
            return Markdown("Für die Haushaltsgrößen der Stadt liegen keine Werte vor.")
        data = shares[["year", "size", "share"]].rename(columns={"size": "Haushaltsgröße"})
        first, last = int(data["year"].min()), int(data["year"].max())
        latest = data[data["year"] == last]
        alt = (
            f"Liniendiagramm: Anteile der Haushaltsgrößen an allen Haushalten in Leipzig {first} bis {last}; {last}: "
            + "; ".join(f"{r['Haushaltsgröße']} {fmt.number(r['share'], 1)}\u00a0%" for _, r in latest.iterrows())
            + "."
        )
        name = f"{self.year}-haushaltsgroessen-stadt"
        csv = self.chapter._csv(data, name)
        chart = charts.trend_chart(
            data,
            x="year",
            y="share",
            series="Haushaltsgröße",
            series_title="Haushaltsgröße",
            title="Haushalte nach Größe, Stadt Leipzig",
            y_title="% der Haushalte",
            number_format=",.1f",
        )
        return self.chapter.edition.chart_output(chart, name, alt, csv)

    def size_text(self) -> Markdown:
        shares = self._shares()
        if shares.empty:
            return Markdown("")
        last = int(shares["year"].max())
        first = int(shares["year"].min())
        now = shares[shares["year"] == last].set_index("size")
        then = shares[shares["year"] == first].set_index("size")
        change = (now["share"] - then["share"]).dropna()
        up, down = change.idxmax(), change.idxmin()
        households = now["count"].sum()
        text = (
            f"Ende {last} zählte Leipzig {fmt.number(households)} Haushalte (Summe der Größenklassen). "
            f"{fmt.number(now.loc['1 Person', 'share'], 1)}\u00a0% davon waren Einpersonenhaushalte, "
            f"{fmt.number(now.loc['5 und mehr Personen', 'share'], 1)}\u00a0% Haushalte mit fünf und mehr Personen. "
        )
        if change[up] > 0:
            text += (
                f"Seit {first} wuchs der Anteil der Haushalte mit {up.replace('1 Person', 'einer Person')} am "
                f"stärksten ({fmt.signed(change[up], 1)} Prozentpunkte)"
            )
            text += (
                f", der Anteil der Haushalte mit {down} ging am stärksten zurück ({fmt.signed(change[down], 1)} "
                "Prozentpunkte)."
                if change[down] < 0
                else "."
            )
        return Markdown(text)

    def count_check(self) -> Markdown:
        """Published Stadtbezirk and city households against the sum of their Ortsteile, edition year."""
        checks = self.inputs.sum_checks
        checks = checks[(checks["dataset"] == DATASET) & (checks["feature"] == TOTAL) & (checks["year"] == self.year)]
        if checks.empty:
            return Markdown(
                f"Die veröffentlichten Haushaltszahlen der Stadtbezirke und der Stadt stimmen {self.year} mit der "
                "Summe ihrer Ortsteile überein."
            )
        table = pd.DataFrame(
            {
                "Gebiet": checks["area_name"],
                "veröffentlicht": checks["published"].map(fmt.number),
                "Summe der Ortsteile": checks["sum_of_ortsteile"].map(fmt.number),
                "Differenz": checks["difference"].map(fmt.signed),
            }
        )
        return Markdown(
            f"Die Haushaltszahl ist wie jeder Zählwert gegen die veröffentlichten Zeilen geprüft: {self.year} weicht "
            f"der veröffentlichte Wert {'in einem Fall' if len(table) == 1 else f'in {len(table)} Fällen'} von der "
            "Summe der Ortsteile ab. Der Bericht "
            "verwendet den veröffentlichten Wert.\n\n" + markdown_table(table, align=["l", "r", "r", "r"])
        )

    def share_check(self) -> Markdown:
        """Say where the published share columns contradict the counts (the report computes shares itself)."""
        wrong = share_mismatches(self.inputs.table)
        # a fault in a year after the edition's Stichtag is no concern of this edition's reader
        wrong = wrong[wrong["year"] <= self.year] if not wrong.empty else wrong
        text = (
            "Die Anteile der Haushaltsgrößen berechnet dieser Bericht aus den Haushaltszahlen, nicht aus den "
            "veröffentlichten Anteilsspalten des Datensatzes."
        )
        if wrong.empty:
            return Markdown(text + f" Beide stimmen in allen Jahren bis {self.year} überein.")
        items = []
        for row in wrong.itertuples():
            item = f"- „{row.feature}“ {row.year}: {fmt.number(row.areas)} Gebiete weichen von den Zählwerten ab"
            if row.city_computed == row.city_computed:  # not NaN
                published = (
                    fmt.number(row.city_published, 2) + "\u00a0%"
                    if row.city_published == row.city_published
                    else "kein Wert"
                )
                item += f" (Stadt veröffentlicht: {published}, aus den Zählwerten: {fmt.number(row.city_computed, 2)}\u00a0%)"
            items.append(item + ".")
        return Markdown(
            text + " Die veröffentlichten Spalten widersprechen den Zählwerten hier:\n\n" + "\n".join(items)
        )
