"""The HTTP client: cache, refresh, retries, and the Dutch no-network message."""

from __future__ import annotations

import time

import pytest

from veerkracht.errors import NetworkError
from veerkracht.http import HttpClient, NoConnectionError, ServiceNotFoundError
from veerkracht.settings import get_settings


def _flaky(failures: int):
    calls = {"n": 0}

    def handler(_query):
        calls["n"] += 1
        if calls["n"] <= failures:
            return 500, "text/plain", b"Internal Server Error"
        return 200, "application/json", b'{"value": [1, 2, 3]}'

    return handler


def test_server_error_is_retried_then_succeeds(services) -> None:
    services.route("/flaky", _flaky(1))
    with HttpClient(get_settings(), backoff_s=0) as client:
        assert client.get_json(services.base + "/flaky") == {"value": [1, 2, 3]}
    assert services.hits["/flaky"] == 2


def test_retries_are_bounded(services) -> None:
    services.route("/down", _flaky(100))
    settings = get_settings()
    with HttpClient(settings, backoff_s=0) as client, pytest.raises(NetworkError) as err:
        client.get_json(services.base + "/down")
    assert services.hits["/down"] == settings.http_retries + 1
    assert "na 4 pogingen (HTTP 500)" in err.value.message


def test_cached_response_is_reused_and_refresh_fetches_again(services) -> None:
    url = services.base + "/odata/50090NED/TypedDataSet"
    with HttpClient(get_settings(), backoff_s=0) as client:
        first = client.get_json(url, {"$filter": "startswith(WijkenEnBuurten,'GM0363')"})
        second = client.get_json(url, {"$filter": "startswith(WijkenEnBuurten,'GM0363')"})
        assert client.n_requests == 1
    assert first == second
    assert services.hits["/odata/50090NED/TypedDataSet"] == 1
    with HttpClient(get_settings(), refresh=True, backoff_s=0) as client:
        client.get_json(url, {"$filter": "startswith(WijkenEnBuurten,'GM0363')"})
    assert services.hits["/odata/50090NED/TypedDataSet"] == 2


def test_different_query_is_a_different_cache_entry(services) -> None:
    url = services.base + "/odata/50090NED/TypedDataSet"
    with HttpClient(get_settings(), backoff_s=0) as client:
        client.get_bytes(url, {"$filter": "startswith(WijkenEnBuurten,'GM0363')"})
        client.get_bytes(url, {"$filter": "startswith(WijkenEnBuurten,'GM0599')"})
    assert services.hits["/odata/50090NED/TypedDataSet"] == 2


def test_404_is_service_not_found(services) -> None:
    with HttpClient(get_settings(), backoff_s=0) as client, pytest.raises(ServiceNotFoundError):
        client.get_bytes(services.base + "/bestaat-niet")
    assert services.hits["/bestaat-niet"] == 1  # a 404 is not retried


def test_closed_port_gives_dutch_no_network_message(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/ODataApi/odata/83765NED/TypedDataSet"
    with HttpClient(get_settings(), backoff_s=0) as client, pytest.raises(NoConnectionError) as err:
        client.get_bytes(url)
    assert err.value.message.startswith(
        "geen netwerkverbinding met 127.0.0.1; "
        "werk offline met 'veerkracht data importeren MAP'"
    )


def test_offline_mode_fails_at_once_but_serves_the_cache(services, monkeypatch) -> None:
    url = services.base + "/odata/50090NED/TypedDataSet"
    with HttpClient(get_settings(), backoff_s=0) as client:
        client.get_bytes(url)
    monkeypatch.setenv("VEERKRACHT_OFFLINE", "1")
    with HttpClient(get_settings(), backoff_s=0) as client:
        assert b"50090NED" in client.get_bytes(url)
        with pytest.raises(NoConnectionError) as err:
            client.get_bytes(services.base + "/odata/83765NED/TypedDataSet")
    assert "offline-modus (VEERKRACHT_OFFLINE)" in err.value.message
    assert services.hits["/odata/83765NED/TypedDataSet"] == 0


def test_progress_hook_sees_the_bytes(services) -> None:
    seen: list[tuple[str, int, int | None]] = []
    with HttpClient(get_settings(), backoff_s=0, progress=lambda *a: seen.append(a)) as client:
        body = client.get_bytes(services.base + "/odata/50090NED/TypedDataSet", label="gezondheid")
    assert seen[-1] == ("gezondheid", len(body), len(body))


def test_connection_dropped_mid_answer_is_retried(tmp_path) -> None:
    import httpx

    from veerkracht.http import HttpClient
    from veerkracht.settings import get_settings

    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx.RemoteProtocolError("server disconnected", request=request)
        return httpx.Response(200, content=b'{"ok": true}')

    settings = get_settings(tmp_path / "s.duckdb")
    with HttpClient(settings, backoff_s=0, transport=httpx.MockTransport(handler)) as client:
        assert client.get_json("http://127.0.0.1:9/tabel") == {"ok": True}
    assert calls["n"] == 2


def test_retry_after_is_respected(services) -> None:
    calls = {"n": 0}

    def busy(_query):
        calls["n"] += 1
        if calls["n"] == 1:
            return 429, "text/plain", b"Too Many Requests", {"Retry-After": "1"}
        return 200, "application/json", b'{"value": []}'

    services.route("/busy", busy)
    started = time.monotonic()
    with HttpClient(get_settings(), backoff_s=0) as client:
        assert client.get_json(services.base + "/busy") == {"value": []}
    assert time.monotonic() - started >= 1.0
    assert services.hits["/busy"] == 2


def test_retry_after_values() -> None:
    from veerkracht.http import MAX_RETRY_AFTER_S, retry_after_seconds

    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds("100000") == MAX_RETRY_AFTER_S
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
