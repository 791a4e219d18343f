"""One edition's shared context: inputs, catalogue, indicator values, early warning, policy.

Every notebook of an edition builds one ``Edition`` from the prepared inputs of the
build; what it needs is computed on first use and reused within the notebook. The build
itself makes one with ``Edition.from_inputs`` from the inputs it has in memory.
"""

from __future__ import annotations

from functools import cached_property

import pandas as pd

from sozialbericht.analysis import warning
from sozialbericht.analysis.indicators import compute, read_catalogue
from sozialbericht.data.inputs import Inputs, read_inputs
from sozialbericht.errors import SozialberichtError
from sozialbericht.policy import matching
from sozialbericht.policy.schema import Policy, load_policy
from sozialbericht.report import charts, policy_pages, policy_print


class Edition:
    def __init__(self, year: int, inputs_file: Inputs | str | None = None, formats: str = "html,pdf"):
        """``inputs_file``: the build's prepared inputs (a file), inputs in hand, or none (read them)."""
        self.year = int(year)
        # the outputs this build makes: images for the PDF are skipped when only the website is built
        self.formats = {f.strip() for f in str(formats).split(",") if f.strip()}
        self.inputs = read_inputs(inputs_file or None)
        self.catalogue = read_catalogue(datasets=self.inputs.specs)
        covered = self.inputs.years("einwohner")
        if self.year not in covered:
            raise SozialberichtError(
                f"The data cover the years {covered[0]}–{covered[-1]}; there is no edition {self.year}. "
                "Choose a year in that range (make report YEAR=...)."
            )

    @classmethod
    def from_inputs(cls, inputs: Inputs, year: int, formats: str = "html,pdf") -> Edition:
        """The edition of ``year`` for inputs already in memory (the build's own process)."""
        return cls(year, inputs, formats)

    @property
    def print_charts(self) -> bool:
        """Whether charts carry their printed form: only the PDF needs it."""
        return "pdf" in self.formats

    def chart_output(self, chart, name: str, alt_text: str, csv_href: str | None = None) -> charts.ChartOutput:
        """A chart as a notebook output; drawn for print only when this edition builds a PDF."""
        return charts.ChartOutput(chart, name, alt_text, csv_href=csv_href, for_print=self.print_charts)

    def _precomputed(self, name: str):
        stored = self.inputs.precomputed
        return stored.get(name) if stored.get("year") == self.year else None

    @cached_property
    def values(self) -> dict[str, pd.DataFrame]:
        """Every indicator's values (all areas, all years)."""
        stored = self._precomputed("values")
        if stored is not None:
            return stored
        return {i: compute(self.inputs, ind) for i, ind in self.catalogue.indicators.items()}

    @cached_property
    def warning_config(self) -> warning.WarningConfig:
        return warning.load_config(catalogue=self.catalogue)

    @cached_property
    def warning(self) -> warning.Result:
        stored = self._precomputed("warning")
        if stored is not None:
            return stored
        values = warning.load_values(self.inputs, self.warning_config)
        effects = warning.special_effects(self.catalogue)
        return warning.run(values, self.year, self.warning_config, effects=effects)

    @cached_property
    def policy(self) -> Policy:
        return load_policy(self.year, geography=self.inputs.geography)

    @cached_property
    def evidence(self) -> pd.DataFrame:
        """Per Ortsteil and target group: is the group's evidence above the city's (participation rule)?"""
        return matching.group_evidence(self.policy, self.values, self.year)

    def index_components(self) -> list[str]:
        return [i.id for i in self.warning_config.index]

    def flags_for(self, indicator_ids: list[str]) -> pd.DataFrame:
        """Flags that concern these indicators; an index flag concerns its components."""
        flags = self.warning.flags
        wanted = set(indicator_ids)
        components = set(self.index_components())
        mask = flags["indicator"].isin(wanted)
        if wanted & components:
            mask |= flags["indicator"] == warning.INDEX_INDICATOR
        return flags[mask]


POLICY_FOLDER = "politik"


def recommendations_text(edition: Edition, chapter_id: str, indicators: list[str]) -> str:
    """Recommendations by place for the flags on a chapter's indicators."""
    flags = edition.flags_for(indicators)
    return policy_pages.recommendations_markdown(edition.policy, flags, edition.year, chapter_id)


def policy_fragments(edition: Edition) -> dict[str, str]:
    """The parts of the pages that come from the administration's catalogues (plans, measures,
    participation), as MyST files that the pages include. A change in data/measures.yml then
    rewrites these files only, and no notebook needs to run again.
    """
    fragments = {}
    policy, year = edition.policy, edition.year
    for chapter in edition.catalogue.chapters:
        indicators = [i.id for i in edition.catalogue.for_chapter(chapter["id"])]
        flags = edition.flags_for(indicators)
        # in full on the website; in print a paragraph pointing to the register (printed once, chapter "Maßnahmen")
        fragments[f"{chapter['id']}-plaene.md"] = policy_print.web_and_print(
            policy_pages.plans_markdown(policy, chapter["id"], year),
            policy_print.plans_print(policy, chapter["id"], year),
        )
        local = policy_pages.local_activity_markdown(policy, flags, year)
        measures = policy_pages.measures_markdown(policy, chapter["id"], year)
        fragments[f"{chapter['id']}-massnahmen.md"] = policy_print.web_and_print(
            f"{local}\n\n{measures}" if local else measures,
            policy_print.measures_print(policy, chapter["id"], year, local),
        )
        fragments[f"{chapter['id']}-empfehlungen.md"] = recommendations_text(edition, chapter["id"], indicators)
    for code, area_flags in edition.warning.flags.groupby("area_code"):
        fragments[f"beteiligung-ot-{code}.md"] = policy_pages.participation_markdown(
            policy, area_flags, edition.evidence, year
        )
    return {name: text if text.endswith("\n") else text + "\n" for name, text in fragments.items()}


def write_policy_fragments(edition: Edition, edition_dir) -> int:
    """Write the fragments into the edition's folder (only files whose text changed)."""
    from pathlib import Path

    folder = Path(edition_dir) / POLICY_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    fragments = policy_fragments(edition)
    for old in folder.glob("*.md"):
        if old.name not in fragments:
            old.unlink()
    for name, text in fragments.items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return len(fragments)


def precompute(edition: Edition) -> None:
    """Compute what every notebook of the edition needs once, and keep it with the inputs."""
    edition.inputs.precomputed = {"year": edition.year, "values": edition.values, "warning": edition.warning}
