"""Charts for the report: one theme, German formats, offline HTML and a PNG for the PDF.

How the pieces fit:

* The builders (:func:`trend_chart`, :func:`bar_chart`, :func:`choropleth`) are pure
  functions of a DataFrame and return altair charts *without* the theme baked in.
* :func:`chart_spec` turns a chart into a Vega-Lite dict with the report theme applied
  (inside a context, so the globally active altair theme or data transformer never leaks
  in) and all data inline.
* :class:`ChartOutput` is what a notebook cell displays. Its mime bundle holds
  ``text/html`` (used by the HTML build: a ``<figure>`` that calls ``vegaEmbed`` with
  German locales, plus a data table and an optional CSV link), ``image/png`` (used by the
  LaTeX/PDF build; rendered by vl-convert at scale 2) and ``text/plain`` (the alt text).
* The page must load the Vega libraries itself; :func:`write_vega_bundle` writes them as
  one file to the site's static folder. Include it as
  ``<script type="module" src="_static/vega-bundle.js"></script>``
  (see :data:`VEGA_SCRIPT_ATTRIBUTES`).
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
import re
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import shapely
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
    "blues": ["#F7FBFF", "#DEEBF7", "#C6DBEF", "#9ECAE1", "#6BAED6", "#4292C6", "#2171B5", "#08519C", "#08306B"],
}
_SAMPLE_RANGE = {"viridis": (0.90, 0.04), "blues": (0.30, 1.0)}  # (lightest, darkest) position


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
            "legend": {**label, **title, "labelLimit": 300, "symbolSize": 140, "rowPadding": 4},
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


def format_value(value, number_format: str = ",.0f") -> str:
    """A Python twin of the chart's d3 format in German: 1234.5 with ',.1f' -> '1.234,5'.

    Percent formats multiply by 100 like d3: 0.123 with '.1%' -> '12,3 %'. Missing -> '–'.
    """
    decimals, percent, grouped = _format_spec(number_format)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return fmt.DASH
    number = float(value) * 100 if percent else float(value)
    # Round like d3 (JavaScript's toFixed: the exact binary value, ties away from zero), so
    # the table never says 7,2 where the chart says 7,3; Python's format would round to even.
    number = float(Decimal(number).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
    text = fmt.number(number, decimals)
    if not grouped:  # d3 groups thousands only with ',' in the format ('d' -> 2023)
        text = text.replace(".", "")
    text = text.replace("-", "\u2212")  # d3's minus sign
    if "$" in number_format:  # the locale's currency: ["", " €"]
        text += FORMAT_LOCALE["currency"][1]
    return text + "\u00a0%" if percent else text


# --------------------------------------------------------------------------- display object

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def _script_json(value) -> str:
    """JSON safe to place inside an HTML <script> element (no '</script>', no raw '<b>')."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _table_columns(chart, frame: pd.DataFrame) -> list[dict]:
    meta = chart.usermeta if isinstance(getattr(chart, "usermeta", alt.Undefined), dict) else {}
    columns = meta.get("sozialbericht", {}).get("table")
    if columns:
        return columns
    out = []
    for name in frame.columns:
        if name == "geometry" or name.startswith("_"):
            continue
        if pd.api.types.is_numeric_dtype(frame[name]) and not pd.api.types.is_bool_dtype(frame[name]):
            integers = pd.api.types.is_integer_dtype(frame[name])
            out.append({"field": name, "title": name, "format": ",.0f" if integers else ",.1f"})
        else:
            out.append({"field": name, "title": name})
    return out


def data_table_html(chart, caption: str | None = None) -> str:
    """The chart's data as an HTML table, numbers in German format.

    Columns, titles and number formats come from the builder (stored in the chart's
    ``usermeta``); for any other chart every non-geometry column of its DataFrame is shown.
    """
    data = getattr(chart, "data", alt.Undefined)
    if not isinstance(data, pd.DataFrame):
        return ""
    frame = pd.DataFrame(data.drop(columns="geometry", errors="ignore"))
    columns = _table_columns(chart, frame)
    parts = ['<table class="sb-chart-table">']
    if caption:
        parts.append(f"<caption>{html.escape(caption)}</caption>")
    parts.append("<thead><tr>")
    for column in columns:
        align = ' style="text-align:right"' if "format" in column else ""
        parts.append(f'<th scope="col"{align}>{html.escape(str(column["title"]))}</th>')
    parts.append("</tr></thead><tbody>")
    for _, row in frame.iterrows():
        parts.append("<tr>")
        for column in columns:
            value = row[column["field"]]
            if "format" in column:
                text = format_value(None if pd.isna(value) else value, column["format"])
                parts.append(f'<td style="text-align:right">{html.escape(text)}</td>')
            else:
                text = fmt.DASH if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
                parts.append(f"<td>{html.escape(text)}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


_EMBED_SCRIPT = """(function () {
  var target = "#%(div_id)s";
  var spec = %(spec)s;
  var options = %(options)s;
  function render() {
    if (!window.vegaEmbed) { return false; }
    window.vegaEmbed(target, spec, options).catch(function (error) {
      var el = document.querySelector(target);
      if (el) { el.textContent = "Das Diagramm konnte nicht gezeichnet werden."; }
      console.error(error);
    });
    return true;
  }
  function start() {
    if (render()) { return; }
    var tries = 0;
    var timer = setInterval(function () {
      if (render()) { clearInterval(timer); }
      else if (++tries > 200) {
        clearInterval(timer);
        var el = document.querySelector(target);
        if (el) { el.textContent = "Diagramm nicht verfügbar: die Vega-Bibliothek wurde nicht geladen."; }
      }
    }, 50);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();"""


class ChartOutput:
    """A chart as a notebook output: HTML for the site, PNG for the PDF, alt text as plain text.

    ``name`` makes the element id (``sb-chart-{name}``): letters, digits, '-' and '_' only,
    unique on its page. The id never changes between runs, so outputs compare. ``png``: whether
    the output carries a PNG; only the PDF needs it, a website-only build skips it.
    """

    def __init__(
        self, chart: alt.TopLevelMixin, name: str, alt_text: str, csv_href: str | None = None, png: bool = True
    ):
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"Chart name {name!r}: use letters, digits, '-' and '_' only (it becomes an HTML id).")
        if not alt_text or not str(alt_text).strip():
            raise ValueError(f"Chart {name!r}: an alt text is required (it is what screen readers announce).")
        self.chart = chart
        self.name = name
        self.alt_text = str(alt_text)
        self.csv_href = csv_href
        self.png = png
        self._spec: dict | None = None
        self._png: bytes | None = None

    @property
    def div_id(self) -> str:
        return f"sb-chart-{self.name}"

    @property
    def spec(self) -> dict:
        if self._spec is None:
            self._spec = chart_spec(self.chart)
        return self._spec

    def embed_options(self) -> dict:
        return {
            "renderer": "svg",
            "actions": False,
            "mode": "vega-lite",
            "formatLocale": FORMAT_LOCALE,
            "timeFormatLocale": TIME_FORMAT_LOCALE,
        }

    def to_png(self) -> bytes:
        """PNG at scale 2 (a 640 px wide chart becomes 1280+ px: sharp at A4 text width)."""
        if self._png is None:
            self._png = vl_convert.vegalite_to_png(
                self.spec,
                vl_version=VL_VERSION,
                scale=2,
                format_locale=FORMAT_LOCALE,
                time_format_locale=TIME_FORMAT_LOCALE,
            )
        return self._png

    def to_html(self) -> str:
        # Vega replaces the container's role="img" by role="graphics-document" and its aria-label
        # by the spec's description ("Vega visualization" if there is none): the alt text goes
        # there too, so screen readers announce it before and after the chart is drawn.
        spec = {**self.spec, "description": self.alt_text}
        script = _EMBED_SCRIPT % {
            "div_id": self.div_id,
            "spec": _script_json(spec),
            "options": _script_json(self.embed_options()),
        }
        label = html.escape(self.alt_text, quote=True)
        parts = [
            f'<figure class="sb-chart" id="{self.div_id}-figure">',
            f'<div id="{self.div_id}" class="sb-chart-canvas" role="img" aria-label="{label}" '
            f'style="max-width:100%;overflow-x:auto"></div>',
            f"<script>{script}</script>",
        ]
        table = data_table_html(self.chart)
        if table:
            parts.append(f'<details class="sb-chart-data"><summary>Daten als Tabelle</summary>{table}</details>')
        if self.csv_href:
            href = html.escape(self.csv_href, quote=True)
            parts.append(f'<p class="sb-chart-csv"><a href="{href}" download>Daten als CSV</a></p>')
        parts.append("</figure>")
        return "\n".join(parts)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        makers = {"text/html": self.to_html, "image/png": self.to_png, "text/plain": lambda: self.alt_text}
        keys = [
            k
            for k in makers
            if (not include or k in include) and (not exclude or k not in exclude) and (k != "image/png" or self.png)
        ]
        return {k: makers[k]() for k in keys}

    def __repr__(self) -> str:
        return f"ChartOutput(name={self.name!r}, alt_text={self.alt_text!r})"


# --------------------------------------------------------------------------- Vega bundle

VEGA_BUNDLE_NAME = "vega-bundle.js"
# The bundle is an ES module build: thousands of minified top-level names (const/function).
# As a classic script they would all land in the page's global scope and clash with other
# scripts; as a module they stay private, and the bundle's last statements still set
# window.vegaEmbed / window.vega / window.vegaLite. Module scripts are deferred, so they run
# before DOMContentLoaded, which is what the chart scripts wait for.
VEGA_SCRIPT_ATTRIBUTES: dict[str, str] = {"type": "module"}


_BUNDLE_MARK = "window.vegaEmbed="


def _bundle_cache_file() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    version = getattr(vl_convert, "__version__", "unknown")
    return base / "sozialbericht" / f"vega-bundle-vl-convert-{version}-vega-lite-{VL_VERSION}.js"


@lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed as one JavaScript string (about 0.9 MB).

    Bundling takes vl-convert about 1.5 s and gives the same text for one installed version, so
    the text is kept in the user's cache folder, named by the versions (like compiled bytecode).
    """
    cache = _bundle_cache_file()
    try:
        cached = cache.read_text(encoding="utf-8")
        if _BUNDLE_MARK in cached.replace(" ", ""):  # else damaged: bundle again
            return cached
    except (OSError, UnicodeDecodeError):
        pass
    bundle = vl_convert.javascript_bundle(vl_version=VL_VERSION)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache.with_name(f".{cache.name}.{os.getpid()}")
        temporary.write_text(bundle, encoding="utf-8")
        os.replace(temporary, cache)
    except OSError:  # a read-only home: bundle again next time
        pass
    return bundle


def write_vega_bundle(static_dir: Path) -> Path:
    """Write :data:`VEGA_BUNDLE_NAME` into ``static_dir`` (only when its content changed).

    Load it in every page as ``<script type="module" src="…/vega-bundle.js"></script>``
    (:data:`VEGA_SCRIPT_ATTRIBUTES`); e.g. Sphinx: ``app.add_js_file("vega-bundle.js", type="module")``
    or ``html_js_files = [("vega-bundle.js", {"type": "module"})]``.
    """
    static_dir = Path(static_dir)
    static_dir.mkdir(parents=True, exist_ok=True)
    path = static_dir / VEGA_BUNDLE_NAME
    content = vega_bundle().encode("utf-8")
    if not path.exists() or path.read_bytes() != content:
        path.write_bytes(content)
    return path


# --------------------------------------------------------------------------- builders

# Full-width charts are FULL_WIDTH pixels wide in total, axes and legend included.
_FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")


def table_meta(columns: list[dict]) -> dict:
    """``usermeta`` of a chart: the columns (field, title, number format) of its data table."""
    return {"sozialbericht": {"table": columns}}


def _title(title: str, subtitle: str | None):
    return alt.Title(title, subtitle=subtitle) if subtitle else alt.Title(title)


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
        encoding["color"] = alt.Color(
            f"{series}:N", title=series_title, legend=alt.Legend(orient="bottom", direction="horizontal", columns=4)
        )
        tooltip.append(alt.Tooltip(f"{series}:N", title=series_title))
    tooltip.append(alt.Tooltip(f"{y}:Q", title=y_title, format=number_format))
    table = (
        [x_col]
        + ([{"field": series, "title": series_title}] if series else [])
        + [{"field": y, "title": y_title, "format": number_format}]
    )
    return (
        alt.Chart(data, title=_title(title, subtitle), usermeta=table_meta(table))
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
    return alt.layer(*layers, data=data, title=_title(title, subtitle), usermeta=table_meta(table)).properties(
        width=FULL_WIDTH, height=alt.Step(20), autosize=_FIT_WIDTH
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


def choropleth(
    geo,
    value: str,
    title: str,
    legend_title: str,
    number_format: str = ",.0f",
    classes: int = 5,
    name_field: str = "area_name",
    *,
    palette: str = "viridis",
    subtitle: str | None = None,
    name_title: str = "Ortsteil",
) -> alt.Chart:
    """A map of the Ortsteile in ``classes`` quantile classes with a German-labelled legend.

    ``geo`` is a GeoDataFrame (EPSG:4326) with ``name_field`` and the ``value`` column.
    Areas without a value are grey, labelled 'keine Angabe'. The legend is an ordinal scale
    over the class labels ('1.234 bis unter 2.345'), so it reads the same in HTML and PNG.
    """
    sequential_palette(palette, 1)  # unknown palette names fail before any work
    decimals, percent = _format_parts(number_format)
    values = pd.to_numeric(geo[value], errors="coerce")
    bounds = class_breaks(values, classes, decimals=decimals + (2 if percent else 0))
    labels = class_labels(bounds, number_format)
    index = classify(values, bounds)
    colors = sequential_palette(palette, len(labels)) if labels else []
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
    return (
        alt.Chart(prepared, title=_title(title, subtitle), usermeta=table_meta(table))
        .mark_geoshape()
        .encode(
            color=alt.Color(
                "klasse:O",
                title=legend_title,
                sort=domain,
                scale=alt.Scale(domain=domain, range=scale_range),
                legend=alt.Legend(
                    orient="right", titleLimit=220, labelLimit=220, symbolType="square", symbolStrokeWidth=0
                ),
            ),
            tooltip=[alt.Tooltip(f"{name_field}:N", title=name_title), alt.Tooltip("wert:N", title=legend_title)],
        )
        .project(type="mercator")
        .properties(width=440, height=440)
    )


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
) -> alt.Chart:
    """A map of the Ortsteile coloured by a category (e.g. the early-warning group).

    ``categories`` fixes the legend order and ``colors`` their colours; an area whose
    category is missing is grey, labelled 'keine Angabe'.
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
    return (
        alt.Chart(prepared, title=_title(title, subtitle), usermeta=table_meta(table))
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
        .project(type="mercator")
        .properties(width=440, height=440)
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
