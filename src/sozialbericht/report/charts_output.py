"""Charts as notebook outputs: HTML (drawn by Vega on the site), a vector PDF for print, alt text; the Vega bundle.

:class:`ChartOutput` is what a notebook cell displays. Its mime bundle holds ``text/html`` (a
``<figure>`` that calls ``vegaEmbed`` with German locales, a data table and an optional CSV link),
``application/pdf`` (the printed chart, drawn by vl-convert as vectors: sharp at any size, its text
searchable, and about six times smaller and twice as fast to make as a PNG at print resolution) and
``text/plain`` (the alt text).
The page loads the Vega libraries itself: :func:`write_vega_bundle` writes them to the site's static folder.
"""

from __future__ import annotations

import html
import json
import os
import re
from functools import lru_cache
from pathlib import Path

import altair as alt
import pandas as pd
import vl_convert

from sozialbericht import fmt
from sozialbericht.report.charts_theme import (
    FORMAT_LOCALE,
    FULL_WIDTH,
    TIME_FORMAT_LOCALE,
    VL_VERSION,
    chart_spec,
    format_value,
)

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


# what the PDF shows: Sphinx's LaTeX builder prefers it to any other output of a cell (myst-nb's mime priority)
PRINT_MIME = "application/pdf"
# The PDF caps every chart's height (build/sphinx_latex.py: 0.27 of the text height, about 190 pt), so a
# chart drawn 320 px high (trends) or 440 px (maps) prints at 0.38-0.46 of its size and 12 px text would
# come out at 4.5-5.5 pt. Its print version gets larger text, in proportion to its height beyond
# PRINT_TEXT_HEIGHT px (at most PRINT_TEXT_MAX times): about 7 pt on paper, like the bar charts.
PRINT_TEXT_HEIGHT = 230
PRINT_TEXT_MAX = 1.5


def print_text_factor(spec: dict) -> float:
    """How much larger a chart's text is printed: 1 for charts drawn no higher than the PDF shows them."""
    height = spec.get("height")
    if not isinstance(height, (int, float)) or isinstance(height, bool):
        return 1.0  # bar charts: a step per bar, printed at about two thirds of their size
    return min(PRINT_TEXT_MAX, max(1.0, height / PRINT_TEXT_HEIGHT))


def with_text_scaled(node, factor: float):
    """A copy of a Vega-Lite spec with its text ``factor`` times larger: every font size (``fontSize``,
    ``labelFontSize``, ...), the widths after which text is cut (``labelLimit``, ``titleLimit``) and the
    legend's default symbol (an area: ``symbolSize`` times the square)."""
    if isinstance(node, dict):
        return {key: _scaled_value(key, value, factor) for key, value in node.items()}
    if isinstance(node, list):
        return [with_text_scaled(value, factor) for value in node]
    return node


# average advance of a bold Liberation Sans letter, in em: enough to tell whether a title fits its chart
TITLE_EM_PER_LETTER = 0.55


def print_spec(spec: dict) -> dict:
    """The spec drawn for the PDF: text enlarged by :func:`print_text_factor`, the title fitted again."""
    factor = print_text_factor(spec)
    if factor == 1.0:
        return spec
    return with_title_fitted(with_text_scaled(spec, factor))


def with_title_fitted(spec: dict) -> dict:
    """A title wider than its chart on two (or more) lines: Vega does not wrap titles, and both the website
    and the PDF cut them at the chart's edge."""
    title = spec.get("title")
    text = title.get("text") if isinstance(title, dict) else title
    if isinstance(text, list):
        text = " ".join(str(line) for line in text)
    if not isinstance(text, str):
        return spec
    width = spec.get("width") if isinstance(spec.get("width"), (int, float)) else 0
    room = max(width, FULL_WIDTH) - 2 * spec.get("padding", 8)
    size = spec.get("config", {}).get("title", {}).get("fontSize", 13)
    letters = int(room / (TITLE_EM_PER_LETTER * size))
    lines = wrap(text, letters) if len(text) > letters else text
    return {**spec, "title": {**(title if isinstance(title, dict) else {}), "text": lines}}


def wrap(text: str, letters: int) -> list[str]:
    """``text`` in lines of at most ``letters`` letters, broken between words (a longer word keeps its line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= letters:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _scaled_value(key: str, value, factor: float):
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return with_text_scaled(value, factor)
    if key == "fontSize" or key.endswith(("FontSize", "Limit")):
        return value * factor
    if key == "symbolSize":
        return value * factor * factor
    return value


class ChartOutput:
    """A chart as a notebook output: HTML for the site, a vector PDF for print, alt text as plain text.

    ``name`` makes the element id (``sb-chart-{name}``): letters, digits, '-' and '_' only,
    unique on its page. The id never changes between runs, so outputs compare. ``for_print``: whether
    the output carries the printed chart; only the PDF needs it, a website-only build skips it.
    """

    def __init__(
        self, chart: alt.TopLevelMixin, name: str, alt_text: str, csv_href: str | None = None, for_print: bool = False
    ):
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"Chart name {name!r}: use letters, digits, '-' and '_' only (it becomes an HTML id).")
        if not alt_text or not str(alt_text).strip():
            raise ValueError(f"Chart {name!r}: an alt text is required (it is what screen readers announce).")
        self.chart = chart
        self.name = name
        self.alt_text = str(alt_text)
        self.csv_href = csv_href
        self.for_print = for_print
        self._spec: dict | None = None
        self._png: bytes | None = None
        self._pdf: bytes | None = None

    @property
    def div_id(self) -> str:
        return f"sb-chart-{self.name}"

    @property
    def spec(self) -> dict:
        if self._spec is None:
            self._spec = with_title_fitted(chart_spec(self.chart))
        return self._spec

    def embed_options(self) -> dict:
        return {
            "renderer": "svg",
            "actions": False,
            "mode": "vega-lite",
            "formatLocale": FORMAT_LOCALE,
            "timeFormatLocale": TIME_FORMAT_LOCALE,
        }

    def to_pdf(self) -> bytes:
        """The chart as a one-page vector PDF, the size Vega draws it (LaTeX scales it to the column),
        with its text enlarged where the PDF prints it small (:func:`print_spec`)."""
        if self._pdf is None:
            self._pdf = vl_convert.vegalite_to_pdf(
                print_spec(self.spec),
                vl_version=VL_VERSION,
                format_locale=FORMAT_LOCALE,
                time_format_locale=TIME_FORMAT_LOCALE,
            )
        return self._pdf

    def to_png(self) -> bytes:
        """PNG at scale 2 (a 640 px wide chart becomes 1280+ px), for looking at pixels in tests and tools."""
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
        makers = {"text/html": self.to_html, PRINT_MIME: self.to_pdf, "text/plain": lambda: self.alt_text}
        keys = [
            k
            for k in makers
            if (not include or k in include)
            and (not exclude or k not in exclude)
            and (k != PRINT_MIME or self.for_print)
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
