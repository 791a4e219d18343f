"""Charts for the report: one theme, German formats, offline HTML and a vector PDF for print.

How the pieces fit (one module per job, each imported here so that callers use ``charts.X``):

* :mod:`~sozialbericht.report.charts_theme`: the theme, palettes, German number formats and
  :func:`chart_spec` (a chart as a Vega-Lite dict with the theme applied and all data inline).
* :mod:`~sozialbericht.report.charts_output`: :class:`ChartOutput`, what a notebook cell displays
  (HTML for the site, a vector PDF for print, alt text), and the Vega bundle the site serves itself.
* :mod:`~sozialbericht.report.charts_maps`: maps (choropleths of rates, symbols for counts,
  categories), with the one colour rule of the report.
* here: the line and bar chart builders and the CSV of a chart's data. Builders are pure
  functions of a DataFrame and return altair charts *without* the theme baked in.
"""

from __future__ import annotations

import json
from pathlib import Path

import altair as alt
import pandas as pd

from sozialbericht.report.charts_maps import (
    MAP_SIZE,
    category_map,
    choropleth,
    class_breaks,
    class_labels,
    classify,
    legend_direction,
    map_geometry,
    map_palette,
    symbol_map,
)
from sozialbericht.report.charts_output import (
    VEGA_BUNDLE_NAME,
    VEGA_SCRIPT_ATTRIBUTES,
    ChartOutput,
    _bundle_cache_file,
    data_table_html,
    vega_bundle,
    write_vega_bundle,
)
from sozialbericht.report.charts_theme import (
    BAR_COLOR,
    FONT,
    FORMAT_LOCALE,
    FULL_WIDTH,
    HIGHLIGHT,
    MISSING_COLOR,
    MISSING_LABEL,
    OKABE_ITO,
    PRIMARY,
    TEXT_COLOR,
    THEME_NAME,
    TIME_FORMAT_LOCALE,
    VL_VERSION,
    axis_format,
    chart_spec,
    format_value,
    sequential_palette,
    table_meta,
    theme_config,
    title_of,
)

__all__ = [
    "BAR_COLOR",
    "FONT",
    "FORMAT_LOCALE",
    "FULL_WIDTH",
    "HIGHLIGHT",
    "MAP_SIZE",
    "MISSING_COLOR",
    "MISSING_LABEL",
    "OKABE_ITO",
    "PRIMARY",
    "TEXT_COLOR",
    "THEME_NAME",
    "TIME_FORMAT_LOCALE",
    "VEGA_BUNDLE_NAME",
    "VEGA_SCRIPT_ATTRIBUTES",
    "VL_VERSION",
    "ChartOutput",
    "_bundle_cache_file",
    "axis_format",
    "bar_chart",
    "category_map",
    "chart_spec",
    "choropleth",
    "class_breaks",
    "class_labels",
    "classify",
    "data_table_html",
    "format_value",
    "legend_direction",
    "map_geometry",
    "map_palette",
    "save_chart_csv",
    "sequential_palette",
    "symbol_map",
    "table_meta",
    "theme_config",
    "title_of",
    "trend_chart",
    "vega_bundle",
    "write_vega_bundle",
]

# --------------------------------------------------------------------------- builders

# Full-width charts are FULL_WIDTH pixels wide in total, axes and legend included.
_FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")


# letters of legend text that fit side by side under a full-width chart (12 px labels, symbols, gaps)
LEGEND_ROW_LETTERS = 80


def trend_chart(
    frame: pd.DataFrame,
    x: str = "year",
    y: str = "value",
    series: str | None = None,
    *,
    title: str,
    y_title: str,
    number_format: str = ",.0f",
    x_title: str | None = None,
    series_title: str = "Reihe",
    subtitle: str | None = None,
    zero: bool = True,
) -> alt.Chart:
    """A line with points over the years; one line per ``series`` value if given.

    Years are a quantitative axis with format 'd' (2023, never 2.023) and whole-year ticks;
    a datetime ``x`` becomes a time axis with German month names.
    """
    columns = [x] + ([series] if series else []) + [y]
    data = frame[columns].sort_values([c for c in (series, x) if c]).reset_index(drop=True)
    temporal = pd.api.types.is_datetime64_any_dtype(data[x])
    x_title = x_title or ("Datum" if temporal else "Jahr")
    if temporal:
        x_enc = alt.X(f"{x}:T", title=x_title)
        x_tip = alt.Tooltip(f"{x}:T", title=x_title, format="%d.%m.%Y")
        x_col = {"field": x, "title": x_title}
    else:
        span = pd.to_numeric(data[x]).dropna()
        count = int(span.max() - span.min()) + 1 if len(span) else 1
        x_enc = alt.X(
            f"{x}:Q",
            title=x_title,
            scale=alt.Scale(zero=False, nice=False),
            axis=alt.Axis(format="d", tickMinStep=1, tickCount=min(count, 12), grid=False),
        )
        x_tip = alt.Tooltip(f"{x}:Q", title=x_title, format="d")
        x_col = {"field": x, "title": x_title, "format": "d"}
    tooltip = [x_tip]
    encoding = {
        "x": x_enc,
        "y": alt.Y(
            f"{y}:Q", title=y_title, scale=alt.Scale(zero=zero), axis=alt.Axis(format=axis_format(number_format))
        ),
    }
    if series:
        # four short names fit side by side; longer ones (e.g. the pairs of the segregation index) one per line
        longest = max((len(str(name)) for name in frame[series].dropna().unique()), default=0)
        columns = 4 if longest * 4 <= LEGEND_ROW_LETTERS else 1
        encoding["color"] = alt.Color(
            f"{series}:N",
            title=series_title,
            legend=alt.Legend(orient="bottom", direction="horizontal", columns=columns, labelLimit=FULL_WIDTH),
        )
        tooltip.append(alt.Tooltip(f"{series}:N", title=series_title))
    tooltip.append(alt.Tooltip(f"{y}:Q", title=y_title, format=number_format))
    table = (
        [x_col]
        + ([{"field": series, "title": series_title}] if series else [])
        + [{"field": y, "title": y_title, "format": number_format}]
    )
    return (
        alt.Chart(data, title=title_of(title, subtitle), usermeta=table_meta(table))
        .mark_line(point=True)
        .encode(tooltip=tooltip, **encoding)
        .properties(width=FULL_WIDTH, height=320, autosize=_FIT_WIDTH)
    )


def bar_chart(
    frame: pd.DataFrame,
    category: str,
    value: str,
    title: str,
    x_title: str,
    number_format: str = ",.0f",
    highlight: str | None = None,
    *,
    category_title: str = "Gebiet",
    reference: float | None = None,
    reference_label: str | None = None,
    subtitle: str | None = None,
    labels: bool = True,
) -> alt.LayerChart:
    """Horizontal bars, largest first, each with its value; optionally one bar highlighted
    (e.g. 'Stadt Leipzig') and/or a dashed reference line (e.g. the city average)."""
    data = frame[[category, value]].copy()
    data = data.sort_values(value, ascending=False, na_position="last", kind="stable").reset_index(drop=True)
    order = data[category].astype(str).tolist()
    y = alt.Y(f"{category}:N", sort=order, title=None, axis=alt.Axis(labelLimit=260, ticks=False))
    x = alt.X(f"{value}:Q", title=x_title, axis=alt.Axis(format=axis_format(number_format), orient="top"))
    tooltip = [
        alt.Tooltip(f"{category}:N", title=category_title),
        alt.Tooltip(f"{value}:Q", title=x_title, format=number_format),
    ]
    color = alt.value(BAR_COLOR)
    if highlight is not None:
        color = (
            alt.when(alt.FieldEqualPredicate(field=category, equal=highlight))
            .then(alt.value(HIGHLIGHT))
            .otherwise(alt.value(BAR_COLOR))
        )
    layers = [alt.Chart().mark_bar(height={"band": 0.75}).encode(y=y, x=x, color=color, tooltip=tooltip)]
    valid = f"isValid(datum[{json.dumps(value)}]) && isFinite(datum[{json.dumps(value)}])"
    if labels and not (pd.to_numeric(data[value], errors="coerce") < 0).any():
        layers.append(
            alt.Chart()
            .transform_filter(valid)
            .mark_text(align="left", baseline="middle", dx=4, fontSize=11, color=TEXT_COLOR)
            .encode(y=y, x=x, text=alt.Text(f"{value}:Q", format=number_format))
        )
    if reference is not None:
        text = (
            f"{reference_label}: {format_value(reference, number_format)}"
            if reference_label
            else format_value(reference, number_format)
        )
        ref = alt.Chart(alt.Data(values=[{"reference": float(reference)}]))
        layers.append(
            ref.mark_rule(strokeDash=[5, 3], strokeWidth=1.5, color=TEXT_COLOR).encode(x=alt.X("reference:Q"))
        )
        # below the last bar: the value axis is at the top
        layers.append(
            ref.mark_text(align="left", baseline="top", dx=4, dy=4, fontSize=11, color=TEXT_COLOR).encode(
                x=alt.X("reference:Q"), y=alt.value({"expr": "height"}), text=alt.value(text)
            )
        )
    table = [{"field": category, "title": category_title}, {"field": value, "title": x_title, "format": number_format}]
    return alt.layer(*layers, data=data, title=title_of(title, subtitle), usermeta=table_meta(table)).properties(
        width=FULL_WIDTH, height=alt.Step(20), autosize=_FIT_WIDTH
    )


# --------------------------------------------------------------------------- CSV


def save_chart_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a chart's data as CSV for download and reuse by machines.

    Deliberately the international form, not the German spreadsheet one: UTF-8 (no BOM),
    ``,`` as separator and ``.`` as decimal point, no index, so that pandas, R, and any
    CSV library read it without options. (German Excel users import it via "Daten > Aus
    Text/CSV".) A geometry column is dropped. Parent folders are created.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = pd.DataFrame(frame).drop(columns="geometry", errors="ignore")
    data.to_csv(path, index=False, sep=",", decimal=".", encoding="utf-8", lineterminator="\n")
    return path
