"""Organisations and partners in the app: one-time invitations, roles, removals, the own
password and the audit log — on both database backends (the ``world`` fixture)."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from tests.web.conftest import OTHER, OWNER, PARTNER, PASSWORD

NEW_PASSWORD = "zomer-fiets-lantaarn-oever"


def _as(world, who: str):
    world.client.cookies.clear()
    for name, value in world.session(who).items():
        world.client.cookies.set(name, value)
    return world.client


def _invite(world, who: str = "eigenaar", **body):
    body.setdefault("soort", "gebruiker")
    body.setdefault("email", f"collega{secrets.token_hex(3)}@noord.nl")
    body.setdefault("rol", "analist")
    response = _as(world, who).post("/api/organisatie/uitnodigingen", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _accept(world, code: str, password: str = NEW_PASSWORD):
    world.client.cookies.clear()
    return world.client.post(f"/api/uitnodiging/{code}", json={"wachtwoord": password})


def _log(world, who: str = "eigenaar") -> list[dict]:
    response = _as(world, who).get("/organisatie/logboek.json")
    assert response.status_code == 200, response.text
    return response.json()["logboek"]


def test_invitation_is_accepted_once(world) -> None:
    made = _invite(world, rol="analist")
    code, email = made["code"], made["uitnodiging"]["email"]
    assert made["link"].endswith(f"/uitnodiging/{code}")
    shown = world.client.get(f"/uitnodiging/{code}.json").json()["uitnodiging"]
    assert (shown["email"], shown["rol"], shown["door"]) == (email, "analist", OWNER)

    first = _accept(world, code)
    assert first.status_code == 201, first.text
    assert first.json()["gebruiker"] == {"email": email, "rol": "analist", "organisatie": OWNER}
    assert world.client.get("/api/ik").json()["gebruiker"]["email"] == email  # logged in

    second = _accept(world, code, "een-ander-wachtwoord-nu")
    assert second.status_code == 410
    assert second.json()["fout"] == "deze uitnodiging is al gebruikt"
    assert world.client.get(f"/uitnodiging/{code}").status_code == 410
    # the account exists once, and the new password logs in
    users = _as(world, "eigenaar").get("/organisatie.json").json()
    assert [u["email"] for u in users["gebruikers"]].count(email) == 1
    assert code not in str(users)  # the code is shown once, at creation
    world.client.cookies.clear()
    login = world.client.post("/api/inloggen", json={"email": email, "wachtwoord": NEW_PASSWORD})
    assert login.status_code == 200


def test_expired_and_revoked_invitations_are_refused(world) -> None:
    orgs = world.app.state.web.organisations
    made = _invite(world, geldig_dagen=2)
    clock = orgs.clock
    try:
        orgs.clock = lambda: clock() + timedelta(days=2, minutes=1)
        refused = _accept(world, made["code"])
        assert refused.status_code == 410
        assert "verlopen" in refused.json()["fout"]
    finally:
        orgs.clock = clock
    assert _accept(world, made["code"]).status_code == 201  # still within its two days

    revoked = _invite(world)
    gone = _as(world, "eigenaar").delete(
        f"/api/organisatie/uitnodigingen/{revoked['uitnodiging']['id']}"
    )
    assert gone.status_code == 200
    after = _accept(world, revoked["code"])
    assert after.status_code == 410 and "ingetrokken" in after.json()["fout"]
    unknown = _accept(world, secrets.token_urlsafe(24))
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"geldig_dagen": 0}, 400, "geldig_dagen"),
        ({"geldig_dagen": 31}, 400, "geldig_dagen"),
        ({"soort": "baas"}, 400, "onbekende soort"),
        ({"rol": "koning"}, 400, "onbekende rol"),
        ({"email": "geen-adres"}, 400, "e-mailadres"),
        ({"email": "analist@noord.nl"}, 400, "al een account"),
        ({"soort": "partner", "organisatie": OTHER}, 409, "bestaat al"),
    ],
)
def test_bad_invitations_are_refused_in_dutch(world, body, status, text) -> None:
    response = _as(world, "eigenaar").post("/api/organisatie/uitnodigingen", json={
        "soort": "gebruiker", "email": f"x{secrets.token_hex(3)}@noord.nl", "rol": "lezer", **body
    })  # fmt: skip
    assert response.status_code == status, response.text
    assert text in response.json()["fout"]


def test_weak_password_leaves_the_invitation_usable(world) -> None:
    made = _invite(world)
    weak = _accept(world, made["code"], "1234567890")
    assert weak.status_code == 400
    assert "wachtwoord" in weak.json()["fout"] or "cijfers" in weak.json()["fout"]
    assert _accept(world, made["code"]).status_code == 201


def test_partner_invitation_makes_a_partner_organisation(world) -> None:
    name = f"Politie Eenheid {secrets.token_hex(2)}"
    made = _invite(world, soort="partner", organisatie=name, email="wijkagent@politie.nl")
    assert made["uitnodiging"]["rol"] == "beheerder"
    accepted = _accept(world, made["code"])
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["gebruiker"]["organisatie"] == name
    police = world.client.get("/organisatie.json").json()  # as the new beheerder
    assert police["partners"] == [OWNER]
    assert world.client.get("/api/ik").json()["partners"] == [OWNER]
    assert name in _as(world, "eigenaar").get("/organisatie.json").json()["partners"]

    # the owner shares an upload with the new partner: logged on both sides
    upload = world.new_upload(shared=False)
    shared = _as(world, "eigenaar").post(
        f"/api/uploads/{upload}/delen", json={"organisaties": [name]}
    )
    assert shared.status_code == 200
    own = _log(world)
    assert any(
        e["actie"] == "gedeeld" and upload in e["onderwerp"] and e["details"]["met"] == [name]
        for e in own
    )
    assert any(
        e["actie"] == "uitnodiging geaccepteerd" and e["wie"] == "wijkagent@politie.nl" for e in own
    )
    police_session = world.repo.create_session(world.repo.users_of(
        world.repo.organisation_id(name))[0].user_id)[0]  # fmt: skip
    world.client.cookies.clear()
    world.client.cookies.set("veerkracht_sessie", police_session)
    theirs = world.client.get("/organisatie/logboek.json").json()["logboek"]
    assert {e["actie"] for e in theirs} == {"partner geworden", "met u gedeeld"}
    assert all(e["wie"] != "beheer@noord.nl" for e in theirs)  # no e-mail of another org
    assert not any(e["actie"] == "uitnodiging partner" for e in theirs)


def test_shared_view_is_logged(world) -> None:
    response = _as(world, "eigenaar").post(
        "/api/gedeeld",
        json={"staat": {"gemeente": "GM0363", "laag": "typologie"}, "organisaties": [PARTNER]},
    )
    assert response.status_code == 201
    token = response.json()["token"]
    assert any(
        e["actie"] == "gedeeld" and token in e["onderwerp"] and e["details"]["met"] == [PARTNER]
        for e in _log(world)
    )


def test_roles_and_removal_stay_in_the_own_organisation(world) -> None:
    repo = world.repo
    email = f"rol{secrets.token_hex(3)}@noord.nl"
    repo.add_user(OWNER, email, PASSWORD, "analist")
    other = f"oost{secrets.token_hex(3)}@oost.nl"
    repo.add_user(OTHER, other, PASSWORD, "lezer")

    # another organisation's beheerder gets the same 404 as for an unknown address
    for target in (email, "niemand@noord.nl"):
        role = _as(world, "ander_beheerder").put(
            f"/api/organisatie/gebruikers/{target}/rol", json={"rol": "beheerder"}
        )
        assert role.status_code == 404
        assert role.json()["fout"] == "uw organisatie heeft geen account met dit adres"
        gone = _as(world, "ander_beheerder").delete(f"/api/organisatie/gebruikers/{target}")
        assert gone.status_code == 404
    invitation = _invite(world)["uitnodiging"]["id"]
    revoke = _as(world, "ander_beheerder").delete(f"/api/organisatie/uitnodigingen/{invitation}")
    assert revoke.status_code == 404
    assert world.repo.organisation_id(OWNER) != world.users["ander_beheerder"].organisation_id
    assert not any(e["onderwerp"] == email for e in _log(world, "ander_beheerder"))

    # the own beheerder: role down, then removal; both logged, never the own account
    changed = _as(world, "eigenaar").put(
        f"/api/organisatie/gebruikers/{email}/rol", json={"rol": "lezer"}
    )
    assert changed.json() == {"email": email, "rol": "lezer", "was": "analist"}
    assert repo.users_of(repo.organisation_id(OWNER))  # still there
    session = repo.create_session(
        next(u for u in repo.users_of(repo.organisation_id(OWNER)) if u.email == email).user_id
    )[0]
    world.client.cookies.clear()
    world.client.cookies.set("veerkracht_sessie", session)
    assert (
        world.client.post("/api/gedeeld", json={"staat": {"gemeente": "GM0363"}}).status_code == 403
    )
    own = _as(world, "eigenaar").put(
        "/api/organisatie/gebruikers/beheer@noord.nl/rol", json={"rol": "lezer"}
    )
    assert own.status_code == 400
    assert _as(world, "eigenaar").delete(f"/api/organisatie/gebruikers/{email}").status_code == 200
    world.client.cookies.clear()
    world.client.cookies.set("veerkracht_sessie", session)
    assert world.client.get("/api/ik").status_code == 401  # sessions end with the account
    log = _log(world)
    assert any(e["actie"] == "rol gewijzigd" and e["onderwerp"] == email
               and e["details"] == {"van": "analist", "naar": "lezer"} for e in log)  # fmt: skip
    assert any(e["actie"] == "account verwijderd" and e["onderwerp"] == email for e in log)
    assert other in [u.email for u in repo.users_of(repo.organisation_id(OTHER))]


def test_pages_and_forms_work_without_script(world) -> None:
    client = _as(world, "eigenaar")
    page = client.get("/organisatie")
    assert page.status_code == 200
    assert "Partnerorganisatie uitnodigen" in page.text and "Logboek" in page.text
    made = client.post(
        "/organisatie/uitnodigingen",
        data={"soort": "gebruiker", "email": "formulier@noord.nl", "rol": "lezer",
              "geldig_dagen": "3"},
    )  # fmt: skip
    assert made.status_code == 201
    assert "wordt maar één keer getoond" in made.text
    code = made.text.split("/uitnodiging/")[1].split('"')[0]
    world.client.cookies.clear()
    form = world.client.get(f"/uitnodiging/{code}")
    assert form.status_code == 200 and "formulier@noord.nl" in form.text
    mismatch = world.client.post(
        f"/uitnodiging/{code}", data={"nieuw": NEW_PASSWORD, "herhaling": "iets-anders-12345"}
    )
    assert mismatch.status_code == 400 and "verschillen" in mismatch.text
    done = world.client.post(
        f"/uitnodiging/{code}",
        data={"nieuw": NEW_PASSWORD, "herhaling": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert done.status_code == 303 and "veerkracht_sessie" in done.headers["set-cookie"]
    assert "no-store" in done.headers["cache-control"]
    account = world.client.get("/account")
    assert account.status_code == 200 and "Wachtwoord wijzigen" in account.text
    log_page = _as(world, "eigenaar").get("/organisatie/logboek")
    assert "formulier@noord.nl" in log_page.text


def test_own_password_change_page(world) -> None:
    email = f"wachtwoord{secrets.token_hex(3)}@noord.nl"
    user = world.repo.add_user(OWNER, email, PASSWORD, "lezer")
    world.client.cookies.clear()
    world.client.cookies.set("veerkracht_sessie", world.repo.create_session(user.user_id)[0])
    wrong = world.client.post(
        "/account/wachtwoord",
        data={"huidig": "niet-het-goede", "nieuw": NEW_PASSWORD, "herhaling": NEW_PASSWORD},
    )
    assert wrong.status_code == 403 and "klopt niet" in wrong.text
    weak = world.client.post(
        "/account/wachtwoord",
        data={"huidig": PASSWORD, "nieuw": "1234567890", "herhaling": "1234567890"},
    )
    assert weak.status_code == 400 and "te makkelijk te raden" in weak.text
    ok = world.client.post(
        "/account/wachtwoord",
        data={"huidig": PASSWORD, "nieuw": NEW_PASSWORD, "herhaling": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    world.client.cookies.clear()
    assert (
        world.client.post(
            "/api/inloggen", json={"email": email, "wachtwoord": NEW_PASSWORD}
        ).status_code
        == 200
    )
    assert any(e["actie"] == "wachtwoord gewijzigd" and e["wie"] == email for e in _log(world))


def test_deeply_nested_invitation_body_is_a_dutch_400(world) -> None:
    body = b"[" * 5000 + b"]" * 5000
    response = _as(world, "eigenaar").post(
        "/api/organisatie/uitnodigingen", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "dieper genest" in response.json()["fout"]
