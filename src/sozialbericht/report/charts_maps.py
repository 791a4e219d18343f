"""Maps of the Ortsteile: class breaks, prepared geometry, choropleths of rates, symbols for counts.

One colour rule for the whole report (:func:`map_palette`): darker means less favourable, the
direction is named in the legend; neutral indicators get a neutral scheme. Counts are never
painted as areas (a large Ortsteil would look important): :func:`symbol_map` draws circles whose
area is proportional to the count.
"""

from __future__ import annotations

import hashlib

import altair as alt
import numpy as np
import pandas as pd
import shapely

from sozialbericht.report.charts_theme import (
    MISSING_COLOR,
    MISSING_LABEL,
    _format_parts,
    format_value,
    round_like_d3,
    sequential_palette,
    table_meta,
    title_of,
)


def class_breaks(values, k: int = 5, decimals: int | None = None) -> list[float]:
    """Quantile class bounds, sorted and distinct: ``[min, q1, …, max]`` (at most k+1 values).

    NaN/None/inf are ignored; tied quantiles collapse (fewer classes). With ``decimals``,
    inner bounds are rounded to what the legend shows, the lowest bound is rounded down and
    the highest up, so every value lies inside and no two labels read the same.
    ``[]`` for no data, ``[v]`` when all values are equal.
    """
    if k < 1:
        raise ValueError(f"class_breaks: k must be at least 1, not {k}.")
    numbers = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(dtype=float)
    numbers = numbers[np.isfinite(numbers)]
    if numbers.size == 0:
        return []
    bounds = np.quantile(numbers, np.linspace(0, 1, k + 1))
    if decimals is not None:
        factor = 10.0**decimals
        bounds = np.round(bounds, decimals)
        bounds[0] = np.floor(round(numbers.min() * factor, 9)) / factor
        bounds[-1] = np.ceil(round(numbers.max() * factor, 9)) / factor
        bounds = np.round(bounds, decimals)
    return sorted({float(b) for b in bounds})


def as_shown(values, decimals: int) -> np.ndarray:
    """Values rounded to ``decimals`` as the map's labels and tooltips write them (:func:`round_like_d3`)."""
    numbers = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(dtype=float)
    return np.array([round_like_d3(n, decimals) if np.isfinite(n) else n for n in numbers])


def classify(values, bounds: list[float]) -> np.ndarray:
    """The class index of each value for ``bounds`` (lower bound inclusive; the last class
    includes its upper bound); -1 for missing values."""
    numbers = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(dtype=float)
    result = np.full(numbers.shape, -1, dtype=int)
    if not bounds:
        return result
    ok = np.isfinite(numbers)
    last = max(len(bounds) - 2, 0)
    result[ok] = np.clip(np.searchsorted(np.asarray(bounds), numbers[ok], side="right") - 1, 0, last)
    return result


def class_labels(bounds: list[float], number_format: str = ",.0f") -> list[str]:
    """German legend labels: '1.234 bis unter 2.345', the last class '2.345 bis 3.456'."""
    text = [format_value(b, number_format) for b in bounds]
    if len(bounds) == 1:
        return [text[0]]
    labels = [f"{text[i]} bis unter {text[i + 1]}" for i in range(len(bounds) - 2)]
    labels.append(f"{text[-2]} bis {text[-1]}")
    return labels


_GEOMETRY_CACHE: dict[tuple, np.ndarray] = {}


def map_geometry(gdf, tolerance: float = 20.0, precision: int = 5):
    """Polygons ready for a Vega map: simplified in EPSG:25833 (``tolerance`` metres), back in
    EPSG:4326, coordinates rounded to ``precision`` decimals (about 1 m) and exterior rings
    clockwise (Vega's orientation; counter-clockwise rings paint the whole world instead).

    Returns a copy of ``gdf`` with the new geometry. The prepared geometry is cached by the
    input geometry's content, so the same 63 Ortsteile are prepared once per process.
    """
    import geopandas as gpd

    crs = gdf.crs if gdf.crs is not None else "EPSG:4326"
    wkb = shapely.to_wkb(np.asarray(gdf.geometry.values), hex=False)
    digest = hashlib.sha1(b"".join(wkb) + str(crs).encode()).hexdigest()
    key = (digest, float(tolerance), int(precision))
    if key not in _GEOMETRY_CACHE:
        metric = gpd.GeoSeries(gdf.geometry.values, crs=crs).to_crs(25833)
        simple = metric.simplify(tolerance, preserve_topology=True).to_crs(4326)
        geoms = shapely.transform(np.asarray(simple.values), lambda c: np.round(c, precision))
        geoms = shapely.make_valid(geoms)
        geoms = shapely.orient_polygons(geoms, exterior_cw=True)
        _GEOMETRY_CACHE[key] = geoms
    out = gdf.copy()
    out = out.set_geometry(gpd.GeoSeries(_GEOMETRY_CACHE[key], index=gdf.index, crs=4326))
    return out


MAP_SIZE = 440  # width and height of a map in pixels: a map and its text fit one PDF page
BORDER_COLOR = "#333333"  # Stadtbezirk borders drawn over the Ortsteile
# what the legend says about the colours, by the indicator's direction (data/indicators.yml)
DIRECTION_NOTE = {
    "higher_worse": "dunkler = ungünstiger (höhere Werte)",
    "higher_better": "dunkler = ungünstiger (niedrigere Werte)",
    "neutral": "ohne Wertung (dunkler = höher)",
}


def map_palette(direction: str, k: int) -> list[str]:
    """The report's one colour rule: ``k`` class colours from the lowest to the highest class.

    Darker is less favourable: an indicator where more is worse runs light to dark, one where more is
    better dark to light; a neutral indicator gets a neutral blue scheme (darker only means more).
    """
    if direction not in DIRECTION_NOTE:
        raise ValueError(f"Unknown direction {direction!r}; choose one of {sorted(DIRECTION_NOTE)}.")
    if direction == "neutral":
        return sequential_palette("blues", k)
    colors = sequential_palette("orrd", k)
    return colors[::-1] if direction == "higher_better" else colors


def legend_direction(direction: str) -> str:
    """The legend's line that names the direction of the colours."""
    if direction not in DIRECTION_NOTE:
        raise ValueError(f"Unknown direction {direction!r}; choose one of {sorted(DIRECTION_NOTE)}.")
    return DIRECTION_NOTE[direction]


def _points(prepared, name_field: str) -> pd.DataFrame:
    """A point inside each area (longitude, latitude) for labels and symbols."""
    inside = shapely.point_on_surface(np.asarray(prepared.geometry.values))
    return pd.DataFrame(
        {name_field: prepared[name_field].to_numpy(), "lon": shapely.get_x(inside), "lat": shapely.get_y(inside)}
    )


def _overlays(prepared, name_field: str, borders, label_names) -> list[alt.Chart]:
    """The layers drawn over the areas: Stadtbezirk borders, then the names of the labelled Ortsteile."""
    layers = []
    if borders is not None:
        outline = map_geometry(borders[["geometry"]])
        layers.append(
            alt.Chart(outline).mark_geoshape(filled=False, stroke=BORDER_COLOR, strokeWidth=1.6, fill=None, aria=False)
        )
    wanted = [n for n in (label_names or []) if n in set(prepared[name_field])]
    if wanted:
        points = _points(prepared, name_field)
        points = points[points[name_field].isin(wanted)]
        base = alt.Chart(points).encode(longitude="lon:Q", latitude="lat:Q", text=f"{name_field}:N")
        # a white halo keeps the name legible on dark classes
        layers.append(base.mark_text(fontSize=11, fontWeight="bold", stroke="white", strokeWidth=3, dy=-9, aria=False))
        layers.append(base.mark_text(fontSize=11, fontWeight="bold", color="#000000", dy=-9, aria=False))
        layers.append(base.mark_point(shape="circle", size=16, filled=True, color="#000000", aria=False))
    return layers


def _map(layers: list, prepared, title, table: list[dict]) -> alt.LayerChart:
    """The layers of a map over the Ortsteile, one size and projection for every map. The areas' data sit at
    the top: the data table under the chart (and its CSV) lists every Ortsteil."""
    return (
        alt.layer(*layers, data=prepared, title=title, usermeta=table_meta(table))
        .project(type="mercator")
        .properties(width=MAP_SIZE, height=MAP_SIZE)
    )


def choropleth(
    geo,
    value: str,
    title: str,
    legend_title: str,
    number_format: str = ",.0f",
    classes: int = 5,
    name_field: str = "area_name",
    *,
    direction: str = "neutral",
    city_value: float | None = None,
    borders=None,
    label_names: list[str] | None = None,
    subtitle: str | None = None,
    name_title: str = "Ortsteil",
) -> alt.LayerChart:
    """A map of a rate or density over the Ortsteile in ``classes`` quantile classes.

    ``geo`` is a GeoDataFrame (EPSG:4326) with ``name_field`` and the ``value`` column. The colours
    follow :func:`map_palette` for ``direction``, and the legend names that direction. The legend
    marks the class that holds ``city_value`` ("Stadt Leipzig: …"); ``borders`` (the Stadtbezirke)
    are drawn over the areas; the Ortsteile in ``label_names`` are named on the map. Areas without a
    value are grey, labelled 'keine Angabe'. The legend is an ordinal scale over the class labels
    ('1.234 bis unter 2.345'), so it reads the same on the site and in print.
    """
    decimals, percent = _format_parts(number_format)
    values = pd.to_numeric(geo[value], errors="coerce")
    shown_decimals = decimals + (2 if percent else 0)
    bounds = class_breaks(values, classes, decimals=shown_decimals)
    labels = class_labels(bounds, number_format)
    # classed as shown: a value shown as 6,1 belongs to "6,1 bis unter …", not to "… bis unter 6,1"
    index = classify(as_shown(values, shown_decimals), bounds)
    colors = map_palette(direction, len(labels)) if labels else []
    if city_value is not None and labels and np.isfinite(city_value):
        city_class = int(classify(as_shown([city_value], shown_decimals), bounds)[0])
        if city_class >= 0:
            labels[city_class] += f" (darin Stadt {format_value(city_value, number_format)})"
    prepared = map_geometry(geo[[name_field, value, "geometry"]])
    prepared["klasse"] = [labels[i] if i >= 0 else MISSING_LABEL for i in index]
    prepared["wert"] = [format_value(v, number_format) if i >= 0 else MISSING_LABEL for v, i in zip(values, index)]
    domain, scale_range = list(labels), list(colors)
    if (index < 0).any():
        domain.append(MISSING_LABEL)
        scale_range.append(MISSING_COLOR)
    table = [
        {"field": name_field, "title": name_title},
        {"field": value, "title": legend_title, "format": number_format},
        {"field": "klasse", "title": "Klasse"},
    ]
    legend_lines = [legend_title, legend_direction(direction)]
    if city_value is not None and np.isfinite(city_value):
        legend_lines.append(f"Stadt Leipzig: {format_value(city_value, number_format)}")
    areas = (
        alt.Chart()
        .mark_geoshape()
        .encode(
            color=alt.Color(
                "klasse:O",
                title=legend_lines,
                sort=domain,
                scale=alt.Scale(domain=domain, range=scale_range),
                legend=alt.Legend(
                    orient="right", titleLimit=260, labelLimit=260, symbolType="square", symbolStrokeWidth=0
                ),
            ),
            tooltip=[alt.Tooltip(f"{name_field}:N", title=name_title), alt.Tooltip("wert:N", title=legend_title)],
        )
    )
    layers = [areas, *_overlays(prepared, name_field, borders, label_names)]
    return _map(layers, prepared, title_of(title, subtitle), table)


def symbol_map(
    geo,
    value: str,
    title: str,
    legend_title: str,
    number_format: str = ",.0f",
    name_field: str = "area_name",
    *,
    borders=None,
    label_names: list[str] | None = None,
    subtitle: str | None = None,
    name_title: str = "Ortsteil",
) -> alt.LayerChart:
    """A map of a count: a circle per Ortsteil whose area is proportional to the count, over grey areas.

    Painting counts as coloured areas would make large Ortsteile look important; a circle's area
    shows the count itself. Missing values get no circle. ``borders`` and ``label_names`` as in
    :func:`choropleth`.
    """
    prepared = map_geometry(geo[[name_field, value, "geometry"]])
    values = pd.to_numeric(prepared[value], errors="coerce")
    prepared["wert"] = [format_value(v, number_format) if np.isfinite(v) else MISSING_LABEL for v in values]
    points = _points(prepared, name_field)
    points[value] = values.to_numpy()
    points["wert"] = prepared["wert"].to_numpy()
    points = points[np.isfinite(points[value]) & (points[value] >= 0)]
    table = [
        {"field": name_field, "title": name_title},
        {"field": value, "title": legend_title, "format": number_format},
    ]
    tooltip = [alt.Tooltip(f"{name_field}:N", title=name_title), alt.Tooltip("wert:N", title=legend_title)]
    areas = alt.Chart().mark_geoshape(fill="#E8E8E8", stroke="white", strokeWidth=0.6).encode(tooltip=tooltip)
    top = float(points[value].max()) if len(points) else 1.0
    circles = (
        alt.Chart(points)
        .mark_circle(color="#4A4A4A", opacity=0.75, stroke="white", strokeWidth=0.8)
        .encode(
            longitude="lon:Q",
            latitude="lat:Q",
            size=alt.Size(
                f"{value}:Q",
                title=[legend_title, "Kreisfläche entspricht der Anzahl"],
                scale=alt.Scale(domain=[0, top], range=[0, 900], zero=True),
                legend=alt.Legend(orient="right", format=",.0f", titleLimit=260, symbolFillColor="#4A4A4A"),
            ),
            tooltip=tooltip,
        )
    )
    layers = [areas, *_overlays(prepared, name_field, borders, None), circles]
    layers += _overlays(prepared, name_field, None, label_names)
    return _map(layers, prepared, title_of(title, subtitle), table)


def category_map(
    geo,
    field: str,
    title: str,
    legend_title: str,
    categories: list[str],
    colors: list[str],
    name_field: str = "area_name",
    *,
    subtitle: str | None = None,
    name_title: str = "Ortsteil",
    detail: str | None = None,
    borders=None,
) -> alt.LayerChart:
    """A map of the Ortsteile coloured by a category (e.g. the early-warning group).

    ``categories`` fixes the legend order and ``colors`` their colours; an area whose
    category is missing is grey, labelled 'keine Angabe'; ``borders`` (the Stadtbezirke) are drawn over the areas.
    """
    if len(categories) != len(colors):
        raise ValueError("categories and colors must have the same length")
    columns = [name_field, field, "geometry"] + ([detail] if detail else [])
    prepared = map_geometry(geo[columns])
    prepared[field] = prepared[field].where(prepared[field].isin(categories), MISSING_LABEL)
    domain, scale_range = list(categories), list(colors)
    if (prepared[field] == MISSING_LABEL).any():
        domain.append(MISSING_LABEL)
        scale_range.append(MISSING_COLOR)
    table = [{"field": name_field, "title": name_title}, {"field": field, "title": legend_title}]
    tooltip = [alt.Tooltip(f"{name_field}:N", title=name_title), alt.Tooltip(f"{field}:N", title=legend_title)]
    if detail:
        table.append({"field": detail, "title": "Hinweis"})
        tooltip.append(alt.Tooltip(f"{detail}:N", title="Hinweis"))
    areas = (
        alt.Chart()
        .mark_geoshape(stroke="white", strokeWidth=0.6)
        .encode(
            color=alt.Color(
                f"{field}:N",
                title=legend_title,
                sort=domain,
                scale=alt.Scale(domain=domain, range=scale_range),
                legend=alt.Legend(
                    orient="right", titleLimit=240, labelLimit=240, symbolType="square", symbolStrokeWidth=0
                ),
            ),
            tooltip=tooltip,
        )
    )
    return _map([areas, *_overlays(prepared, name_field, borders, None)], prepared, title_of(title, subtitle), table)
