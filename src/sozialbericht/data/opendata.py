"""Client for the open-data API of Leipzig's Amt für Statistik und Wahlen.

The only module that touches the network. Two sources share one interface:

* ``LiveSource``: ``https://statistik.leipzig.de/opendata/api/`` (the default).
  Dataset titles are resolved to ``kategorie_nr``/``rubrik_nr`` through the
  city's CKAN catalogue, because rubrik numbers move between catalogue versions.
* ``LocalSource``: a folder laid out like the offline mirror (``INDEX.csv``,
  ``kdvalues/kdvalues_kK_rR_y.csv``, ``values/values_kK_rR_y.json|csv``,
  ``geo/ortsteile.geojson``, ``geo/stadtbezirke.geojson``).

Two endpoints are read: ``kdvalues`` (small-area series, ``fetch_dataset``) and ``values``
(city-wide series, ``fetch_values``); both resolve a dataset by its title.

``open_source(settings)`` picks one from the run's settings (``--data`` or ``SOZIALBERICHT_DATA``).
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import http.client
import io
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sozialbericht import settings as config
from sozialbericht.errors import DataSourceError
from sozialbericht.settings import Settings

GEOMETRY_LEVELS = ("ortsteile", "stadtbezirke")
CKAN_GEO_PACKAGES = {
    "ortsteile": "geodaten-ortsteile-leipzig",
    "stadtbezirke": "geodaten-stadtbezirke-leipzig",
}
STATISTICS_ORGANISATION = "amt-fuer-statistik-und-wahlen"
HINT_LOCAL = (
    "To build offline, point --data (or SOZIALBERICHT_DATA) at a folder laid out like the mirror, "
    "e.g. --data ../shared/data/leipzig/mirror"
)


@dataclass(frozen=True)
class Fetched:
    """The bytes of one input with the facts a reader needs to trace it."""

    name: str  # dataset title, or "Geometrie: ortsteile"
    content: bytes
    source: str  # URL or local path it was read from
    retrieved_at: str  # ISO 8601, UTC
    sha256: str
    kategorie_nr: int | None = None
    rubrik_nr: int | None = None
    origin: str = ""  # what a local folder's INDEX.csv says about the file (e.g. derived from a copy)
    location: str = ""  # the path inside a local data folder: published instead of the build machine's path

    def manifest(self) -> dict:
        """The record published in manifest.json and the appendix: no path of the build machine."""
        record = asdict(self)
        del record["content"]
        record["source"] = record.pop("location") or self.source
        record["bytes"] = len(self.content)
        record["licence"] = config.LICENCE
        record["attribution"] = config.ATTRIBUTION
        return record


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _unknown_title(title: str, known: list[str], where: str) -> DataSourceError:
    close = difflib.get_close_matches(title, known, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(repr(c) for c in close)}?" if close else ""
    return DataSourceError(
        f"Dataset {title!r} is not in {where}.{hint} "
        "Datasets are named by their title in the city's catalogue; check data/datasets.yml."
    )


class LocalSource:
    """A folder laid out like the offline mirror of the API."""

    kind = "local"

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root).expanduser().resolve()
        self.index_path = self.root / "INDEX.csv"
        if not self.root.is_dir():
            raise DataSourceError(
                f"The data source (--data or SOZIALBERICHT_DATA) is {self.root}, which is not a folder. "
                "Leave it unset to use the live API, or give the path of a folder laid out like the mirror."
            )
        if not self.index_path.is_file():
            raise DataSourceError(
                f"{self.index_path} is missing: a local data folder needs an INDEX.csv "
                "(columns file,kategorie_nr,rubrik_nr,title) like the mirror's."
            )
        self._index = self._read_index()

    def describe(self) -> str:
        return f"lokaler Ordner {self.root}"

    def _read_index(self) -> dict[str, dict]:
        text = self.index_path.read_text(encoding="utf-8")
        reader = csv.DictReader(io.StringIO(text))
        required = {"file", "kategorie_nr", "rubrik_nr", "title"}
        missing = required - set(reader.fieldnames or [])
        if missing:
            raise DataSourceError(f"{self.index_path}: header lacks column(s) {sorted(missing)}")
        index = {}
        for line_no, row in enumerate(reader, start=2):
            try:
                row["kategorie_nr"] = int(row["kategorie_nr"])
                row["rubrik_nr"] = int(row["rubrik_nr"])
            except ValueError:
                raise DataSourceError(
                    f"{self.index_path}, row {line_no}: kategorie_nr/rubrik_nr must be whole numbers"
                ) from None
            index[row["title"]] = row
        return index

    def titles(self) -> list[str]:
        return sorted(self._index)

    def fetch_dataset(self, title: str) -> Fetched:
        return self._fetch_file(title, "kdvalues")

    def fetch_values(self, title: str) -> Fetched:
        """A city-wide series of the ``values`` endpoint, stored under ``values/``."""
        return self._fetch_file(title, "values")

    def _fetch_file(self, title: str, endpoint: str) -> Fetched:
        entry = self._index.get(title)
        if entry is None:
            raise _unknown_title(title, self.titles(), str(self.index_path))
        if Path(entry["file"]).parts[0] != endpoint:
            raise DataSourceError(
                f"{self.index_path} lists {entry['file']} for {title!r}, but this dataset is read from the "
                f"{endpoint!r} endpoint (expected a file under {endpoint}/); check the endpoint in data/datasets.yml."
            )
        path = self.root / entry["file"]
        if not path.is_file():
            raise DataSourceError(f"{self.index_path} lists {entry['file']} for {title!r}, but {path} does not exist.")
        content = path.read_bytes()
        return Fetched(
            title,
            content,
            str(path),
            _now(),
            sha256(content),
            entry["kategorie_nr"],
            entry["rubrik_nr"],
            (entry.get("origin") or "").strip(),
            entry["file"],
        )

    def fetch_geometry(self, level: str) -> Fetched:
        if level not in GEOMETRY_LEVELS:
            raise ValueError(f"level must be one of {GEOMETRY_LEVELS}")
        path = self.root / "geo" / f"{level}.geojson"
        if not path.is_file():
            raise DataSourceError(f"Geometry file {path} is missing (expected geo/{level}.geojson in the data folder).")
        content = path.read_bytes()
        return Fetched(
            f"Geometrie: {level}", content, str(path), _now(), sha256(content), location=f"geo/{level}.geojson"
        )


class LiveSource:
    """The city's live API, with retries and backoff for transient faults."""

    kind = "live"

    def __init__(
        self,
        api_url: str = config.LIVE_API,
        catalogue_url: str = config.CKAN_API,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 1.0,
    ):
        self.api_url = api_url if api_url.endswith("/") else api_url + "/"
        self.catalogue_url = catalogue_url if catalogue_url.endswith("/") else catalogue_url + "/"
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._packages: list[dict] | None = None

    def describe(self) -> str:
        return f"Open-Data-Schnittstelle {self.api_url}"

    # -- HTTP -------------------------------------------------------------
    def _get(self, url: str) -> tuple[bytes, str]:
        """GET with retries on timeouts, cut connections and 5xx; returns body and content type."""
        last_error = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                request = urllib.request.Request(url, headers={"User-Agent": "sozialbericht-leipzig"})
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    expected = response.headers.get("Content-Length")
                    body = response.read()
                    if expected is not None and len(body) != int(expected):
                        raise ConnectionError(f"connection cut after {len(body)} of {expected} bytes")
                    return body, response.headers.get("Content-Type", "")
            except urllib.error.HTTPError as error:
                last_error = f"HTTP {error.code} {error.reason}"
                if error.code < 500 and error.code != 429:
                    break  # a client error will not heal by retrying
            except (
                urllib.error.URLError,
                TimeoutError,
                ConnectionError,
                OSError,
                http.client.HTTPException,
            ) as error:  # IncompleteRead: connection cut mid-body
                reason = getattr(error, "reason", error)
                last_error = f"{type(reason).__name__}: {reason}"
        raise DataSourceError(f"Request {url} failed after {attempt + 1} attempt(s): {last_error}. {HINT_LOCAL}")

    def _get_checked(self, url: str, expect: str) -> bytes:
        body, content_type = self._get(url)
        head = body[:200].lstrip().lower()
        if "html" in content_type.lower() or head.startswith((b"<!doctype", b"<html")):
            raise DataSourceError(
                f"Request {url} answered with an HTML page instead of {expect} "
                f"(the service may be down or the address moved). {HINT_LOCAL}"
            )
        if not body.strip():
            raise DataSourceError(f"Request {url} answered with an empty body instead of {expect}. {HINT_LOCAL}")
        return body

    # -- catalogue ----------------------------------------------------------
    def _catalogue(self) -> list[dict]:
        if self._packages is None:
            query = urllib.parse.urlencode({"fq": f"organization:{STATISTICS_ORGANISATION}", "rows": 1000})
            body = self._get_checked(f"{self.catalogue_url}package_search?{query}", "JSON")
            try:
                self._packages = json.loads(body)["result"]["results"]
            except (ValueError, KeyError, TypeError) as error:
                raise DataSourceError(
                    f"The catalogue {self.catalogue_url} answered with unexpected JSON: {error}"
                ) from None
        return self._packages

    def resolve(self, title: str, endpoint: str = "kdvalues") -> tuple[int, int]:
        """kategorie_nr and rubrik_nr of a yearly dataset of ``endpoint`` (kdvalues or values), by its title."""
        titles = []
        for package in self._catalogue():
            titles.append(package.get("title", ""))
            if package.get("title") != title:
                continue
            for resource in package.get("resources", []):
                parsed = urllib.parse.urlparse(resource.get("url") or "")
                query = urllib.parse.parse_qs(parsed.query)
                # the last path segment: "kdvalues" must not match "values"
                if parsed.path.rstrip("/").rsplit("/", 1)[-1] == endpoint and query.get("periode") == ["y"]:
                    return int(query["kategorie_nr"][0]), int(query["rubrik_nr"][0])
        raise _unknown_title(title, titles, f"the city's catalogue ({self.catalogue_url}, endpoint {endpoint})")

    def _fetch_endpoint(self, title: str, endpoint: str, data_format: str) -> Fetched:
        kategorie, rubrik = self.resolve(title, endpoint)
        query = urllib.parse.urlencode(
            {"kategorie_nr": kategorie, "rubrik_nr": rubrik, "periode": "y", "format": data_format}
        )
        url = f"{self.api_url}{endpoint}?{query}"
        content = self._get_checked(url, data_format.upper())
        return Fetched(title, content, url, _now(), sha256(content), kategorie, rubrik)

    def fetch_dataset(self, title: str) -> Fetched:
        return self._fetch_endpoint(title, "kdvalues", "csv")

    def fetch_values(self, title: str) -> Fetched:
        """A city-wide series; JSON, because only it keeps the label hierarchy (merkmal_1..4)."""
        return self._fetch_endpoint(title, "values", "json")

    def fetch_geometry(self, level: str) -> Fetched:
        if level not in GEOMETRY_LEVELS:
            raise ValueError(f"level must be one of {GEOMETRY_LEVELS}")
        query = urllib.parse.urlencode({"id": CKAN_GEO_PACKAGES[level]})
        body = self._get_checked(f"{self.catalogue_url}package_show?{query}", "JSON")
        try:
            resources = json.loads(body)["result"]["resources"]
        except (ValueError, KeyError, TypeError) as error:
            raise DataSourceError(
                f"The catalogue entry {CKAN_GEO_PACKAGES[level]} has unexpected JSON: {error}"
            ) from None
        urls = [r["url"] for r in resources if (r.get("format") or "").lower() == "geojson"]
        if not urls:
            raise DataSourceError(f"The catalogue entry {CKAN_GEO_PACKAGES[level]} offers no GeoJSON resource.")
        content = self._get_checked(urls[0], "GeoJSON")
        return Fetched(f"Geometrie: {level}", content, urls[0], _now(), sha256(content))


def open_source(settings: Settings) -> LocalSource | LiveSource:
    """The live API unless the settings name a local data folder."""
    folder = settings.data_folder()
    return LiveSource() if folder is None else LocalSource(folder)


class Cache:
    """Downloaded files under data/cache with a manifest sidecar each.

    Files are written to a temporary name and renamed, so a crash never
    leaves a partial file that a later build would trust.
    """

    def __init__(self, directory: Path, max_age_hours: float = 24.0):
        self.directory = Path(directory)
        self.max_age_seconds = max_age_hours * 3600

    @staticmethod
    def _slug(name: str) -> str:
        keep = "".join(c if c.isalnum() else "-" for c in name.lower())
        return "-".join(part for part in keep.split("-") if part)[:80] + "-" + sha256(name.encode())[:8]

    def paths(self, name: str) -> tuple[Path, Path]:
        slug = self._slug(name)
        return self.directory / f"{slug}.data", self.directory / f"{slug}.manifest.json"

    def get(self, name: str) -> Fetched | None:
        data_path, manifest_path = self.paths(name)
        if not (data_path.is_file() and manifest_path.is_file()):
            return None
        if time.time() - manifest_path.stat().st_mtime > self.max_age_seconds:
            return None
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            content = data_path.read_bytes()
            if sha256(content) != manifest.get("sha256"):
                return None  # damaged or edited by hand: fetch again
            return Fetched(
                manifest["name"],
                content,
                manifest["source"],
                manifest["retrieved_at"],
                manifest["sha256"],
                manifest.get("kategorie_nr"),
                manifest.get("rubrik_nr"),
            )
        except (ValueError, OSError, KeyError, AttributeError):
            return None  # damaged manifest: fetch again

    def put(self, fetched: Fetched, key: str | None = None) -> None:
        """Store under ``key`` (default: the name); the manifest keeps the input's own name."""
        self.directory.mkdir(parents=True, exist_ok=True)
        data_path, manifest_path = self.paths(key or fetched.name)
        for path, payload in (
            (data_path, fetched.content),
            (manifest_path, json.dumps(fetched.manifest(), ensure_ascii=False, indent=2).encode("utf-8")),
        ):
            temporary = path.with_suffix(path.suffix + f".tmp{os.getpid()}")
            temporary.write_bytes(payload)
            os.replace(temporary, path)
