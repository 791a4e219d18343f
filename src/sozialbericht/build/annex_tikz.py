"""TikZ drawings for the annex: the locator map of an Ortsteil and a compact line chart with units.

Drawn directly in LaTeX from the data (no image files): the city's map is typeset once into a box
and reused on every page, so 63 pages with a map and a chart compile in seconds.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from sozialbericht import fmt

MAP_WIDTH_CM = 5.6
SIMPLIFY_M = 40.0  # metres; invisible at 6 cm for a city of 30 km
OT_COLOR = "0072B2"  # the Ortsteil (Okabe-Ito blue, as on the website)
SBZ_COLOR = "D55E00"  # its Stadtbezirk (vermillion)
CITY_COLOR = "555555"  # the city (dark grey)


def colour_definitions() -> str:
    return (
        f"\\definecolor{{sbot}}{{HTML}}{{{OT_COLOR}}}\n"
        f"\\definecolor{{sbsbz}}{{HTML}}{{{SBZ_COLOR}}}\n"
        f"\\definecolor{{sbcity}}{{HTML}}{{{CITY_COLOR}}}\n"
    )


class MapFrame:
    """Projects the city's geometry (EPSG:25833) onto a drawing ``MAP_WIDTH_CM`` wide, origin bottom left."""

    def __init__(self, ortsteile, stadtbezirke):
        self.ortsteile = ortsteile.to_crs(25833)
        self.stadtbezirke = stadtbezirke.to_crs(25833)
        minx, miny, maxx, maxy = self.ortsteile.total_bounds
        self.origin = (minx, miny)
        self.scale = MAP_WIDTH_CM / (maxx - minx)
        self.height = (maxy - miny) * self.scale

    def _path(self, geometry) -> str:
        simple = shapely.simplify(geometry, SIMPLIFY_M, preserve_topology=True)
        polygons = list(simple.geoms) if hasattr(simple, "geoms") else [simple]
        parts = []
        for polygon in polygons:
            if polygon.is_empty or polygon.geom_type != "Polygon":
                continue
            coords = np.asarray(polygon.exterior.coords)
            xs = (coords[:, 0] - self.origin[0]) * self.scale
            ys = (coords[:, 1] - self.origin[1]) * self.scale
            parts.append(" -- ".join(f"({x:.2f},{y:.2f})" for x, y in zip(xs, ys)) + " -- cycle")
        return " ".join(parts)

    def city_box(self) -> str:
        """LaTeX that fills the box ``\\SBcity`` with every Ortsteil (light) and the Stadtbezirk borders (dark)."""
        lines = ["\\newsavebox{\\SBcity}", "\\savebox{\\SBcity}{\\begin{tikzpicture}[line join=round]"]
        lines.append(f"\\path[use as bounding box] (0,0) rectangle ({MAP_WIDTH_CM:.2f},{self.height:.2f});")
        for geometry in self.ortsteile.geometry:
            lines.append(f"\\filldraw[fill=black!6, draw=white, line width=0.3pt] {self._path(geometry)};")
        for geometry in self.stadtbezirke.geometry:
            lines.append(f"\\draw[black!70, line width=0.6pt] {self._path(geometry)};")
        lines.append("\\end{tikzpicture}}")
        return "\n".join(lines)

    def locator(self, code: str) -> str:
        """The city with one Ortsteil filled, as a tikzpicture."""
        geometry = self.ortsteile.loc[self.ortsteile["area_code"] == code, "geometry"]
        path = self._path(geometry.iloc[0]) if len(geometry) else ""
        return (
            "\\begin{tikzpicture}[line join=round]\n"
            "\\node[anchor=south west, inner sep=0] at (0,0) {\\usebox{\\SBcity}};\n"
            + (f"\\filldraw[fill=sbot, draw=black, line width=0.7pt] {path};\n" if path else "")
            + "\\end{tikzpicture}"
        )


def nice_step(span: float, target: int = 4) -> float:
    """A tick step of 1, 2 or 5 times a power of ten that gives about ``target`` intervals."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / target
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def line_chart(series, title: str, unit: str, decimals: int, width: float = 6.6, height: float = 4.4) -> str:
    """A line chart of ``series`` (columns year, ot, sbz, city) with axis titles and units, as a tikzpicture."""
    frame = series.dropna(subset=["year"])
    years = frame["year"].astype(int).tolist()
    numbers = frame[["ot", "sbz", "city"]].to_numpy(dtype=float)
    finite = numbers[np.isfinite(numbers)]
    if not years or finite.size == 0:
        return f"\\textit{{{title}: keine Werte.}}"
    low = 0.0
    step = nice_step(float(finite.max()) - low)
    high = step * math.ceil(float(finite.max()) / step) if finite.max() > 0 else step
    first, last = min(years), max(years)
    span_x = max(last - first, 1)

    def px(year: float) -> float:
        return (year - first) / span_x * width

    def py(value: float) -> float:
        return (value - low) / (high - low) * height

    out = [
        "\\begin{tikzpicture}[font=\\scriptsize]",
        f"\\node[anchor=south west, inner sep=0, font=\\footnotesize\\bfseries] at (-0.9,{height + 0.35:.2f}) "
        f"{{{title}}};",
    ]
    # one path per kind of mark (grid, labels, ticks): TikZ parses a style once per path, and 126 charts
    # with a path per line took three of the annex's five seconds of xelatex
    grid, labels = [], []
    tick = low
    while tick <= high + 1e-9:
        y = py(tick)
        grid.append(f"(0,{y:.2f}) -- ({width:.2f},{y:.2f})")
        labels.append(f"(-0.05,{y:.2f}) node[anchor=east] {{{fmt.number(tick, _tick_decimals(step))}}}")
        tick += step
    every = 1 if span_x <= 6 else (2 if span_x <= 12 else 5)  # at most about seven year labels
    marks = []
    for year in range(first, last + 1):
        if (last - year) % every == 0:
            marks.append(f"({px(year):.2f},0) -- ({px(year):.2f},-0.08)")
            labels.append(f"({px(year):.2f},-0.08) node[anchor=north] {{{year}}}")
    out.append("\\draw[black!15] " + " ".join(grid) + ";")
    if marks:
        out.append("\\draw[black!40] " + " ".join(marks) + ";")
    out.append("\\path " + " ".join(labels) + ";")
    out.append(f"\\draw[black!60] (0,0) -- ({width:.2f},0);")
    out.append(f"\\node[anchor=north] at ({width / 2:.2f},-0.42) {{Jahr (Stichtag 31.12.)}};")
    out.append(f"\\node[rotate=90, anchor=south] at (-0.75,{height / 2:.2f}) {{{unit}}};")
    styles = {
        "city": "sbcity, line width=0.9pt",
        "sbz": "sbsbz, line width=0.9pt, dashed",
        "ot": "sbot, line width=1.4pt",
    }
    for column in ("city", "sbz", "ot"):
        points = [(px(y), py(v)) for y, v in zip(years, frame[column].to_numpy(dtype=float)) if math.isfinite(v)]
        if len(points) >= 2:
            out.append(f"\\draw[{styles[column]}] " + " -- ".join(f"({x:.2f},{y:.2f})" for x, y in points) + ";")
        if points:
            x, y = points[-1]
            out.append(f"\\fill[{styles[column].split(',')[0]}] ({x:.2f},{y:.2f}) circle (0.05);")
    out.append("\\end{tikzpicture}")
    return "\n".join(out)


def _tick_decimals(step: float) -> int:
    return 0 if step >= 1 else max(0, -math.floor(math.log10(step)))


def legend(ortsteil: str, stadtbezirk: str) -> str:
    """The charts' legend as a line of text (long names never overlap)."""

    def key(style: str) -> str:
        return f"\\tikz[baseline=-0.6ex]\\draw[{style}] (0,0) -- (0.6,0);\\,"

    return (
        "{\\scriptsize "
        + key("sbot, line width=1.4pt")
        + f"Ortsteil {ortsteil}\\qquad "
        + key("sbsbz, line width=0.9pt, dashed")
        + f"Stadtbezirk {stadtbezirk}\\qquad "
        + key("sbcity, line width=0.9pt")
        + "Stadt Leipzig}"
    )
