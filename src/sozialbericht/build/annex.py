"""The annex ``ortsteil-steckbriefe-YEAR.pdf``: one A4 page per Ortsteil, a title and a contents page.

A small LaTeX document written from the data (not a second Sphinx build): each page has the
Ortsteil's place in the city, its key figures with units against Stadtbezirk and city, two or
three sentences (what stands out, what changed, early-warning status and what is planned) and a
compact chart with axis titles and units. One xelatex run (the contents page numbers are known:
Ortsteil *i* is on page 2 + *i*), a few seconds; the build runs it next to the Sphinx builds.

Run alone: ``python -m sozialbericht.build.annex --year 2022 --inputs _build/work/2022/inputs.pkl --out DIR``.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from sozialbericht import fmt
from sozialbericht import settings as config
from sozialbericht.build import annex_tikz as tikz
from sozialbericht.errors import SozialberichtError
from sozialbericht.report.profiles import ANNEX_CHART_INDICATORS

FIRST_PROFILE_PAGE = 3  # after the title page and the contents page

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


class AnnexError(SozialberichtError):
    pass


def tex(text) -> str:
    """Text for LaTeX: special characters escaped, the example badge in bold."""
    value = str(text).replace("**[Beispiel]**", "[Beispiel]")
    value = "".join(_SPECIAL.get(ch, ch) for ch in value)
    return value.replace("[Beispiel]", r"\textbf{[Beispiel]}")


def annex_name(year: int) -> str:
    return f"ortsteil-steckbriefe-{year}"


def preamble(year: int) -> str:
    return rf"""\documentclass[a4paper,10pt]{{article}}
\usepackage[a4paper, top=1.5cm, bottom=1.6cm, left=1.8cm, right=1.8cm]{{geometry}}
\usepackage{{fontspec}}
\usepackage{{polyglossia}}
\setmainlanguage[spelling=new]{{german}}
\setmainfont{{FreeSans}}
\usepackage{{xcolor}}
\usepackage{{tikz}}
\usepackage{{tabularx}}
\usepackage{{booktabs}}
\usepackage{{multicol}}
\usepackage{{fancyhdr}}
\usepackage[hidelinks]{{hyperref}}
\hypersetup{{pdftitle={{Ortsteil-Steckbriefe {year}}}, pdfauthor={{Stadt Leipzig}},
  pdfsubject={{Anhang zum Sozialbericht Leipzig {year}: eine Seite je Ortsteil, Stichtag {fmt.year_end(year)}}},
  pdflang={{de}}, pdfkeywords={{Sozialbericht, Leipzig, Ortsteile, Steckbriefe}}}}
\setlength{{\parindent}}{{0pt}}
\setlength{{\parskip}}{{0.4em}}
\pagestyle{{fancy}}
\fancyhf{{}}
\renewcommand{{\headrulewidth}}{{0pt}}
\fancyfoot[L]{{\scriptsize Ortsteil-Steckbriefe {year} · Anhang zum Sozialbericht Leipzig · Herausgeber: Stadt Leipzig}}
\fancyfoot[R]{{\scriptsize \thepage}}
{tikz.colour_definitions()}"""


def title_page(year: int, ortsteile: int) -> str:
    return rf"""\begin{{titlepage}}
\vspace*{{0.2\textheight}}
{{\Huge\bfseries Ortsteil-Steckbriefe {year}\par}}
\vspace{{1em}}
{{\Large Anhang zum Sozialbericht Leipzig, Ausgabe {year}\par}}
\vspace{{0.6em}}
{{\large Stichtag {fmt.year_end(year)}\par}}
\vspace{{2em}}
{{\large {ortsteile} Ortsteile auf je einer Seite: Lage in der Stadt, Kennzahlen im Vergleich zu Stadtbezirk
und Stadt, Einstufung im Frühwarnsystem und Entwicklung\par}}
\vfill
{{\Large\bfseries Herausgeber: Stadt Leipzig\par}}
\vspace{{0.8em}}
{{\small Daten: {tex(config.ATTRIBUTION)}. Lizenz der Daten: {tex(config.LICENCE)}, \url{{{config.LICENCE_URL}}}.\\
Definitionen und Methoden: Anhang „Daten, Quellen und Methoden“ des Sozialberichts {year}.\par}}
\end{{titlepage}}
\setcounter{{page}}{{2}}
"""


def contents_page(entries: list[tuple[str, str, str]]) -> str:
    """Ortsteile by Stadtbezirk with their page numbers, linked. ``entries``: (Stadtbezirk, code, name)."""
    lines = [r"\section*{Inhalt}", r"\begin{multicols}{2}\small"]
    current = None
    for page, (sbz, code, name) in enumerate(entries, start=FIRST_PROFILE_PAGE):
        if sbz != current:
            lines.append(rf"\par\medskip\textbf{{Stadtbezirk {tex(sbz)}}}\par")
            current = sbz
        lines.append(rf"\hyperlink{{ot-{code}}}{{{code}\ {tex(name)}}}\dotfill {page}\par")
    lines += [r"\end{multicols}", r"\clearpage"]
    return "\n".join(lines)


def key_table(rows: list[dict]) -> str:
    """The key figures: Ortsteil, Stadtbezirk and city with the unit of each line."""
    lines = [
        r"{\small\renewcommand{\arraystretch}{1.12}",
        r"\begin{tabularx}{\textwidth}{@{}X>{\raggedright\arraybackslash}p{4.6cm}rrrr@{}}",
        r"\toprule",
        r"Kennzahl & Einheit & Ortsteil & Stadtbezirk & Stadt & Jahr\\",
        r"\midrule",
    ]
    for row in rows:
        ind = row["indicator"]
        cells = [fmt.number(row[k], ind.decimals) for k in ("ot", "sbz", "city")]
        lines.append(f"{tex(ind.short)} & {tex(ind.unit)} & " + " & ".join(cells) + f" & {row['year']}\\\\")
    lines += [r"\bottomrule", r"\end{tabularx}}"]
    return "\n".join(lines)


def profile_page(profiles, frame, code: str) -> str:
    """One Ortsteil on one page."""
    ot = profiles._by_code.loc[code]
    name, sbz = ot["area_name"], profiles.sbz_names[ot["sbz_code"]]
    population = next((r for r in profiles.key_rows(code) if r["indicator"].id == "einwohner"), None)
    inhabitants = (
        f" · Einwohner/-innen am {fmt.year_end(population['year'])}: {fmt.number(population['ot'])}"
        if population and not math.isnan(population["ot"])
        else ""
    )
    sentences = " ".join(tex(s) for s in profiles.sentences(code))
    panels = []
    for indicator_id in ANNEX_CHART_INDICATORS:
        ind = profiles.catalogue.indicators[indicator_id]
        panels.append(tikz.line_chart(profiles.series(code, indicator_id), tex(ind.short), tex(ind.unit), ind.decimals))
    return "\n".join(
        [
            rf"\hypertarget{{ot-{code}}}{{}}",
            rf"{{\LARGE\bfseries {tex(name)}\par}}",
            rf"{{\small Ortsteil {code} im Stadtbezirk {tex(sbz)}{inhabitants} · Ausgabe {profiles.year}\par}}",
            r"\medskip",
            r"\begin{minipage}[t]{6.0cm}\vspace{0pt}",
            frame.locator(code),
            r"\par{\scriptsize Lage in der Stadt; Linien: Stadtbezirksgrenzen.\par}",
            r"\end{minipage}\hfill",
            r"\begin{minipage}[t]{\dimexpr\textwidth-6.5cm\relax}\vspace{0pt}",
            r"\raggedright\textbf{Auf einen Blick}\par",
            sentences,
            r"\end{minipage}",
            r"\par\medskip",
            key_table(profiles.key_rows(code)),
            r"\par\medskip",
            r"\textbf{Entwicklung im Vergleich}\par\smallskip",
            r"\hspace*{0.9cm}" + panels[0] + r"\hfill" + panels[1] + r"\hspace*{0.2cm}",
            r"\par\smallskip",
            tikz.legend(tex(name), tex(sbz)),
            r"\vfill",
            rf"{{\scriptsize Quelle: {tex(config.ATTRIBUTION)}; eigene Berechnungen. "
            r"Definitionen: Anhang „Daten, Quellen und Methoden“ des Sozialberichts.\par}",
            r"\clearpage",
        ]
    )


def annex_tex(profiles) -> str:
    """The whole annex as one LaTeX document."""
    inputs = profiles.inputs.geography
    frame = tikz.MapFrame(inputs.ortsteile, inputs.stadtbezirke)
    ordered = profiles.ortsteile.assign(sbz_name=profiles.ortsteile["sbz_code"].map(profiles.sbz_names))
    ordered = ordered.sort_values(["sbz_code", "area_code"])
    entries = [(row.sbz_name, row.area_code, row.area_name) for row in ordered.itertuples()]
    parts = [
        preamble(profiles.year),
        frame.city_box(),
        r"\begin{document}",
        title_page(profiles.year, len(entries)),
        contents_page(entries),
    ]
    parts += [profile_page(profiles, frame, code) for _, code, _ in entries]
    parts.append(r"\end{document}")
    return "\n".join(parts) + "\n"


def write_tex(year: int, inputs_file: str, out_dir: Path) -> Path:
    from sozialbericht.report.profiles import Profiles

    profiles = Profiles(year, str(inputs_file), formats="pdf")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{annex_name(year)}.tex"
    path.write_text(annex_tex(profiles), encoding="utf-8")
    return path


def compile_tex(tex_file: Path) -> Path:
    """One xelatex run; an error names the log and its first error line."""
    command = ["xelatex", "-interaction=nonstopmode", "-halt-on-error", tex_file.name]
    result = subprocess.run(command, cwd=tex_file.parent, capture_output=True, text=True, errors="replace")
    pdf = tex_file.with_suffix(".pdf")
    if result.returncode != 0 or not pdf.is_file():
        log = tex_file.with_suffix(".log")
        errors = [line for line in result.stdout.splitlines() if line.startswith("!")]
        raise AnnexError(f"xelatex failed for {tex_file.name} ({errors[0] if errors else 'no PDF'}); log: {log}")
    return pdf


def build_annex(year: int, inputs_file: str, out_dir: Path) -> Path:
    """Write and compile the annex; returns the PDF (in ``out_dir``)."""
    tex_file = write_tex(year, inputs_file, out_dir)
    stale = tex_file.with_suffix(".pdf")
    stale.unlink(missing_ok=True)  # never publish the annex of an earlier run
    return compile_tex(tex_file)


def start(year: int, inputs_file: Path, out_dir: Path, low_priority: bool = False) -> subprocess.Popen:
    """The annex build as a separate process, so it runs next to the notebooks and the Sphinx builds.

    ``low_priority``: a nice value of 10, so it takes the CPU the other steps leave instead of slowing them."""
    out_dir.mkdir(parents=True, exist_ok=True)
    log = open(out_dir / "annex.log", "w")  # noqa: SIM115 (closed by the child's exit; the parent only reads)
    command = [sys.executable, "-m", "sozialbericht.build.annex", "--year", str(year)]
    command += ["--inputs", str(inputs_file), "--out", str(out_dir)]
    nice = (lambda: os.nice(10)) if low_priority else None
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy(), preexec_fn=nice)


def finish(process: subprocess.Popen, year: int, out_dir: Path) -> Path:
    """Wait for :func:`start`'s process; its PDF, or an error with the end of its log."""
    code = process.wait()
    pdf = out_dir / f"{annex_name(year)}.pdf"
    if code != 0 or not pdf.is_file():
        text = (out_dir / "annex.log").read_text(encoding="utf-8", errors="replace")
        tail = "\n".join(text.strip().splitlines()[-8:])
        raise AnnexError(f"The annex {pdf.name} was not built (log: {out_dir / 'annex.log'}):\n{tail}")
    return pdf


def publish(pdf: Path, target_dir: Path) -> Path:
    """Copy the annex to ``target_dir`` (``_build/pdf``) with one rename: readers never see half a file."""
    import shutil

    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / pdf.name
    temporary = target.with_suffix(f".pdf.tmp{os.getpid()}")
    shutil.copy2(pdf, temporary)
    os.replace(temporary, target)
    return target


def offer_publications(html_dir: Path, year: int, report: Path | None, annex_pdf: Path | None) -> list[Path]:
    """Both PDFs of this build (report and annex) on the edition's site, in its downloads and in its data
    package. PDFs of an earlier build are removed from the website's folder first: a website-only build
    offers no PDF of other inputs (the release adds the report PDF when its key matches; build/release.py)."""
    import json
    import shutil

    folder = html_dir / "downloads"
    titles = {
        f"sozialbericht-{year}.pdf": (report, f"Sozialbericht Leipzig {year} (PDF)"),
        f"{annex_name(year)}.pdf": (annex_pdf, f"Ortsteil-Steckbriefe {year}, Anhang zum Sozialbericht (PDF)"),
    }
    offered = []
    for name, (source, title) in titles.items():
        for stale in (html_dir / name, folder / name):
            stale.unlink(missing_ok=True)
        if source is not None and source.is_file():
            shutil.copy2(source, html_dir / name)
            if folder.is_dir():
                shutil.copy2(source, folder / name)
                offered.append((name, title))
    package_file = folder / "datapackage.json"
    if package_file.is_file():
        package = json.loads(package_file.read_text(encoding="utf-8"))
        resources = [r for r in package.get("resources", []) if r.get("path") not in titles]
        resources += [
            {
                "name": name.removesuffix(".pdf"),
                "path": name,
                "title": title,
                "format": "pdf",
                "mediatype": "application/pdf",
            }
            for name, title in offered
        ]
        package["resources"] = resources
        package_file.write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
    return [folder / name for name, _ in offered]


def page_count(pdf: Path) -> int:
    result = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", result.stdout, re.M).group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--inputs", required=True, help="prepared inputs of the build (inputs.pkl)")
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        pdf = build_annex(args.year, args.inputs, args.out)
    except SozialberichtError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"{pdf} ({page_count(pdf)} pages) in {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
