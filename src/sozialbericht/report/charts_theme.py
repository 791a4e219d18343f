"""The report's chart theme: fonts, colours, palettes, German number formats, Vega-Lite specs.

Everything a chart needs to look and read the same in every chapter, on the website and in the PDF.
Imports nothing of the report; :mod:`sozialbericht.report.charts` re-exports the public names.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal

import altair as alt
import pandas as pd
import vl_convert

from sozialbericht import fmt

# --------------------------------------------------------------------------- theme

THEME_NAME = "sozialbericht"
FULL_WIDTH = 640
FONT = "'Helvetica Neue', Arial, 'Liberation Sans', FreeSans, 'DejaVu Sans', sans-serif"
TEXT_COLOR = "#222222"
MUTED_COLOR = "#555555"
GRID_COLOR = "#e3e3e3"

# Okabe & Ito (2008), ordered so that the first colours are the most distinct on white
# and the pale yellow comes last. Safe for the common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
PRIMARY = OKABE_ITO[0]
HIGHLIGHT = OKABE_ITO[1]
BAR_COLOR = "#7FA7C9"  # a lighter blue, so a highlighted bar (vermillion) stands out
MISSING_COLOR = "#BDBDBD"
MISSING_LABEL = "keine Angabe"

# Sequential palettes for maps, light (low values) to dark (high values), sampled from the
# anchor colours below. "viridis" (perceptually uniform, colour-blind safe) runs reversed so
# that "more" is darker; neither palette starts near white, so the lowest class stays
# visible next to the grey "keine Angabe" and the white area borders.
_ANCHORS = {
    # viridis at 0.0, 0.1, ..., 1.0
    "viridis": [
        "#440154",
        "#482475",
        "#414487",
        "#355F8D",
        "#2A788E",
        "#21918C",
        "#22A884",
        "#44BF70",
        "#7AD151",
        "#BDDF26",
        "#FDE725",
    ],
    # ColorBrewer Blues, 9 classes
    # ColorBrewer OrRd, 9 classes: the scheme of assessed indicators (darker = less favourable)
    "orrd": ["#FFF7EC", "#FEE8C8", "#FDD49E", "#FDBB84", "#FC8D59", "#EF6548", "#D7301F", "#B30000", "#7F0000"],
    "blues": ["#F7FBFF", "#DEEBF7", "#C6DBEF", "#9ECAE1", "#6BAED6", "#4292C6", "#2171B5", "#08519C", "#08306B"],
}
_SAMPLE_RANGE = {"viridis": (0.90, 0.04), "blues": (0.30, 1.0), "orrd": (0.22, 1.0)}  # (lightest, darkest) position


def _sample(anchors: list[str], position: float) -> str:
    rgb = [tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in anchors]
    scaled = position * (len(rgb) - 1)
    low = min(int(scaled), len(rgb) - 2)
    t = scaled - low
    mixed = [round(a + (b - a) * t) for a, b in zip(rgb[low], rgb[low + 1])]
    return "#" + "".join(f"{v:02X}" for v in mixed)


def sequential_palette(name: str, k: int) -> list[str]:
    """``k`` colours from light to dark of palette ``name`` ('viridis' or 'blues')."""
    if name not in _ANCHORS:
        raise ValueError(f"Unknown palette {name!r}; choose one of {sorted(_ANCHORS)}.")
    light, dark = _SAMPLE_RANGE[name]
    if k == 1:
        return [_sample(_ANCHORS[name], (light + dark) / 2)]
    return [_sample(_ANCHORS[name], light + (dark - light) * i / (k - 1)) for i in range(k)]


FORMAT_LOCALE: dict = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", "\u00a0€"]}
TIME_FORMAT_LOCALE: dict = {
    "dateTime": "%A, der %e. %B %Y, %X",
    "date": "%d.%m.%Y",
    "time": "%H:%M:%S",
    "periods": ["AM", "PM"],
    "days": ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
    "shortDays": ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
    "months": [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    "shortMonths": ["Jan", "Feb", "Mrz", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"],
}


def theme_config() -> dict:
    """The report theme as an altair theme dict (``{"config": ..., "autosize": ...}``).

    The number/time locale is part of the config as well, so a spec renders German even
    in a tool that is not given the locale separately; ``vegaEmbed`` and vl-convert get
    it explicitly in addition (see :class:`ChartOutput`).
    """
    label = {"labelFont": FONT, "labelFontSize": 12, "labelColor": TEXT_COLOR}
    title = {"titleFont": FONT, "titleFontSize": 12, "titleFontWeight": "normal", "titleColor": TEXT_COLOR}
    return {
        "autosize": {"type": "pad", "contains": "padding"},
        "background": "white",
        "padding": 8,
        "config": {
            "font": FONT,
            "locale": {"number": FORMAT_LOCALE, "time": TIME_FORMAT_LOCALE},
            "view": {"continuousWidth": FULL_WIDTH, "continuousHeight": 320, "stroke": None},
            "title": {
                "font": FONT,
                "fontSize": 15,
                "fontWeight": "bold",
                "color": TEXT_COLOR,
                "anchor": "start",
                "offset": 12,
                "subtitleFont": FONT,
                "subtitleFontSize": 12,
                "subtitleColor": MUTED_COLOR,
            },
            "axis": {
                **label,
                **title,
                "gridColor": GRID_COLOR,
                "domainColor": "#888888",
                "tickColor": "#888888",
                "labelLimit": 260,
                "titlePadding": 8,
            },
            # titleLimit: Vega's default, stated so that the print version can widen it with its text
            "legend": {**label, **title, "labelLimit": 300, "titleLimit": 180, "symbolSize": 140, "rowPadding": 4},
            "header": {**label, **title},
            "text": {"font": FONT, "fontSize": 12, "color": TEXT_COLOR},
            "range": {
                "category": OKABE_ITO,
                "ordinal": sequential_palette("viridis", 9),
                "ramp": {"scheme": "viridis"},
                "heatmap": {"scheme": "viridis"},
            },
            "line": {"strokeWidth": 2.5, "color": PRIMARY},
            "point": {"size": 55, "filled": True, "color": PRIMARY},
            "bar": {"color": BAR_COLOR},
            "rule": {"color": TEXT_COLOR},
            "geoshape": {"stroke": "white", "strokeWidth": 0.6},
        },
    }


# Registered once at import, never enabled globally: chart_spec() enables it only while
# converting a chart, so notebooks that use altair otherwise are unaffected.
alt.theme.register(THEME_NAME, enable=False)(theme_config)


def _vl_version() -> str | None:
    """The Vega-Lite version altair writes (e.g. '6.4'), if vl-convert has it; else its latest."""
    match = re.match(r"v?(\d+)\.(\d+)", alt.SCHEMA_VERSION)
    if match:
        version = f"{match.group(1)}.{match.group(2)}"
        if version in vl_convert.get_vegalite_versions():
            return version
    return None


VL_VERSION = _vl_version()


def chart_spec(chart: alt.TopLevelMixin, validate: bool = False) -> dict:
    """The Vega-Lite spec of ``chart`` with the report theme and all data inline.

    The theme and the default (inline) data transformer are enabled only for this call,
    whatever a notebook enabled globally (e.g. the "json" transformer writes data files and
    would give the spec an external URL). Checking the spec against the Vega-Lite schema took
    a quarter of a chapter's chart time, and the shape of a spec depends on the builder, not on
    the data: the tests validate every builder's charts on the mirror (``validate=True``).
    """
    with alt.theme.enable(THEME_NAME), alt.data_transformers.enable("default", max_rows=None):
        spec = chart.to_dict(validate=validate)
    if _has_external_data(spec):
        raise ValueError("Chart data must be inline (a DataFrame), not a URL: the site loads nothing from elsewhere.")
    return spec


def _has_external_data(node) -> bool:
    if isinstance(node, dict):
        data = node.get("data")
        if isinstance(data, dict) and "url" in data:
            return True
        return any(_has_external_data(v) for k, v in node.items() if k != "datasets")
    if isinstance(node, list):
        return any(_has_external_data(v) for v in node)
    return False


def table_meta(columns: list[dict]) -> dict:
    """``usermeta`` of a chart: the columns (field, title, number format) of its data table."""
    return {"sozialbericht": {"table": columns}}


def title_of(title: str, subtitle: str | None):
    """A chart title, with a subtitle line when given."""
    return alt.Title(title, subtitle=subtitle) if subtitle else alt.Title(title)


# --------------------------------------------------------------------------- number formats

_FORMAT = re.compile(r"^(?P<fill>.?[<>=^])?[-+( ]?[$#]?0?\d*,?(?:\.(?P<precision>\d+))?~?(?P<type>[a-zA-Z%]?)$")


def _format_parts(number_format: str) -> tuple[int, bool]:
    """(decimals, percent) of a d3 format such as ',.1f', '.0%', 'd'."""
    decimals, percent, _ = _format_spec(number_format)
    return decimals, percent


def _format_spec(number_format: str) -> tuple[int, bool, bool]:
    """(decimals, percent, grouped) of a d3 format."""
    match = _FORMAT.match(number_format or "")
    if not match:
        raise ValueError(f"Unsupported number format {number_format!r}; use a d3 format like ',.0f' or ',.1%'.")
    kind = match.group("type")
    precision = match.group("precision")
    decimals = int(precision) if precision is not None else (0 if kind in ("d", "") else 1)
    if kind == "d":
        decimals = 0
    return decimals, kind == "%", "," in number_format


def axis_format(number_format: str) -> str:
    """The format for axis ticks: like ``number_format`` but without trailing zeros
    (',.1f' -> ',.1~f': ticks read 2 and 2,5, not 2,0 and 2,5)."""
    if "~" in number_format or not re.search(r"\.\d+[a-zA-Z%]$", number_format):
        return number_format
    return number_format[:-1] + "~" + number_format[-1]


def round_like_d3(number: float, decimals: int) -> float:
    """Round like d3 (JavaScript's toFixed: the exact binary value, ties away from zero), so the table never
    says 7,2 where the chart says 7,3; Python's format would round to even."""
    return float(Decimal(number).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def format_value(value, number_format: str = ",.0f") -> str:
    """A Python twin of the chart's d3 format in German: 1234.5 with ',.1f' -> '1.234,5'.

    Percent formats multiply by 100 like d3: 0.123 with '.1%' -> '12,3 %'. Missing -> '–'.
    """
    decimals, percent, grouped = _format_spec(number_format)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return fmt.DASH
    number = round_like_d3(float(value) * 100 if percent else float(value), decimals)
    text = fmt.number(number, decimals)
    if not grouped:  # d3 groups thousands only with ',' in the format ('d' -> 2023)
        text = text.replace(".", "")
    text = text.replace("-", "\u2212")  # d3's minus sign
    if "$" in number_format:  # the locale's currency: ["", " €"]
        text += FORMAT_LOCALE["currency"][1]
    return text + "\u00a0%" if percent else text
