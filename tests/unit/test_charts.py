"""Charts: deterministic offline HTML, German formats, a real PNG, maps that draw polygons."""

from __future__ import annotations

import json
import os
import re
import struct
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import vl_convert

from sozialbericht.report import charts, charts_maps, charts_output

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------- helpers


def read_png(data: bytes) -> np.ndarray:
    """A minimal PNG decoder (8-bit RGB/RGBA, no interlace) -> array (height, width, channels).

    Pillow is not installed in this environment, so the tests decode the pixels themselves.
    """
    assert data.startswith(PNG_MAGIC)
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    channels = 4 if colour == 6 else 3
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    out = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=start + 1).astype(np.int32)
        if kind == 0:
            row = line
        elif kind == 2:
            row = (line + previous) & 0xFF
        else:  # 1 sub, 3 average, 4 paeth: depend on the pixel to the left, decode bytewise
            row = np.zeros(stride, dtype=np.int32)
            for i in range(stride):
                left = row[i - channels] if i >= channels else 0
                up = previous[i]
                if kind == 1:
                    row[i] = (line[i] + left) & 0xFF
                elif kind == 3:
                    row[i] = (line[i] + (left + up) // 2) & 0xFF
                else:
                    upleft = previous[i - channels] if i >= channels else 0
                    p = left + up - upleft
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - upleft)
                    pred = left if pa <= pb and pa <= pc else (up if pb <= pc else upleft)
                    row[i] = (line[i] + pred) & 0xFF
        out[y] = row
        previous = row
    return out.reshape(height, width, channels)


def png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])


def colour_counts(pixels: np.ndarray) -> dict[tuple, int]:
    flat = pixels[..., :3].reshape(-1, 3)
    values, counts = np.unique(flat, axis=0, return_counts=True)
    return {tuple(int(c) for c in v): int(n) for v, n in zip(values, counts)}


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


@pytest.fixture
def trend_frame() -> pd.DataFrame:
    return pd.DataFrame({"year": [2020, 2021, 2022, 2023], "value": [601866.0, 605407.0, 1234.5, 619879.0]})


@pytest.fixture
def bar_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"area": ["Zentrum", "Grünau-Mitte", "Stadt Leipzig", "Plagwitz"], "value": [12.3, 1234.5, 10.4, 7.25]}
    )


@pytest.fixture(scope="module")
def ortsteile():
    folder = os.environ.get("SOZIALBERICHT_DATA", "").strip()
    if not folder:
        pytest.skip(
            "SOZIALBERICHT_DATA is not set: the map tests need the real Ortsteil geometry "
            "(geo/ortsteile.geojson in the data folder)"
        )
    path = Path(folder) / "geo" / "ortsteile.geojson"
    if not path.exists():
        pytest.skip(f"{path} does not exist: the map tests need the real Ortsteil geometry")
    import geopandas as gpd

    geo = gpd.read_file(path).rename(columns={"Name": "area_name", "OT": "area_code"}).to_crs(4326)
    assert len(geo) == 63
    geo["value"] = np.linspace(500, 35000, len(geo))
    geo.loc[[3, 10], "value"] = np.nan
    return geo


@pytest.fixture(scope="module")
def stadtbezirke(ortsteile):
    path = Path(os.environ["SOZIALBERICHT_DATA"]) / "geo" / "stadtbezirke.geojson"
    import geopandas as gpd

    return gpd.read_file(path).to_crs(4326)


# --------------------------------------------------------------------------- formats and classes


def test_format_value_is_german_and_rounds_like_d3():
    assert charts.format_value(1234.5, ",.1f") == "1.234,5"
    assert charts.format_value(1234567, ",.0f") == "1.234.567"
    assert charts.format_value(2023, "d") == "2023"
    assert charts.format_value(7.25, ",.1f") == "7,3"  # JavaScript's toFixed, not round-half-even
    assert charts.format_value(-7.25, ",.1f") == "\u22127,3"
    assert charts.format_value(0.123, ".1%") == "12,3\u00a0%"
    assert charts.format_value(float("nan"), ",.0f") == "–"
    assert charts.axis_format(",.1f") == ",.1~f"


def test_class_breaks_quantiles():
    assert charts.class_breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5) == pytest.approx([1, 2.8, 4.6, 6.4, 8.2, 10])
    assert charts.class_breaks([4, 1, 3, 2, 5], 4) == [1, 2, 3, 4, 5]


def test_class_breaks_ties_nan_and_edge_cases():
    assert charts.class_breaks([1, 1, 1, 1, 2, None, float("nan")], 4) == [1, 2]
    assert charts.class_breaks([5, 5, 5], 3) == [5]
    assert charts.class_breaks([float("nan"), None], 3) == []
    with pytest.raises(ValueError):
        charts.class_breaks([1, 2], 0)


def test_class_breaks_rounded_to_the_legend_decimals_contain_every_value():
    values = [1233.6, 1500.2, 2345.49, 3000.0, 3456.2]
    bounds = charts.class_breaks(values, 2, decimals=0)
    assert bounds == [1233, 2345, 3457]
    classes = charts.classify(values, bounds)
    assert classes.tolist() == [0, 0, 1, 1, 1]
    assert charts.classify([float("nan"), 0, 99999], bounds).tolist() == [-1, 0, 1]


def test_class_labels_are_german_ranges():
    assert charts.class_labels([1234, 2345, 3456.0]) == ["1.234 bis unter 2.345", "2.345 bis 3.456"]
    assert charts.class_labels([0.5, 1.25], ",.2f") == ["0,50 bis 1,25"]
    assert charts.class_labels([7]) == ["7"]


# --------------------------------------------------------------------------- display object


def test_div_id_is_deterministic(trend_frame):
    chart = charts.trend_chart(trend_frame, title="Einwohner", y_title="Einwohner")
    first = charts.ChartOutput(chart, "einwohner-trend", "Einwohner 2020 bis 2023").to_html()
    second = charts.ChartOutput(chart, "einwohner-trend", "Einwohner 2020 bis 2023").to_html()
    assert first == second
    assert 'id="sb-chart-einwohner-trend"' in first
    assert "vegaEmbed(target" in first and 'var target = "#sb-chart-einwohner-trend"' in first
    assert 'role="img"' in first


def test_invalid_names_and_missing_alt_text_are_refused(trend_frame):
    chart = charts.trend_chart(trend_frame, title="T", y_title="Y")
    with pytest.raises(ValueError, match="letters, digits"):
        charts.ChartOutput(chart, "zwei wörter", "Alt")
    with pytest.raises(ValueError, match="alt text"):
        charts.ChartOutput(chart, "ok", "  ")


def test_html_loads_nothing_from_other_hosts(trend_frame):
    html = charts.ChartOutput(charts.trend_chart(trend_frame, title="T", y_title="Y"), "t", "Alt").to_html()
    assert not re.search(r"<script[^>]*\bsrc=", html)
    assert "cdn" not in html.lower()
    assert not re.search(r"""(src|href)=["']?https?:""", html)
    spec = charts.ChartOutput(charts.trend_chart(trend_frame, title="T", y_title="Y"), "t", "Alt").spec
    assert "url" not in json.dumps(spec.get("data", {}))
    assert all(isinstance(v, list) for v in spec["datasets"].values())  # data inline


def test_html_embeds_german_locales_and_waits_for_the_page(trend_frame):
    html = charts.ChartOutput(charts.trend_chart(trend_frame, title="T", y_title="Y"), "t", "Alt").to_html()
    options = json.loads(re.search(r"var options = (\{.*?\});\n", html).group(1))
    assert options["renderer"] == "svg" and options["actions"] is False
    assert options["formatLocale"]["decimal"] == "," and options["formatLocale"]["thousands"] == "."
    assert options["formatLocale"]["currency"] == ["", "\u00a0€"]
    assert options["timeFormatLocale"]["months"][2] == "März"
    assert "DOMContentLoaded" in html


def test_alt_text_and_titles_are_escaped(bar_frame):
    chart = charts.bar_chart(bar_frame, "area", "value", "Titel <b>fett</b>", "Anteil <b>%</b>")
    output = charts.ChartOutput(chart, "b", 'Balken <b>fett</b> & "Zitat"', csv_href="data/a.csv?x=1&y=2")
    html = output.to_html()
    assert "<b>" not in html
    assert 'aria-label="Balken &lt;b&gt;fett&lt;/b&gt; &amp; &quot;Zitat&quot;"' in html
    assert "</script>" in html and html.count("</script>") == 1  # the spec cannot close the script early
    assert 'href="data/a.csv?x=1&amp;y=2"' in html and "Daten als CSV" in html
    assert output._repr_mimebundle_()["text/plain"] == 'Balken <b>fett</b> & "Zitat"'


def test_table_alternative_in_german_format(bar_frame):
    html = charts.ChartOutput(
        charts.bar_chart(bar_frame, "area", "value", "T", "Wert", ",.1f", category_title="Ortsteil"), "b", "Alt"
    ).to_html()
    table = re.search(r"<details[^>]*><summary>Daten als Tabelle</summary>(.*?)</details>", html, re.S).group(1)
    assert '<th scope="col">Ortsteil</th>' in table
    assert "1.234,5" in table and "1234.5" not in table
    assert "7,3" in table  # rounded like the chart's label
    assert "Daten als CSV" not in html  # no csv_href, no link


def test_mimebundle_has_html_a_vector_pdf_for_print_and_text(trend_frame, tmp_path):
    output = charts.ChartOutput(charts.trend_chart(trend_frame, title="T", y_title="Y"), "t", "Alt", for_print=True)
    bundle = output._repr_mimebundle_()
    assert set(bundle) == {"text/html", "application/pdf", "text/plain"}
    pdf = bundle["application/pdf"]
    assert pdf.startswith(b"%PDF-") and 2_000 < len(pdf) < 300_000
    (tmp_path / "chart.pdf").write_bytes(pdf)
    from pypdf import PdfReader

    [page] = PdfReader(tmp_path / "chart.pdf").pages
    assert float(page.mediabox.width) == pytest.approx(charts.FULL_WIDTH, abs=40)  # drawn at the chart's size
    text = page.extract_text()
    assert "T" in text and "Y" in text  # vector text: title and axis title are text, not pixels
    assert not page.images  # no raster image inside
    assert set(output._repr_mimebundle_(include={"application/pdf"})) == {"application/pdf"}
    assert "application/pdf" not in output._repr_mimebundle_(exclude={"application/pdf"})
    # a website-only build does not draw it at all
    web = charts.ChartOutput(output.chart, "t", "Alt")  # the default: only a PDF build asks for print
    assert set(web._repr_mimebundle_()) == {"text/html", "text/plain"}


def test_print_text_is_larger_where_the_pdf_shrinks_the_chart(trend_frame, bar_frame, tmp_path):
    from pypdf import PdfReader

    trend = charts.ChartOutput(charts.trend_chart(trend_frame, title="T", y_title="Y"), "t", "Alt")
    bars = charts.ChartOutput(charts.bar_chart(bar_frame, "area", "value", "T", "Wert", ",.1f"), "b", "Alt")
    # a trend is drawn 320 px high and printed at about 190 pt: its text grows; bars print near their size
    assert charts_output.print_text_factor(trend.spec) == pytest.approx(320 / 230)
    assert charts_output.print_text_factor(bars.spec) == 1.0
    scaled = charts_output.with_text_scaled(trend.spec, 1.5)
    assert scaled["config"]["axis"]["labelFontSize"] == 1.5 * trend.spec["config"]["axis"]["labelFontSize"]
    assert scaled["config"]["title"]["fontSize"] == 1.5 * trend.spec["config"]["title"]["fontSize"]
    # longer text is cut later, and the legend's squares grow with their labels (area: factor squared)
    assert scaled["config"]["legend"]["titleLimit"] == 1.5 * trend.spec["config"]["legend"]["titleLimit"]
    assert scaled["config"]["legend"]["symbolSize"] == 1.5 * 1.5 * trend.spec["config"]["legend"]["symbolSize"]
    assert trend.spec["config"]["axis"]["labelFontSize"] == 12  # the website's chart is unchanged
    assert '"labelFontSize":12' in trend.to_html().replace(" ", "")

    def largest_text(output: charts.ChartOutput) -> float:
        path = tmp_path / f"{output.name}.pdf"
        path.write_bytes(output.to_pdf())
        sizes = []
        PdfReader(path).pages[0].extract_text(visitor_text=lambda text, cm, tm, font, size: sizes.append(size * tm[0]))
        return max(sizes)

    plain = charts.ChartOutput(trend.chart, "plain", "Alt")
    plain._pdf = vl_convert.vegalite_to_pdf(trend.spec, vl_version=charts.VL_VERSION)
    assert largest_text(trend) == pytest.approx(largest_text(plain) * 320 / 230, rel=0.05)


def test_a_long_title_goes_on_two_lines_in_print(trend_frame, bar_frame):
    long_title = "Anteil der Einwohner/-innen mit Migrationshintergrund, Stadt Leipzig"
    spec = charts.ChartOutput(charts.trend_chart(trend_frame, title=long_title, y_title="Y"), "t", "Alt").spec
    printed = charts_output.print_spec(spec)
    lines = printed["title"]["text"]
    size = printed["config"]["title"]["fontSize"]
    assert " ".join(lines) == long_title and len(lines) == 2
    assert all(len(line) * charts_output.TITLE_EM_PER_LETTER * size <= charts.FULL_WIDTH for line in lines)
    assert spec["title"]["text"] == long_title  # on the website (smaller text) it fits on one line
    short = charts.ChartOutput(charts.trend_chart(trend_frame, title="Einwohner", y_title="Y"), "s", "Alt").spec
    assert charts_output.print_spec(short)["title"] == short["title"] == {"text": "Einwohner"}
    # a title too long even for the website's chart: two lines there too, not cut at the edge
    longer = "Personen in Bedarfsgemeinschaften nach SGB II je 100 Einwohner/-innen nach Stadtbezirken, 2022"
    bars = charts.ChartOutput(charts.bar_chart(bar_frame, "area", "value", longer, "Wert", ",.1f"), "b", "Alt").spec
    assert " ".join(bars["title"]["text"]) == longer and len(bars["title"]["text"]) == 2
    assert charts_output.wrap("aa bb cc dd", 5) == ["aa bb", "cc dd"]
    assert charts_output.wrap("Grundsicherungsempfänger x", 5) == ["Grundsicherungsempfänger", "x"]


def test_long_series_names_are_listed_one_per_line_and_never_cut():
    def legend(names: list[str]) -> dict:
        frame = pd.DataFrame({"year": [2021, 2022] * len(names), "value": range(2 * len(names))})
        frame["group"] = [name for name in names for _ in (0, 1)]
        spec = charts.ChartOutput(charts.trend_chart(frame, series="group", title="T", y_title="Y"), "g", "Alt").spec
        return (
            spec["encoding"]["color"]["legend"]
            if "encoding" in spec
            else spec["layer"][0]["encoding"]["color"]["legend"]
        )

    assert legend(["Mitte", "Nord", "Ost"])["columns"] == 4
    pairs = ["Ausländer/-innen / Deutschen", "Kinder unter 15 Jahren in Bedarfsgemeinschaften / übrige Kinder"]
    long = legend(pairs + ["Personen in Bedarfsgemeinschaften / übrige Einwohner/-innen"])
    assert long["columns"] == 1 and long["labelLimit"] >= 600


def test_png_for_looking_at_pixels(trend_frame):
    png = charts.ChartOutput(charts.trend_chart(trend_frame, title="T", y_title="Y"), "t", "Alt").to_png()
    assert png.startswith(PNG_MAGIC)
    width, height = png_size(png)
    assert width == 2 * charts.FULL_WIDTH  # full width at scale 2
    assert 500 < height < 1200


def test_png_axis_uses_german_numbers(trend_frame):
    import vl_convert

    spec = charts.ChartOutput(charts.trend_chart(trend_frame, title="T", y_title="Y"), "t", "Alt").spec
    svg = vl_convert.vegalite_to_svg(spec, format_locale=charts.FORMAT_LOCALE)
    ticks = re.findall(r">([0-9.,\u2212]+)</text>", svg)
    assert "600.000" in ticks and "2023" in ticks and "2.023" not in ticks


def test_spec_ignores_globally_enabled_altair_state(trend_frame):
    import altair as alt

    chart = charts.trend_chart(trend_frame, title="T", y_title="Y")
    reference = charts.chart_spec(chart)
    with alt.theme.enable("dark"), alt.data_transformers.enable("json"):
        assert charts.chart_spec(chart) == reference
    assert alt.theme.active != charts.THEME_NAME
    assert reference["config"]["font"] == charts.FONT


def test_trend_with_series_and_bar_highlight_build(trend_frame, bar_frame):
    frame = pd.concat([trend_frame.assign(s="A"), trend_frame.assign(s="B", value=trend_frame["value"] / 2)])
    spec = charts.chart_spec(charts.trend_chart(frame, series="s", title="T", y_title="Y", series_title="Gebiet"))
    assert spec["encoding"]["color"]["field"] == "s"
    assert spec["encoding"]["x"]["axis"]["format"] == "d"
    bars = charts.chart_spec(
        charts.bar_chart(
            bar_frame,
            "area",
            "value",
            "T",
            "Wert",
            ",.1f",
            highlight="Stadt Leipzig",
            reference=10.4,
            reference_label="Stadt",
        )
    )
    text = json.dumps(bars)
    assert "Stadt Leipzig" in text and charts.HIGHLIGHT in text
    assert bars["layer"][0]["encoding"]["y"]["sort"] == ["Grünau-Mitte", "Zentrum", "Stadt Leipzig", "Plagwitz"]
    assert "Stadt: 10,4" in text


# --------------------------------------------------------------------------- bundle and CSV


def test_write_vega_bundle(tmp_path):
    path = charts.write_vega_bundle(tmp_path / "_static")
    assert path.name == charts.VEGA_BUNDLE_NAME
    text = path.read_text(encoding="utf-8")
    assert "window.vegaEmbed=" in text.replace(" ", "")
    assert "cdn.jsdelivr" not in text and "unpkg.com" not in text
    assert charts.VEGA_SCRIPT_ATTRIBUTES == {"type": "module"}
    stamp = path.stat().st_mtime_ns
    os.utime(path, ns=(stamp - 10**9, stamp - 10**9))
    charts.write_vega_bundle(tmp_path / "_static")
    assert path.stat().st_mtime_ns == stamp - 10**9  # unchanged content is not written again


def test_vega_bundle_is_kept_per_installed_version_and_rebuilt_when_damaged(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    charts.vega_bundle.cache_clear()
    try:
        bundle = charts.vega_bundle()
        cached = charts._bundle_cache_file()
        assert cached.parent == tmp_path / "sozialbericht" and vl_convert.__version__ in cached.name
        assert cached.read_text(encoding="utf-8") == bundle
        cached.write_text(bundle[: len(bundle) // 2], encoding="utf-8")  # e.g. a disk that filled up
        charts.vega_bundle.cache_clear()
        assert charts.vega_bundle() == bundle and cached.read_text(encoding="utf-8") == bundle
    finally:
        charts.vega_bundle.cache_clear()


def test_save_chart_csv(tmp_path, bar_frame):
    path = charts.save_chart_csv(bar_frame, tmp_path / "sub" / "daten.csv")
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "area,value"
    assert "Grünau-Mitte,1234.5" in text
    pd.testing.assert_frame_equal(pd.read_csv(path), bar_frame, check_dtype=False)


# --------------------------------------------------------------------------- maps (real geometry)


def test_map_geometry_is_small_clockwise_and_cached(ortsteile):
    import shapely

    prepared = charts.map_geometry(ortsteile)
    assert prepared.crs.to_epsg() == 4326 and len(prepared) == 63
    assert shapely.is_valid(prepared.geometry.values).all()
    rings = shapely.get_exterior_ring(prepared.geometry.values)
    assert not shapely.is_ccw(rings).any()
    assert (
        shapely.get_num_coordinates(prepared.geometry.values).sum()
        < shapely.get_num_coordinates(ortsteile.geometry.values).sum() / 3
    )
    again = charts.map_geometry(ortsteile.copy())
    assert again.geometry.values[0] is prepared.geometry.values[0]  # from the cache


def test_choropleth_legend_tooltip_and_size(ortsteile):
    chart = charts.choropleth(ortsteile, "value", "Einwohner", "Einwohner", ",.0f", classes=5)
    output = charts.ChartOutput(chart, "karte", "Karte der Einwohner")
    spec = output.spec["layer"][0]  # the areas; borders and names are layers over them
    domain = spec["encoding"]["color"]["scale"]["domain"]
    assert len(domain) == 6 and domain[-1] == "keine Angabe"
    assert domain[0].startswith("500 bis unter ") and " bis unter " in domain[1]
    assert re.fullmatch(r"\d{1,2}\.\d{3} bis \d{2}\.\d{3}", domain[4])  # last class includes its top
    assert [t["title"] for t in spec["encoding"]["tooltip"]] == ["Ortsteil", "Einwohner"]
    html = output.to_html()
    assert 50_000 < len(html) < 250_000
    assert "keine Angabe" in html


def test_each_area_is_classed_by_the_value_it_shows(ortsteile):
    # 6,08 is shown as 6,1: it must not sit in a class "... bis unter 6,1" next to a 6,1 in "6,1 bis ..."
    geo = ortsteile.copy()
    # 20 low values, then 6,08 and 30 times 6,1 (so that 6,1 is a class bound), then 12 high ones
    geo["value"] = [6.08, 6.1] + [1.0 + i / 10 for i in range(20)] + [6.1] * 29 + [9.0] * 12
    chart = charts.choropleth(geo, "value", "Anteil", "%", ",.1f", classes=5)
    rows = {row["area_name"]: row for row in charts.ChartOutput(chart, "k", "Karte").spec["datasets"].popitem()[1]}
    first, second = geo["area_name"].iloc[0], geo["area_name"].iloc[1]
    assert rows[first]["wert"] == rows[second]["wert"] == "6,1"
    assert rows[first]["klasse"] == rows[second]["klasse"]
    # rounded as the map writes its values (like d3: 6.05 is 6.0499… in binary and shows as 6,0)
    assert charts_maps.as_shown([6.05, 2.25, -1.25, 0.0], 1).tolist() == [6.0, 2.3, -1.3, 0.0]
    assert [charts.format_value(v, ",.1f") for v in (6.05, 2.25, -1.25)] == ["6,0", "2,3", "\u22121,3"]


def test_choropleth_png_draws_polygons(ortsteile):
    chart = charts.choropleth(ortsteile, "value", "Einwohner", "Einwohner", ",.0f", classes=5)
    png = charts.ChartOutput(chart, "karte", "Karte").to_png()
    pixels = read_png(png)
    counts = colour_counts(pixels)
    total = pixels.shape[0] * pixels.shape[1]
    assert len(counts) > 20
    assert max(counts.values()) < 0.8 * total  # not one colour everywhere
    palette = [hex_rgb(c) for c in charts.map_palette("neutral", 5)] + [hex_rgb(charts.MISSING_COLOR)]
    drawn = [counts.get(colour, 0) for colour in palette]
    # every class and the grey cover areas, not just their legend square (22 x 22 px at scale 2)
    assert all(n > 5000 for n in drawn), drawn
    # polygons on a white page, not one filled rectangle (which leaves almost no white)
    assert sum(drawn) < 0.5 * total
    assert counts.get((255, 255, 255), 0) > 0.3 * total


def test_one_colour_rule_darker_is_less_favourable():
    def lightness(colour):
        r, g, b = hex_rgb(colour)
        return 0.299 * r + 0.587 * g + 0.114 * b

    worse = charts.map_palette("higher_worse", 5)
    better = charts.map_palette("higher_better", 5)
    neutral = charts.map_palette("neutral", 5)
    # classes run from the lowest to the highest value
    assert [lightness(c) for c in worse] == sorted((lightness(c) for c in worse), reverse=True)
    assert [lightness(c) for c in better] == sorted(lightness(c) for c in better)
    assert better == worse[::-1]
    assert set(neutral).isdisjoint(worse), "neutral indicators get a scheme of their own"
    assert "ungünstiger" in charts.legend_direction("higher_worse")
    assert "niedrigere" in charts.legend_direction("higher_better")
    assert "ohne Wertung" in charts.legend_direction("neutral")
    with pytest.raises(ValueError, match="direction"):
        charts.map_palette("sideways", 5)


def test_choropleth_names_direction_city_value_borders_and_places(ortsteile, stadtbezirke):
    chart = charts.choropleth(
        ortsteile,
        "value",
        "Arbeitslose",
        "% der 15- bis 64-Jährigen",
        ",.0f",
        direction="higher_worse",
        city_value=float(ortsteile["value"].median()),
        borders=stadtbezirke,
        label_names=[ortsteile["area_name"].iloc[0]],
    )
    spec = charts.chart_spec(chart)
    areas, border, *names = spec["layer"]
    legend_title = areas["encoding"]["color"]["title"]
    assert legend_title[1] == "dunkler = ungünstiger (höhere Werte)"
    assert legend_title[2].startswith("Stadt Leipzig: ")
    assert sum("darin Stadt" in label for label in areas["encoding"]["color"]["scale"]["domain"]) == 1
    assert border["mark"]["type"] == "geoshape" and border["mark"]["filled"] is False
    texts = [layer for layer in names if layer["mark"]["type"] == "text"]
    named = {row["area_name"] for t in texts for row in spec["datasets"][t["data"]["name"]]}
    assert texts and named == {ortsteile["area_name"].iloc[0]}


def test_counts_are_circles_not_coloured_areas(ortsteile, stadtbezirke):
    chart = charts.symbol_map(ortsteile, "value", "Einwohner", "Personen", ",.0f", borders=stadtbezirke)
    spec = charts.chart_spec(chart)
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert "circle" in marks
    for layer in spec["layer"]:
        if layer["mark"]["type"] == "geoshape":
            assert "color" not in layer.get("encoding", {}), "a count never colours the areas"
    circles = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "circle")
    size = circles["encoding"]["size"]
    assert size["scale"]["zero"] is True and size["scale"]["domain"][0] == 0  # area proportional to the count
    png = charts.ChartOutput(chart, "karte", "Karte").to_png()
    assert len(colour_counts(read_png(png))) > 10
