"""The web app under a hostile client: delays not lockouts, bounded bodies, Dutch 4xx for
malformed requests, headers on every response, accounts without enumeration, and no
global lock between a computation and logged-in users."""

from __future__ import annotations

import io
import secrets
import threading
import zipfile
from contextlib import contextmanager

import pytest
from starlette.testclient import TestClient

from tests.web.conftest import BU_A, ORIGIN, OTHER, PASSWORD
from veerkracht.web.context import view_key as _key
from veerkracht.web.state import ViewState

Q = "van=2017&tot=2019"


def _client(world, address: str = "testclient") -> TestClient:
    return TestClient(world.app, headers={"Origin": ORIGIN}, client=(address, 50000))


@contextmanager
def _attr(obj, name: str, value):
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield value
    finally:
        setattr(obj, name, old)


def _login(client: TestClient, email: str, password: str = PASSWORD):
    return client.post("/api/inloggen", json={"email": email, "wachtwoord": password})


# ----------------------------------------------------------------------------- logins
def test_failed_logins_slow_the_attacker_not_the_rightful_user(world) -> None:
    from veerkracht.web.limits import LoginThrottle

    web = world.app.state.web
    with _attr(web, "throttle", LoginThrottle()):
        owner = _client(world, "10.0.0.1")
        assert _login(owner, "lezer@noord.nl").status_code == 200  # earlier visit: device cookie
        attacker = _client(world, "10.0.0.1")  # same address (e.g. one office NAT)
        for _ in range(10):
            assert _login(attacker, "lezer@noord.nl", "fout-wachtwoord").status_code in {401, 429}
        slowed = _login(attacker, "lezer@noord.nl")  # even the right password must wait
        assert slowed.status_code == 429 and int(slowed.headers["retry-after"]) >= 1
        assert "wacht" in slowed.json()["fout"]
        # the rightful user: from another client at once, and with the device cookie
        assert _login(_client(world, "10.0.0.2"), "lezer@noord.nl").status_code == 200
        assert _login(owner, "lezer@noord.nl").status_code == 200


def test_argon2_work_is_bounded(world) -> None:
    from veerkracht.web.limits import Gate

    web = world.app.state.web
    assert (web.argon2.slots, web.argon2.max_waiting) == (2, 32)
    with _attr(web, "argon2", Gate(1, 0)):  # nobody may wait: a busy gate answers 503
        web.argon2.waiting = 1
        try:
            busy = _login(_client(world), "lezer@noord.nl")
        finally:
            web.argon2.waiting = 0
        assert busy.status_code == 503 and "druk" in busy.json()["fout"]
        assert busy.headers["retry-after"]


# ----------------------------------------------------------------------------- bodies
def test_request_bodies_are_limited_before_reading(world) -> None:
    big = b'{"email": "' + b"x" * 200_000 + b'"}'
    declared = world.client.post(
        "/api/inloggen", content=big, headers={"Content-Type": "application/json"}
    )
    assert declared.status_code == 413 and "groter dan" in declared.json()["fout"]

    def chunks():  # no Content-Length: counted while streaming
        for _ in range(100):
            yield b"x" * 10_000

    streamed = world.client.post("/api/inloggen", content=chunks())
    assert streamed.status_code == 413
    form = world.client.post("/inloggen", data={"email": "a" * 100_000, "wachtwoord": "x"})
    assert form.status_code == 413


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/api/inloggen", b"{", "ongeldige JSON"),
        ("/api/inloggen", b"[" * 30_000 + b"]" * 30_000, "dieper genest"),
        ("/api/gedeeld", b"{nope", "ongeldige JSON"),
        ("/api/gedeeld", b'{"staat": {"laag": "typologie"}}', "geen GM-code"),
        ("/api/gedeeld", b'{"staat": {"gemeente": "GM0363", "buurten": 5}}', "lijst"),
        ("/api/gedeeld", b'{"staat": {"gemeente": "GM0363"}, "organisaties": "x"}', "lijst"),
        ("/api/gedeeld", b'{"staat": {"gemeente": ["GM0363"]}}', "verwacht tekst"),
        ("/api/organisatie/gebruikers", b"\xff\xfe", "UTF-8"),
        ("/api/wachtwoord", b'{"huidig": 1, "nieuw": 2}', "verwacht JSON"),
    ],
)
def test_malformed_requests_are_dutch_400s(world, path, body, message) -> None:
    client = _client(world)
    client.cookies.update(world.session("eigenaar"))
    response = client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert message in response.json()["fout"]


def test_upload_with_an_extra_field_and_an_xlsx_bomb_are_refused(world) -> None:
    client = _client(world)
    client.cookies.update(world.session("eigenaar_analist"))
    before = len(client.get("/api/uploads").json()["uploads"])
    extra = client.post(
        "/api/uploads",
        files={"bestand": ("extra.csv", f"buurtcode;n\n{BU_A};1;2\n".encode(), "text/csv")},
        data={"gemeente": "GM0363"},
    )
    assert extra.status_code == 400 and "meer velden dan de kopregel" in extra.json()["fout"]
    assert extra.json()["rijen"] == [2]
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (60 * 1024 * 1024))
    assert packed.tell() < 1024 * 1024  # a small upload that would unpack to 60 MB
    bomb = client.post(
        "/api/uploads",
        files={"bestand": ("bom.xlsx", packed.getvalue(), "application/octet-stream")},
        data={"gemeente": "GM0363"},
    )
    assert bomb.status_code == 400 and "pakt uit tot" in bomb.json()["fout"]
    assert len(client.get("/api/uploads").json()["uploads"]) == before


# ----------------------------------------------------------------------------- headers
def test_security_headers_on_every_response(world) -> None:
    client = _client(world)
    for url in ("/api/gemeenten", "/", "/bestaat-niet", f"/export/GM0363/kaart.html?{Q}"):
        response = client.get(url)
        for header in ("x-content-type-options", "x-frame-options", "referrer-policy"):
            assert header in response.headers, (url, header)
        assert "content-security-policy" in response.headers, url
        assert "strict-transport-security" not in response.headers  # no HTTPS: no HSTS
    exported = client.get(f"/export/GM0363/kaart.html?{Q}")
    assert "sandbox" in exported.headers["content-security-policy"]
    assert "no-store" not in exported.headers.get("cache-control", "")  # public open data


def test_private_answers_are_not_stored(world) -> None:
    client = _client(world)
    client.cookies.update(world.session("eigenaar"))
    for url in ("/api/ik", "/api/uploads", f"/api/uploads/{world.upload_id}.json", "/"):
        assert client.get(url).headers["cache-control"] == "no-store", url
    assert _login(_client(world), "lezer@noord.nl").headers["cache-control"] == "no-store"


def test_hsts_with_secure_cookies(world) -> None:
    from veerkracht.web.app import create_app

    web = world.app.state.web
    app = create_app(web.store, database=web.db, service=web.service, secure_cookies=True)
    response = TestClient(app, base_url="https://testserver").get("/api/gemeenten")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


def test_state_changing_requests_need_this_sites_origin(world) -> None:
    bare = TestClient(world.app)
    bare.cookies.update(world.session("eigenaar"))
    body = {"staat": {"gemeente": "GM0363"}, "organisaties": []}
    assert bare.post("/api/gedeeld", json=body).status_code == 403
    assert bare.delete(f"/api/uploads/{world.new_upload()}").status_code == 403
    null = bare.post("/api/gedeeld", json=body, headers={"Origin": "null"})
    assert null.status_code == 403
    site = bare.post("/api/gedeeld", json=body, headers={"Sec-Fetch-Site": "cross-site"})
    assert site.status_code == 403
    ok = bare.post("/api/gedeeld", json=body, headers={"Origin": ORIGIN})
    assert ok.status_code == 201


# ----------------------------------------------------------------------------- accounts
def test_no_user_enumeration_across_organisations(world) -> None:
    other_admin = world.repo.add_user(
        OTHER, f"beheer{secrets.token_hex(2)}@oost.nl", PASSWORD, "beheerder"
    )
    client = _client(world)
    client.cookies.update({"veerkracht_sessie": world.repo.create_session(other_admin.user_id)[0]})
    taken = {"email": "analist@noord.nl", "wachtwoord": "eigen-zin-voor-oost-7", "rol": "lezer"}
    fresh = {**taken, "email": f"niemand{secrets.token_hex(2)}@noord.nl"}
    # an address of another organisation answers exactly like a new one: 201
    assert client.post("/api/organisatie/gebruikers", json=taken).status_code == 201
    assert client.post("/api/organisatie/gebruikers", json=fresh).status_code == 201
    again = client.post("/api/organisatie/gebruikers", json=fresh)  # own organisation: said
    assert again.status_code == 400 and "uw organisatie" in again.json()["fout"]
    # removing: 'not yours' and 'does not exist' are the same 404
    foreign = client.delete("/api/organisatie/gebruikers/lezer@noord.nl")
    missing = client.delete("/api/organisatie/gebruikers/nooit@noord.nl")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    # both accounts with that address keep their own password
    assert (
        _login(_client(world, "10.1.0.1"), "analist@noord.nl").json()["gebruiker"]["organisatie"]
        == "Woonstichting Noord"
    )
    oost = _login(_client(world, "10.1.0.2"), "analist@noord.nl", "eigen-zin-voor-oost-7")
    assert oost.json()["gebruiker"]["organisatie"] == OTHER


def test_weak_password_refused_by_the_app(world) -> None:
    client = _client(world)
    client.cookies.update(world.session("eigenaar"))
    weak = {"email": "zwak@noord.nl", "wachtwoord": "1234567890", "rol": "lezer"}
    response = client.post("/api/organisatie/gebruikers", json=weak)
    assert response.status_code == 400 and "te makkelijk te raden" in response.json()["fout"]


def test_password_change_ends_other_sessions(world) -> None:
    email = f"wissel{secrets.token_hex(2)}@noord.nl"
    user = world.repo.add_user("Woonstichting Noord", email, PASSWORD, "lezer")
    old = _client(world)
    old.cookies.update({"veerkracht_sessie": world.repo.create_session(user.user_id)[0]})
    me = _client(world)
    me.cookies.update({"veerkracht_sessie": world.repo.create_session(user.user_id)[0]})
    weak = me.post("/api/wachtwoord", json={"huidig": PASSWORD, "nieuw": "wachtwoord123"})
    assert weak.status_code == 400
    changed = me.post("/api/wachtwoord", json={"huidig": PASSWORD, "nieuw": "nieuwe-zin-met-fiets"})
    assert changed.status_code == 200
    assert me.get("/api/ik").status_code == 200  # a fresh session came with the answer
    assert old.get("/api/ik").status_code == 401
    assert _login(_client(world, "10.2.0.1"), email).status_code == 401
    assert _login(_client(world, "10.2.0.2"), email, "nieuwe-zin-met-fiets").status_code == 200


def test_beheerder_removes_a_user(world) -> None:
    email = f"weg{secrets.token_hex(2)}@noord.nl"
    user = world.repo.add_user("Woonstichting Noord", email, PASSWORD, "lezer")
    session = world.repo.create_session(user.user_id)[0]
    admin = _client(world)
    admin.cookies.update(world.session("eigenaar"))
    assert admin.delete(f"/api/organisatie/gebruikers/{email}").json() == {"verwijderd": email}
    gone = _client(world)
    gone.cookies.update({"veerkracht_sessie": session})
    assert gone.get("/api/ik").status_code == 401
    me = world.users["eigenaar"].email
    assert admin.delete(f"/api/organisatie/gebruikers/{me}").status_code == 400


# ----------------------------------------------------------------------------- work
def test_anonymous_expensive_requests_are_rate_limited(world) -> None:
    from veerkracht.web.limits import RateLimiter

    web = world.app.state.web
    client = _client(world, "10.3.0.1")
    assert client.get(f"/api/gemeenten/GM0363/signalen.json?{Q}").status_code == 200  # cached
    with _attr(web, "expensive", RateLimiter(1, 3600, 0)):  # no budget left for this client
        state = ViewState.parse("GM0363", start_year="2016", end_year="2019", scheme="fisher_jenks")
        url = f"/api/gemeenten/GM0363/signalen.json?{state.data_query()}"
        refused = client.get(url)
        assert refused.status_code == 429 and refused.headers["retry-after"]
        assert _key(state) not in web.service.views  # nothing was computed
        assert client.get(f"/api/gemeenten/GM0363/signalen.json?{Q}").status_code == 200


def test_logged_in_users_do_not_wait_for_a_computation(world) -> None:
    """A view computation holds no lock that sessions need; one computation per view."""
    from veerkracht.web.app import create_app
    from veerkracht.web.cache import ViewCache
    from veerkracht.web.data import DataService

    release, started = threading.Event(), threading.Event()
    calls: list[tuple] = []
    service = DataService(world.app.state.web.store)
    real = world.app.state.web.service

    def slow(key: tuple):
        calls.append(key)
        started.set()
        assert release.wait(60)
        return real.computed(key)

    service.views = ViewCache(slow, size_of=lambda c: 1000, workers=1, max_queued=0)
    app = create_app(world.app.state.web.store, database=world.app.state.web.db, service=service)
    user = TestClient(app, headers={"Origin": ORIGIN})
    user.cookies.update(world.session("eigenaar"))
    anonymous = [TestClient(app) for _ in range(2)]
    answers: list[int] = []
    url = f"/api/gemeenten/GM0363/signalen.json?{Q}"
    heavy = [
        threading.Thread(target=lambda c=c: answers.append(c.get(url).status_code))
        for c in anonymous
    ]
    for t in heavy:
        t.start()
    try:
        assert started.wait(30)
        assert user.get("/api/ik").status_code == 200  # answered while the view computes
        assert user.get("/api/uploads").status_code == 200
        assert not release.is_set() and len(calls) == 1
        other = user.get("/api/gemeenten/GM0363/signalen.json?van=2016&tot=2019")
        assert other.status_code == 503 and other.headers["retry-after"]  # queue is full
    finally:
        release.set()
        for t in heavy:
            t.join(60)
    assert answers == [200, 200] and calls == [
        _key(ViewState.parse("GM0363", start_year="2017", end_year="2019"))
    ]


# ----------------------------------------------------------------------------- disconnects
class _GoneRequest:
    """A request whose client has already disconnected (anonymous, no body)."""

    client = None

    def __init__(self) -> None:
        self.cookies: dict = {}

    async def is_disconnected(self) -> bool:
        return True


def test_nothing_is_computed_or_rendered_for_a_client_that_left(world, monkeypatch) -> None:
    import asyncio

    from veerkracht.web.cache import ClientGone

    web = world.app.state.web
    fresh = ViewState.parse("GM0363", start_year="2016", end_year="2019", scheme="fisher_jenks")
    before = web.service.views.stats.misses
    with pytest.raises(ClientGone):
        asyncio.run(web.view(_GoneRequest(), fresh))
    assert _key(fresh) not in web.service.views
    assert web.service.views.stats.misses == before and web.service.views.pending() == 0

    state = ViewState.parse("GM0363", start_year="2017", end_year="2019")
    assert _client(world).get(f"/api/gemeenten/GM0363/signalen.json?{Q}").status_code == 200
    c = web.service.cached(_key(state))
    layer = next(k for k in c.layers if ("pdf", k) not in c.blobs)  # one not rendered yet
    rendered: list[str] = []
    monkeypatch.setattr(web.service, "export", lambda *a: rendered.append(a[2]) or b"")
    with pytest.raises(ClientGone):
        asyncio.run(web.export(_GoneRequest(), state, "pdf", layer))
    assert rendered == [] and ("pdf", layer) not in c.blobs


def test_no_json_route_answers_a_deeply_nested_body_with_a_500(world) -> None:
    """Every state-changing route, with a body nested 5000 levels deep: never a 5xx; the
    routes that read JSON refuse it with the Dutch depth message."""
    body = b'{"a":' * 5000 + b"1" + b"}" * 5000
    client = _client(world)
    reads_json: list[str] = []
    for route in world.app.routes:
        for method in sorted(getattr(route, "methods", None) or ()):
            if method in {"GET", "HEAD"}:
                continue
            path = route.path.replace("{", "").replace("}", "")  # any value for parameters
            client.cookies.clear()  # a fresh session each time: the loop also logs out
            client.cookies.update(world.session("eigenaar"))
            response = client.request(
                method, path, content=body, headers={"Content-Type": "application/json"}
            )
            assert response.status_code < 500, (method, path, response.text[:200])
            if response.status_code == 400 and "dieper genest" in response.text:
                reads_json.append(f"{method} {route.path}")
    assert {
        "POST /api/inloggen",
        "POST /api/wachtwoord",
        "POST /api/organisatie/gebruikers",
        "POST /api/gedeeld",
        "POST /api/organisatie/uitnodigingen",
        "PUT /api/organisatie/gebruikers/{email}/rol",
        "POST /api/uitnodiging/{code}",
    } <= set(reads_json)
