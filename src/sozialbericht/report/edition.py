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
from sozialbericht.policy import register as policy_module


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
    def png(self) -> bool:
        """Whether charts carry a PNG: only the PDF needs one."""
        return "pdf" in self.formats

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
    def policy(self) -> policy_module.Policy:
        return policy_module.load_policy(self.year)

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
    """Recommendations derived by rule from the flags on a chapter's indicators and the register."""
    flags = edition.flags_for(indicators)
    if flags.empty:
        return (
            "Das Frühwarnsystem markiert für die Kennzahlen dieses Kapitels keinen Ortsteil; "
            "daraus ergibt sich keine zusätzliche Empfehlung."
        )
    return policy_module.recommendations_markdown(edition.policy, flags, edition.year, chapter_id)


def policy_fragments(edition: Edition) -> dict[str, str]:
    """The parts of the pages that come from the administration's catalogues (plans, measures,
    participation), as MyST files that the pages include. A change in data/measures.yml then
    rewrites these files only, and no notebook needs to run again.
    """
    fragments = {}
    flags = edition.warning.flags
    for chapter in edition.catalogue.chapters:
        indicators = [i.id for i in edition.catalogue.for_chapter(chapter["id"])]
        fragments[f"{chapter['id']}-plaene.md"] = policy_module.plans_markdown(
            edition.policy, chapter["id"], edition.year
        )
        fragments[f"{chapter['id']}-massnahmen.md"] = policy_module.measures_markdown(
            edition.policy, chapter["id"], edition.year
        )
        fragments[f"{chapter['id']}-empfehlungen.md"] = recommendations_text(edition, chapter["id"], indicators)
    for code, area_flags in flags.groupby("area_code"):
        fragments[f"beteiligung-ot-{code}.md"] = policy_module.participation_markdown(edition.policy, area_flags)
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
