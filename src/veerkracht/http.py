"""HTTP for the official services: on-disk cache, bounded retries, progress, Dutch errors.

Every response body is cached under ``Settings.cache_dir/http`` keyed by the full URL
(query included), so fetching the same gemeente and years again costs no requests (a
404 is remembered too: the table or year does not exist at that service);
``refresh=True`` (``--vernieuwen``) ignores the cache and overwrites it. Server errors
(5xx, 429) and timeouts are retried a bounded number of times with exponential backoff;
connection failures (no network, DNS) fail at once with a clear Dutch message.

Two answers are not outages and are never retried: CBS's ``ODataApi`` refuses a query
that would return more than 10,000 records with HTTP 500 and a body saying so
(:class:`TooManyRecordsError`: the caller pages it through the ``ODataFeed``), and a
429/503 with ``Retry-After`` is retried after the time the service asks for (capped).
The client is safe to share between threads (``veerkracht data ophalen --alle-gemeenten``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from veerkracht.errors import NetworkError
from veerkracht.settings import Settings

log = logging.getLogger(__name__)

#: Seconds of the first retry pause (doubles per attempt); 0 in tests.
ENV_BACKOFF = "VEERKRACHT_HTTP_BACKOFF"
DEFAULT_BACKOFF_S = 1.0
USER_AGENT = "veerkracht (https://github.com/; open-data signaleringskaarten)"
_RETRY_STATUS = {429, 500, 502, 503, 504}
_CHUNK = 1 << 16
#: The longest pause a ``Retry-After`` header may impose (seconds).
MAX_RETRY_AFTER_S = 120.0
#: CBS ODataApi's refusal of a large query (HTTP 500): "... more than 10000 records".
_TOO_MANY = re.compile(rb"(more than|meer dan)\s*10[.,]?000\s*(records|rijen)", re.IGNORECASE)

#: progress(label, bytes_done, bytes_total_or_None) — called while a body streams in.
ProgressHook = Callable[[str, int, int | None], None]

OFFLINE_FIX = "werk offline met 'veerkracht data importeren MAP'"


class NoConnectionError(NetworkError):
    """The service cannot be reached at all (no network, DNS, refused, offline mode)."""


class ServiceNotFoundError(NetworkError):
    """The service answered 404: the table, year or layer does not exist there."""

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(
            f"{_host(url)} kent dit adres niet (HTTP 404): {url}",
            fix="Controleer het jaar of de tabel; niet elk jaar is bij elke dienst beschikbaar.",
        )


class TooManyRecordsError(NetworkError):
    """CBS ODataApi: the query returns more than 10,000 records; page it via the ODataFeed."""

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(
            f"{_host(url)} geeft meer dan 10.000 records niet in één antwoord (HTTP 500): {url}",
            fix="Haal de tabel in pagina's op via de ODataFeed ($skip).",
        )


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds or HTTP date), capped; None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_S)

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return min(max(0.0, when.timestamp() - time.time()), MAX_RETRY_AFTER_S)


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def _no_network(url: str, detail: str) -> NoConnectionError:
    return NoConnectionError(
        f"geen netwerkverbinding met {_host(url)}; {OFFLINE_FIX} ({detail})",
        fix="Controleer de internetverbinding, of download de bestanden elders en importeer "
        "ze met 'veerkracht data importeren MAP'.",
    )


def backoff_from_env() -> float:
    raw = os.environ.get(ENV_BACKOFF, "")
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_BACKOFF_S
    except ValueError:
        return DEFAULT_BACKOFF_S


class HttpClient:
    """GET with cache, retries and progress; use as a context manager."""

    def __init__(
        self,
        settings: Settings,
        *,
        refresh: bool = False,
        progress: ProgressHook | None = None,
        backoff_s: float | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.refresh = refresh
        self.progress = progress
        self.backoff_s = backoff_from_env() if backoff_s is None else backoff_s
        self.cache_dir = settings.cache_dir / "http"
        self.n_requests = 0  # network requests actually made (cache hits excluded)
        self._count_lock = threading.Lock()
        self._client = httpx.Client(
            timeout=settings.http_timeout_s,
            follow_redirects=True,
            headers={"User-Agent": USER_AGENT},
            transport=transport,
        )

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # -- public -----------------------------------------------------------------

    def get_bytes(
        self, url: str, params: Mapping[str, Any] | None = None, *, label: str = ""
    ) -> bytes:
        """Body of ``url`` (with ``params``), from the cache unless ``refresh``."""
        full = str(httpx.URL(url, params=params)) if params else url
        cached = self._cache_path(full)
        missing = cached.with_suffix(".404")
        too_many = cached.with_suffix(".toomany")
        if missing.exists() and not self.refresh:
            raise ServiceNotFoundError(full)  # known absent: a table/year the service lacks
        if too_many.exists() and not self.refresh:
            raise TooManyRecordsError(full)  # known too large: the caller pages it
        if cached.exists() and not self.refresh:
            log.debug("cache: %s", full)
            body = cached.read_bytes()
            if self.progress:
                self.progress(label or full, len(body), len(body))
            return body
        if self.settings.offline:
            raise NoConnectionError(
                f"offline-modus (VEERKRACHT_OFFLINE): {_host(full)} wordt niet benaderd en "
                f"{full} staat niet in de cache",
                fix=f"Zet VEERKRACHT_OFFLINE uit, of {OFFLINE_FIX}.",
            )
        try:
            body = self._fetch(full, label or full)
        except ServiceNotFoundError:
            self._store(missing, full, b"")
            raise
        except TooManyRecordsError:
            self._store(too_many, full, b"")
            raise
        missing.unlink(missing_ok=True)
        too_many.unlink(missing_ok=True)
        self._store(cached, full, body)
        return body

    def get_json(
        self, url: str, params: Mapping[str, Any] | None = None, *, label: str = ""
    ) -> Any:
        body = self.get_bytes(url, params, label=label)
        try:
            return json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            # A broken body must not stay in the cache and poison the next run.
            full = str(httpx.URL(url, params=params)) if params else url
            self._cache_path(full).unlink(missing_ok=True)
            raise NetworkError(
                f"{_host(url)} gaf geen geldige JSON terug voor {full}: {exc}",
                fix="Probeer het later opnieuw met --vernieuwen.",
            ) from exc

    def get_text(
        self, url: str, params: Mapping[str, Any] | None = None, *, label: str = ""
    ) -> str:
        return self.get_bytes(url, params, label=label).decode("utf-8-sig")

    # -- internals ----------------------------------------------------------------

    def _cache_path(self, url: str) -> Path:
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.cache_dir / digest[:2] / f"{digest}.body"

    def _store(self, path: Path, url: str, body: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(body)
        tmp.replace(path)  # atomic: a crash never leaves half a response in the cache
        path.with_suffix(".url").write_text(url, encoding="utf-8")

    def _fetch(self, url: str, label: str) -> bytes:
        attempts = max(1, self.settings.http_retries + 1)
        last = ""
        wait: float | None = None
        for attempt in range(attempts):
            if attempt:
                time.sleep(wait if wait is not None else self.backoff_s * 2 ** (attempt - 1))
            wait = None
            try:
                status, body, retry_after = self._stream(url, label)
            except (httpx.TimeoutException, httpx.RemoteProtocolError) as exc:
                # a time-out or a connection dropped mid-answer: the service is there, retry
                last = f"{type(exc).__name__}"
                log.info("%s: %s, poging %d/%d", url, last, attempt + 1, attempts)
                continue
            except (httpx.ConnectError, OSError) as exc:
                raise _no_network(url, type(exc).__name__) from exc
            except httpx.HTTPError as exc:
                raise NetworkError(
                    f"verzoek aan {_host(url)} mislukt ({type(exc).__name__}: {exc}): {url}",
                    fix="Probeer het later opnieuw; meld het als het probleem blijft.",
                ) from exc
            if status == 500 and _TOO_MANY.search(body[:2000]):
                raise TooManyRecordsError(url)  # not an outage: the query must be paged
            if status in _RETRY_STATUS:
                last = f"HTTP {status}"
                wait = retry_after_seconds(retry_after)
                log.info("%s: %s, poging %d/%d", url, last, attempt + 1, attempts)
                continue
            if status == 404:
                raise ServiceNotFoundError(url)
            if status >= 400:
                raise NetworkError(
                    f"{_host(url)} weigerde het verzoek (HTTP {status}): {url}\n"
                    f"{body[:300].decode('utf-8', 'replace')}",
                    fix="Controleer gemeente en jaren; meld het als het probleem blijft.",
                )
            return body
        raise NetworkError(
            f"{_host(url)} antwoordt niet goed na {attempts} pogingen ({last}): {url}",
            fix="De dienst is tijdelijk gestoord; probeer het later opnieuw.",
        )

    def _stream(self, url: str, label: str) -> tuple[int, bytes, str | None]:
        with self._count_lock:
            self.n_requests += 1
        with self._client.stream("GET", url) as response:
            total = response.headers.get("Content-Length")
            expected = int(total) if total and total.isdigit() else None
            chunks: list[bytes] = []
            done = 0
            for chunk in response.iter_bytes(_CHUNK):
                chunks.append(chunk)
                done += len(chunk)
                if self.progress and response.status_code < 400:
                    self.progress(label, done, expected)
            if self.progress and response.status_code < 400:
                self.progress(label, done, done)
            return response.status_code, b"".join(chunks), response.headers.get("Retry-After")
