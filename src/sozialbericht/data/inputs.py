"""All inputs of an edition, fetched and parsed once per build.

``load_inputs(source)`` reads every dataset named in ``data/datasets.yml`` and both
geometries from the configured source, parses them into one tidy table with
area codes and levels, completes the Stadtbezirk and city level for counts,
and records a manifest entry for every input file. Datasets of the city-wide
``values`` endpoint (``endpoint: values``) enter the same table with the level
"Stadt"; one marked ``optional: true`` that the source cannot deliver is listed
in ``Inputs.missing`` instead of stopping the build.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sozialbericht import settings as config
from sozialbericht.data.aggregate import complete_levels
from sozialbericht.data.catalogue import load_catalogue
from sozialbericht.data.dataset_schema import DatasetsFile
from sozialbericht.data.geography import ORTSTEIL, STADT, STADTBEZIRK, Geography
from sozialbericht.data.opendata import Cache, LocalSource, open_source
from sozialbericht.data.parse import parse
from sozialbericht.data.parse_values import parse_values
from sozialbericht.errors import DataSourceError, ParseError, SozialberichtError
from sozialbericht.settings import Settings

KINDS = {"count", "rate", "mean", "median", "share"}
ENDPOINTS = {"kdvalues": "fetch_dataset", "values": "fetch_values"}
TIDY_COLUMNS = ["dataset", "area_code", "area_name", "level", "sbz_code", "feature", "year", "value", "status", "row"]


@dataclass
class DatasetSpec:
    key: str
    title: str
    default_kind: str
    unit: str = ""
    survey: bool = False
    features: dict = field(default_factory=dict)
    endpoint: str = "kdvalues"  # kdvalues: per area; values: city-wide series
    optional: bool = False  # may be missing from the source: the build lists it and goes on

    @property
    def city_wide(self) -> bool:
        return self.endpoint == "values"

    def kind(self, feature: str) -> str:
        return self.features.get(feature, {}).get("kind", self.default_kind)

    def unit_of(self, feature: str) -> str:
        return self.features.get(feature, {}).get("unit", self.unit)


def read_dataset_specs(path: Path = config.DATA_DIR / "datasets.yml") -> dict[str, DatasetSpec]:
    """Read ``datasets.yml`` through its schema (every problem at once, in German, with dataset key and field)."""
    parsed = load_catalogue(DatasetsFile, Path(path))
    return {
        key: DatasetSpec(
            key,
            entry.title,
            entry.default_kind,
            entry.unit,
            entry.survey,
            {name: feature.model_dump(exclude_none=True) for name, feature in entry.features.items()},
            entry.endpoint,
            entry.optional,
        )
        for key, entry in parsed.datasets.items()
    }


@dataclass
class Inputs:
    table: pd.DataFrame  # tidy: TIDY_COLUMNS
    geography: Geography
    specs: dict[str, DatasetSpec]
    manifest: list[dict]
    sum_checks: pd.DataFrame  # published Stadtbezirk/city value vs sum of Ortsteile
    source: str
    # results the build computes once for all notebooks of an edition (see edition.precompute)
    precomputed: dict = field(default_factory=dict)
    # optional datasets the source could not deliver: {"dataset", "title", "reason"}
    missing: list[dict] = field(default_factory=list)

    def has(self, dataset: str) -> bool:
        """Whether the dataset was read (an optional one may be missing)."""
        return dataset in self.specs and all(m["dataset"] != dataset for m in self.missing)

    def series(self, dataset: str, feature: str) -> pd.DataFrame:
        """Rows of one feature, all areas and years."""
        # positions of each (dataset, feature), found once: comparing the string columns for
        # every call cost the build half a second
        index = self.__dict__.get("_series_positions")
        if index is None:
            index = self.table.groupby(["dataset", "feature"], sort=False, observed=True).indices
            self.__dict__["_series_positions"] = index
        positions = index.get((dataset, feature))
        rows = self.table.iloc[positions] if positions is not None else self.table.iloc[0:0]
        if rows.empty:
            known = sorted(self.table.loc[self.table["dataset"] == dataset, "feature"].unique())
            file = next((m["source"] for m in self.manifest if m.get("dataset") == dataset), "")
            raise SozialberichtError(
                f"Feature {feature!r} is not in dataset {dataset!r}{f' ({file})' if file else ''}; it has {known}. "
                "If the name is right, the file may be truncated (cut before this feature): download it again."
            )
        return rows

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_series_positions", None)  # derived; rebuilt on first use
        return state

    def years(self, dataset: str) -> list[int]:
        return sorted(self.table.loc[self.table["dataset"] == dataset, "year"].unique().tolist())

    def content_digest(self) -> str:
        """Identifies the input data by content (sha256 of every file), not by when it was read."""
        import hashlib

        parts = sorted(f"{m['name']}={m['sha256']}" for m in self.manifest)
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        with open(temporary, "wb") as handle:
            pickle.dump(self, handle, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(path)


def _fetch(source, cache: Cache | None, fetch_name: str, arg: str):
    """Fetch through the cache for the live API; local folders are read directly."""
    method = getattr(source, fetch_name)
    if cache is None or isinstance(source, LocalSource):
        return method(arg)
    key = f"{fetch_name}:{arg}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    fetched = method(arg)
    return fetched, key  # stored by the caller only after it parsed


def load_inputs_for(settings: Settings) -> Inputs:
    """Every input from the data source the settings name, through their download cache."""
    return load_inputs(open_source(settings), cache=Cache(settings.cache_dir, settings.cache_hours))


def load_inputs(source, specs: dict[str, DatasetSpec] | None = None, cache: Cache | None = None) -> Inputs:
    """Every input from ``source``; downloads are cached in ``cache`` (none: not cached)."""
    specs = specs or read_dataset_specs()
    manifest: list[dict] = []
    pending: list = []

    def fetch(fetch_name: str, arg: str):
        result = _fetch(source, cache, fetch_name, arg)
        if isinstance(result, tuple):
            fetched, key = result
            pending.append((key, fetched))
            return fetched
        return result

    ot = fetch("fetch_geometry", "ortsteile")
    sbz = fetch("fetch_geometry", "stadtbezirke")
    geography = Geography.from_geojson(ot.content, sbz.content, (ot.source, sbz.source))
    manifest += [ot.manifest(), sbz.manifest()]
    for record, label in zip(manifest, ("Ortsteil ", "Stadtbezirk ")):
        record["repairs"] = [note for note in geography.repairs if note.startswith(label)]
    areas = geography.areas()
    frames = []
    missing: list[dict] = []
    for key, spec in specs.items():
        try:
            fetched = fetch(ENDPOINTS[spec.endpoint], spec.title)
        except DataSourceError as error:
            if not spec.optional:
                raise
            missing.append({"dataset": key, "title": spec.title, "reason": str(error)})
            continue
        if spec.city_wide:
            # the unit (einheit) stays with the parser's output; the catalogues name the unit they show
            table = parse_values(fetched.content, fetched.source).drop(columns="unit")
        else:
            table = parse(fetched.content, fetched.source)
        table = geography.attach_codes(table, fetched.source)
        if not spec.city_wide:
            _check_complete(table, areas, fetched.source)
        _check_named_features(table, spec, fetched.source)
        table, gaps = mark_missing_years(table, step=2 if spec.survey else 1)
        table.insert(0, "dataset", key)
        frames.append(table[TIDY_COLUMNS])
        record = fetched.manifest()
        years = f"{table['year'].min()}–{table['year'].max()}"
        record.update(
            dataset=key, rows=int(len(table)), years=years + (f" (ohne {', '.join(map(str, gaps))})" * bool(gaps))
        )
        record["missing_years"] = gaps
        manifest.append(record)
    table = pd.concat(frames, ignore_index=True)
    counts = {
        (d, f)
        for d, f in table[["dataset", "feature"]].drop_duplicates().itertuples(index=False)
        if specs[d].kind(f) == "count"
    }
    _check_counts(table, counts, manifest)
    # the values endpoint marks missing figures with signs or leaves the year out: its zeros are real
    kdvalues = {key for key, spec in specs.items() if not spec.city_wide}
    table = _zero_rates_unavailable(table, counts, kdvalues)
    table, checks = complete_levels(table, areas, counts)
    table["row"] = table["row"].astype("Int64")
    # only inputs that parsed and matched the geography enter the cache
    for key, fetched in pending:
        cache.put(fetched, key)
    return Inputs(
        table.sort_values(["dataset", "feature", "year", "level", "area_code"]).reset_index(drop=True),
        geography,
        specs,
        manifest,
        checks,
        source.describe(),
        missing=missing,
    )


def _check_complete(table: pd.DataFrame, areas: pd.DataFrame, source: str) -> None:
    """The API lists every Ortsteil for every feature; a missing row means a cut or changed file.

    A file that has Stadtbezirk or city rows has every Stadtbezirk and the city for every
    feature: without this check a file cut before its last city row would be completed with
    the sum of the Ortsteile, which is not the published number.
    """
    features = table.loc[table["level"] == ORTSTEIL, "feature"].unique()
    # a file with Ortsteile only (the derived layout) gets its sums later
    higher = table["level"].isin([STADTBEZIRK, STADT]).any()
    for level, label in ((ORTSTEIL, "Ortsteil(e)"), (STADTBEZIRK, "Stadtbezirk(e)"), (STADT, "city")):
        if level != ORTSTEIL and not higher:
            continue
        rows = table[table["level"] == level]
        expected = set(areas.loc[areas["level"] == level, "area_name"])
        present = rows.groupby("feature", sort=False)["area_name"].agg(set)
        for feature in features:
            missing = expected - present.get(feature, set())
            if missing:
                raise ParseError(
                    f"{source}: feature {feature!r} has no row for the {label} {', '.join(sorted(missing)[:5])}"
                    f"{' …' if len(missing) > 5 else ''} ({len(missing)} of {len(expected)} missing). The file is "
                    "probably truncated; download it again. If the city changed its Ortsteile, update the geometry too."
                )


def _check_named_features(table: pd.DataFrame, spec: DatasetSpec, source: str) -> None:
    """Every feature data/datasets.yml names is in the file: a file cut between two features looks complete."""
    # `optional: true` marks a feature one layout of the API lacks (the derived Ortsteil-only files keep counts only)
    named = {feature for feature, entry in spec.features.items() if not (entry or {}).get("optional")}
    missing = sorted(named - set(table["feature"]))
    if missing:
        raise ParseError(
            f"{source}: feature(s) {', '.join(map(repr, missing))} named for dataset {spec.key!r} in "
            "data/datasets.yml are not in the file. The file is probably truncated (cut before these features); "
            "download it again. If the city renamed a feature, rename it in data/datasets.yml too."
        )


def mark_missing_years(table: pd.DataFrame, step: int = 1) -> tuple[pd.DataFrame, list[int]]:
    """A year column missing between the first and the last year becomes rows with status ``missing_year``.

    ``step`` is 2 for the surveys (Kommunale Bürgerumfrage), which appear every second year. Without
    the rows the year would vanish from every table while the appendix still named the full range.
    """
    years = sorted(int(y) for y in table["year"].unique())
    gaps = sorted(set(range(years[0], years[-1] + 1, step)) - set(years)) if years else []
    if not gaps:
        return table, []
    area = [c for c in ("area_name", "area_code", "level", "sbz_code") if c in table.columns]
    cells = table.groupby(area + ["feature"], sort=False, dropna=False)["row"].min().reset_index()
    added = cells.merge(pd.DataFrame({"year": gaps}), how="cross").assign(value=float("nan"), status="missing_year")
    return pd.concat([table, added[table.columns]], ignore_index=True), [int(y) for y in gaps]


def _zero_rates_unavailable(table: pd.DataFrame, counts: set, datasets: set | None = None) -> pd.DataFrame:
    """A published rate, share, mean or median of exactly 0 stands for 'not available'.

    The API writes "0" where a survey had too few respondents or a figure did not exist
    (e.g. Grundmiete 0,00 Euro je m², the city's Arbeitslosenanteil 2002); a real 0 does not
    occur for these features. Counts keep their zeros.
    """
    is_count = pd.Series([(d, f) in counts for d, f in zip(table["dataset"], table["feature"])], index=table.index)
    zero = ~is_count & (table["status"] == "ok") & (table["value"] == 0)
    if datasets is not None:
        zero &= table["dataset"].isin(datasets)
    table.loc[zero, "status"] = "unavailable"
    table.loc[zero, "value"] = float("nan")
    return table


def _check_counts(table: pd.DataFrame, counts: set, manifest: list[dict]) -> None:
    """A negative count is an error in the data, not a number to publish."""
    is_count = pd.Series([(d, f) in counts for d, f in zip(table["dataset"], table["feature"])], index=table.index)
    negative = table[is_count & (table["value"] < 0)]
    if not negative.empty:
        first = negative.iloc[0]
        source = next((m["source"] for m in manifest if m.get("dataset") == first["dataset"]), first["dataset"])
        raise ParseError(
            f"{source}: row {first['row']}, column {first['year']}: {first['feature']!r} of "
            f"{first['area_name']!r} is {first['value']:g}, but a count cannot be negative."
        )


def read_inputs(prepared: Inputs | str | Path | None = None, data_source: str | None = None) -> Inputs:
    """The inputs a notebook works with.

    ``prepared``: inputs in hand (returned as they are) or the file the build wrote for the
    notebooks (a pickle). Without one, the inputs are read from ``data_source`` (a notebook
    parameter: a local data folder), or else from the source the environment names.
    """
    if isinstance(prepared, Inputs):
        return prepared
    if prepared:
        with open(prepared, "rb") as handle:
            return pickle.load(handle)
    return load_inputs_for(Settings.resolve({"data": data_source or None}))
