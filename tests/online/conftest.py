"""A local stand-in for CBS OData, PDOK and the Leefbaarometer, on 127.0.0.1.

Serves the small hand-written responses in ``responses/`` (each checked field by field
against a real answer in ``test_real_formats``; ``{BASE}`` is replaced by the server's
address so next links point back here), the real answers in ``../shared/real_responses``
and answers built in their format (``real.py``),
counts hits per path, and points veerkracht's settings at it through the environment.
"""

from __future__ import annotations

import io
import socket
import threading
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

RESPONSES = Path(__file__).with_name("responses")

#: handler(query) -> (status, content type, body) or (status, content type, body, headers)
Handler = Callable[[dict[str, list[str]]], tuple]


@dataclass
class FakeServices:
    base: str = ""
    routes: dict[str, Handler] = field(default_factory=dict)
    hits: Counter = field(default_factory=Counter)
    queries: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)

    def file(self, name: str, content_type: str = "application/json") -> Handler:
        text = (RESPONSES / name).read_text(encoding="utf-8").replace("{BASE}", self.base)
        return lambda _query: (200, content_type, text.encode("utf-8"))

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    @property
    def total_hits(self) -> int:
        return sum(self.hits.values())


def _make_handler(services: FakeServices) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            split = urlsplit(self.path)
            query = parse_qs(split.query)
            services.hits[split.path] += 1
            services.queries.append((split.path, query))
            handler = services.routes.get(split.path)
            headers: dict[str, str] = {}
            if handler is None:
                status, ctype, body = 404, "text/plain", b"Not Found"
            else:
                status, ctype, body, *extra = handler(query)  # optional 4th: headers
                headers = extra[0] if extra else {}
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def _not_found(_query: dict) -> tuple[int, str, bytes]:
    return 404, "text/plain", b"Not Found"


def _paged(first: Handler, second: Handler, marker: str) -> Handler:
    return lambda query: second(query) if marker in query else first(query)


def _lbm_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        csv = (RESPONSES / "lbm_scores_buurten.csv").read_bytes()
        folder = "Leefbaarometer 3.0 - Meting 2022 - open data/"
        archive.writestr(folder + "Leefbaarometer-scores buurten 2002-2022.csv", csv)
        archive.writestr(folder + "Leesmij.txt", b"Leefbaarometer 3.0 open data")
    return buffer.getvalue()


def install_default_routes(s: FakeServices) -> None:
    """The Amsterdam scenario: KWB 2017 on v3 (2 pages), KWB 2019 only on v4 (2 pages)."""
    s.route("/odata/83765NED/TypedDataSet", _paged(
        s.file("kwb2017_v3_page1.json"), s.file("kwb2017_v3_page2.json"), "$skiptoken"))
    s.route("/odata/83765NED/WijkenEnBuurten", s.file("kwb2017_v3_regions.json"))
    s.route("/odata/84583NED/TypedDataSet", _not_found)
    s.route("/odata/84583NED/WijkenEnBuurten", s.file("gemeenten_v3.json"))
    s.route("/odata4/84583NED/Observations", _paged(
        s.file("kwb2019_v4_observations_page1.json"),
        s.file("kwb2019_v4_observations_page2.json"), "$skip"))
    s.route("/odata4/84583NED/MeasureCodes", s.file("kwb2019_v4_measurecodes.json"))
    s.route("/odata/50090NED/TypedDataSet", s.file("health_50090_v3.json"))
    items = "/pdok/wijken-en-buurten-2019/ogc/v1/collections/buurten/items"
    s.route(items, _paged(
        s.file("pdok_buurten_2019_page1.json"), s.file("pdok_buurten_2019_page2.json"), "cursor"))
    zipped = _lbm_zip()
    s.route("/lbm/resources/open-data-leefbaarometer-meting-2022.zip",
            lambda _q: (200, "application/zip", zipped))


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServices]:
    """Local services on a free loopback port; settings point at them, no backoff."""
    state = FakeServices()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(state))
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    install_default_routes(state)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    for name, path in {
        "VEERKRACHT_CBS_ODATA_V3": "/odata",
        "VEERKRACHT_CBS_ODATA_V4": "/odata4",
        "VEERKRACHT_CBS_ODATA_FEED": "/feed",
        "VEERKRACHT_CBS_DATADERDEN": "/dataderden",
        "VEERKRACHT_CBS_DATADERDEN_FEED": "/dataderden-feed",
        "VEERKRACHT_PDOK_OGC": "/pdok",
        "VEERKRACHT_LEEFBAAROMETER_WFS": "/lbm3/ows",
        "VEERKRACHT_LEEFBAAROMETER_DOWNLOADS": "/lbm/resources",
    }.items():
        monkeypatch.setenv(name, state.base + path)
    monkeypatch.setenv("VEERKRACHT_HTTP_BACKOFF", "0")
    monkeypatch.delenv("VEERKRACHT_OFFLINE", raising=False)
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
