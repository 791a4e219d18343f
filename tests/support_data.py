"""Test data of the data layer: paths of the hand-written fixtures, specs, a fake open-data server.

Everything under tests/fixtures was written by hand (see tests/fixtures/README.md).
The fake server listens on 127.0.0.1 only and never forwards a request anywhere.
The pytest fixtures built from these live in conftest.py.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sozialbericht.data.inputs import DatasetSpec

FIXTURES = Path(__file__).parent / "fixtures"
MIRROR = FIXTURES / "mirror"
PARSE = FIXTURES / "parse"

EINWOHNER = "Einwohner (Jahreszahlen, kleinräumig)"
ALTER = "Einwohner nach Alter (Jahreszahlen, kleinräumig)"
ARBEITSLOSE = "Arbeitslose (Jahreszahlen, kleinräumig)"
HAUSHALTE = "Personenhaushalte (Jahreszahlen, kleinräumig)"
WOHNUNGEN = "Wohnungsbestand (Jahreszahlen, kleinräumig)"
# title -> (kategorie_nr, rubrik_nr, file in the fixture mirror)
DATASETS = {
    EINWOHNER: (2, 1, "kdvalues/kdvalues_k2_r1_y.csv"),
    ALTER: (2, 3, "kdvalues/kdvalues_k2_r3_y.csv"),
    ARBEITSLOSE: (7, 3, "kdvalues/kdvalues_k7_r3_y.csv"),
    HAUSHALTE: (2, 10, "kdvalues/kdvalues_k2_r10_y.csv"),
    WOHNUNGEN: (6, 5, "kdvalues/kdvalues_k6_r5_y.csv"),
}
# city-wide series of the values endpoint (hand-written, see tests/fixtures/README.md)
WOHNSITUATION_STADT = "Wohnsituation (Jahreszahlen)"
MIETBELASTUNG_STADT = "Gesamtmietbelastung nach Haushaltstyp (Jahreszahlen)"
EINWOHNER_STADT = "Einwohner (Jahreszahlen)"
VALUES_DATASETS = {
    WOHNSITUATION_STADT: (6, 2, "values/values_k6_r2_y.json"),
    MIETBELASTUNG_STADT: (6, 27, "values/values_k6_r27_y.json"),
    EINWOHNER_STADT: (2, 1, "values/values_k2_r1_y.csv"),
}


def make_specs() -> dict[str, DatasetSpec]:
    """Specs like data/datasets.yml, for the three fixture datasets."""
    return {
        "einwohner": DatasetSpec("einwohner", EINWOHNER, "count", "Personen"),
        "alter": DatasetSpec("alter", ALTER, "rate", features={"Durchschnittsalter": {"kind": "mean"}}),
        "arbeitslose": DatasetSpec(
            "arbeitslose",
            ARBEITSLOSE,
            "count",
            "Personen",
            features={"Anteil an den Erwerbsfähigen": {"kind": "share"}},
        ),
    }


# -- fake open-data server ---------------------------------------------------------------------

HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>Wartungsarbeiten</title></head>"
    b"<body><h1>Der Dienst ist vor\xc3\xbcbergehend nicht erreichbar.</h1></body></html>\n"
)


class FakeAPI:
    """The CKAN catalogue, the kdvalues endpoint and the GeoJSON files on 127.0.0.1.

    ``plan(route, *behaviours)`` makes a route misbehave: the n-th request to the
    route gets the n-th behaviour; the last one repeats. Behaviours: ``"ok"``,
    an HTTP status (``500``), ``"sleep"`` (no answer until the client gave up),
    ``"sleep_body"`` (headers, then silence), ``"cut"`` (Content-Length larger than
    the body, then the connection closes), ``"html"`` (200 with an HTML error page).
    Routes: ``catalogue``, ``geo_meta``, ``geo``, ``kdvalues``, ``values``.
    """

    SLEEP = 2.0  # longer than the client's timeout in the tests (0.5 s), bounded

    def __init__(self):
        self.requests: list[tuple[str, str]] = []  # (route, path with query)
        self.plans: dict[str, list] = {}
        self.counts: dict[str, int] = {}
        self.datasets = {title: (k, r, (MIRROR / path).read_bytes()) for title, (k, r, path) in DATASETS.items()}
        self.values = {title: (k, r, (MIRROR / path).read_bytes()) for title, (k, r, path) in VALUES_DATASETS.items()}
        self.geo = {
            level: (MIRROR / "geo" / f"{level}.geojson").read_bytes() for level in ("ortsteile", "stadtbezirke")
        }
        self.release = threading.Event()
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output clean
                pass

            def do_GET(self):
                api._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    # -- configuration used by the tests
    def plan(self, route: str, *behaviours) -> None:
        self.plans[route] = list(behaviours)

    def hits(self, route: str) -> int:
        return sum(1 for r, _ in self.requests if r == route)

    def source(self, **options):
        from sozialbericht.data.opendata import LiveSource

        options = {"timeout": 0.5, "retries": 2, "backoff": 0.01, **options}
        return LiveSource(api_url=self.base + "api/", catalogue_url=self.base + "ckan/", **options)

    def catalogue_json(self) -> bytes:
        packages = []
        for title, (k, r, _) in self.datasets.items():
            base = "https://statistik.leipzig.de/opendata/api/"
            packages.append(
                {
                    "title": title,
                    "resources": [
                        {
                            "format": "JSON",
                            "url": f"{base}kdvalues?kategorie_nr={k}&rubrik_nr={r}&periode=y&format=json",
                        },
                        {"format": "CSV", "url": f"{base}kdvalues?kategorie_nr={k}&rubrik_nr={r}&periode=y&format=csv"},
                    ],
                }
            )
        for title, (k, r, _path) in VALUES_DATASETS.items():
            base = "https://statistik.leipzig.de/opendata/api/values"
            packages.append(
                {
                    "title": title,
                    "resources": [
                        {"format": "CSV", "url": f"{base}?kategorie_nr={k}&rubrik_nr={r}&periode=y&format=csv"},
                        {"format": "JSON", "url": f"{base}?kategorie_nr={k}&rubrik_nr={r}&periode=y&format=json"},
                    ],
                }
            )
        # a city-wide dataset with a similar title: must never be picked for a kdvalues title
        packages.append(
            {
                "title": "Arbeitslose (Jahreszahlen)",
                "resources": [
                    {
                        "format": "CSV",
                        "url": "https://statistik.leipzig.de/opendata/api/values?kategorie_nr=7&rubrik_nr=9&periode=y&format=csv",
                    }
                ],
            }
        )
        return json.dumps({"success": True, "result": {"count": len(packages), "results": packages}}).encode()

    # -- request handling
    def _route(self, path: str, query: dict) -> tuple[str, bytes | None, str]:
        """route name, body (None = 404) and content type of a request."""
        if path == "/ckan/package_search":
            return "catalogue", self.catalogue_json(), "application/json"
        if path == "/ckan/package_show":
            level = {"geodaten-ortsteile-leipzig": "ortsteile", "geodaten-stadtbezirke-leipzig": "stadtbezirke"}.get(
                query.get("id", [""])[0]
            )
            if level is None:
                return "geo_meta", None, ""
            body = {
                "success": True,
                "result": {
                    "resources": [
                        {"format": "SHP", "url": f"{self.base}geo/{level}.zip"},
                        {"format": "GeoJSON", "url": f"{self.base}geo/{level}.geojson"},
                    ]
                },
            }
            return "geo_meta", json.dumps(body).encode(), "application/json"
        if path.startswith("/geo/") and path.endswith(".geojson"):
            return "geo", self.geo.get(path[5:-8]), "application/geo+json"
        if path == "/api/kdvalues":
            wanted = {k: v[0] for k, v in query.items()}
            for k, r, content in self.datasets.values():
                if wanted == {"kategorie_nr": str(k), "rubrik_nr": str(r), "periode": "y", "format": "csv"}:
                    return "kdvalues", content, "text/csv; charset=utf-8"
            return "kdvalues", None, ""
        if path == "/api/values":
            wanted = {k: v[0] for k, v in query.items()}
            for k, r, content in self.values.values():
                # the fixture files have the layout their name says; serve each under its own format
                fmt = "json" if content.lstrip()[:1] == b"[" else "csv"
                if wanted == {"kategorie_nr": str(k), "rubrik_nr": str(r), "periode": "y", "format": fmt}:
                    return "values", content, "application/json" if fmt == "json" else "text/csv; charset=utf-8"
            return "values", None, ""
        return "other", None, ""

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parsed = urllib.parse.urlparse(handler.path)
        route, body, content_type = self._route(parsed.path, urllib.parse.parse_qs(parsed.query))
        with self.lock:
            self.requests.append((route, handler.path))
            number = self.counts.get(route, 0)
            self.counts[route] = number + 1
            plan = self.plans.get(route, ["ok"])
            behaviour = plan[min(number, len(plan) - 1)]
        if behaviour == "sleep":
            self.release.wait(self.SLEEP)
            return  # the client is gone; close without an answer
        if isinstance(behaviour, int):
            self._send(handler, behaviour, b"<html><body>Fehler</body></html>", "text/html")
            return
        if behaviour == "html":
            self._send(handler, 200, HTML_PAGE, "text/html; charset=utf-8")
            return
        if body is None:
            self._send(handler, 404, b"Not Found", "text/plain")
            return
        if behaviour == "cut":
            handler.send_response(200)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body) + 500))
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            return
        if behaviour == "sleep_body":
            handler.send_response(200)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body[:10])
            handler.wfile.flush()
            self.release.wait(self.SLEEP)
            return
        assert behaviour == "ok", behaviour
        self._send(handler, 200, body, content_type)

    @staticmethod
    def _send(handler, status: int, body: bytes, content_type: str) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
