"""Dutch HTML for the own account, the organisation (accounts, invitations, partners), the
audit log and accepting an invitation. Plain forms: no script needed. Each page is built
from the same dict as its ``.json`` twin, so both show the same thing."""

from __future__ import annotations

from typing import Any

from veerkracht.store.accounts.repo import ROLES
from veerkracht.web.pages import esc, page

#: fixed texts after a form was handled (the URL carries the key, never the text)
DONE = {
    "rol": "De rol is gewijzigd.",
    "verwijderd": "Het account is verwijderd.",
    "ingetrokken": "De uitnodiging is ingetrokken.",
    "wachtwoord": "Uw wachtwoord is gewijzigd. Andere sessies zijn beëindigd.",
}
_ROLE_TEXT = {
    "lezer": "lezer (bekijkt kaarten en gedeelde weergaven)",
    "analist": "analist (ook eigen data uploaden en delen)",
    "beheerder": "beheerder (ook accounts, rollen en partners beheren)",
}


def _notice(done: str | None) -> str:
    text = DONE.get(done or "")
    return f'<p role="status"><strong>{esc(text)}</strong></p>' if text else ""


def _error(message: str) -> str:
    return f'<p class="fout" role="alert">{esc(message)}</p>' if message else ""


def _button_form(action: str, label: str, fields: str = "") -> str:
    return (
        f'<form method="post" action="{esc(action)}" style="display:inline">{fields}'
        f'<button type="submit">{esc(label)}</button></form>'
    )


def _role_select(current: str = "lezer") -> str:
    options = "".join(
        f'<option value="{r}"{" selected" if r == current else ""}>{esc(_ROLE_TEXT[r])}</option>'
        for r in reversed(ROLES)
    )
    return f'<select name="rol">{options}</select>'


def _user_rows(data: dict) -> str:
    rows = []
    for u in data["gebruikers"]:
        if u["email"] == data["ik"]:
            actions = "(uw eigen account)"
        else:
            base = f"/organisatie/gebruikers/{u['email']}"
            actions = _button_form(f"{base}/rol", "Rol wijzigen", _role_select(u["rol"]))
            actions += " " + _button_form(f"{base}/verwijderen", "Verwijderen")
        rows.append(
            f"<tr><td>{esc(u['email'])}</td><td>{esc(u['rol'])}</td><td>{actions}</td></tr>"
        )
    return (
        "<table><thead><tr><th>E-mailadres</th><th>Rol</th><th>Wijzigen</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _invitation_rows(data: dict) -> str:
    if not data["uitnodigingen"]:
        return "<p>Geen open uitnodigingen.</p>"
    rows = "".join(
        f"<tr><td>{esc(i['soort'])}</td><td>{esc(i['email'])}</td><td>{esc(i['rol'])}</td>"
        f"<td>{esc(i['organisatie'] or '')}</td><td>{esc(_time(i['geldig_tot']))}</td><td>"
        + _button_form(f"/organisatie/uitnodigingen/{i['id']}/intrekken", "Intrekken")
        + "</td></tr>"
        for i in data["uitnodigingen"]
    )
    return (
        "<table><thead><tr><th>Soort</th><th>E-mailadres</th><th>Rol</th>"
        "<th>Nieuwe organisatie</th><th>Geldig tot (UTC)</th><th></th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _invite_forms() -> str:
    days = (
        '<p><label>Geldig (dagen)<br><input type="number" name="geldig_dagen" value="7" '
        'min="1" max="30" required></label></p>'
    )
    colleague = (
        '<form method="post" action="/organisatie/uitnodigingen">'
        '<input type="hidden" name="soort" value="gebruiker">'
        '<p><label>E-mailadres<br><input type="email" name="email" required></label></p>'
        f"<p><label>Rol<br>{_role_select()}</label></p>{days}"
        '<p><button type="submit">Uitnodiging maken</button></p></form>'
    )
    partner = (
        '<form method="post" action="/organisatie/uitnodigingen">'
        '<input type="hidden" name="soort" value="partner">'
        '<p><label>Naam van de organisatie<br><input name="organisatie" required maxlength="60">'
        "</label></p>"
        '<p><label>E-mailadres van de contactpersoon<br><input type="email" name="email" '
        f'required></label></p>{days}<p><button type="submit">Partner uitnodigen</button></p>'
        "</form>"
    )
    return (
        f"<h2>Collega uitnodigen</h2>{colleague}"
        "<h2>Partnerorganisatie uitnodigen</h2><p>Bijvoorbeeld de gemeente, de GGD of de "
        "politie. De partner krijgt een eigen organisatie en wordt daar beheerder; daarna "
        "kunt u uploads en kaarten met die organisatie delen.</p>" + partner
    )


def organisation(data: dict, user: Any, done: str | None = None) -> str:
    partners = "".join(f"<li>{esc(p)}</li>" for p in data["partners"]) or "<li>nog geen</li>"
    body = (
        _notice(done)
        + f"<h2>Accounts ({len(data['gebruikers'])})</h2>{_user_rows(data)}"
        + f"<h2>Open uitnodigingen</h2>{_invitation_rows(data)}"
        + _invite_forms()
        + f"<h2>Partnerorganisaties</h2><ul>{partners}</ul>"
        + '<p><a href="/organisatie/logboek">Logboek: wie deelde wat met wie</a> · '
        '<a href="/account">Mijn account</a></p>'
    )
    return page(f"Organisatie {data['organisatie']}", body, user=user, json_url="/organisatie.json")


_DETAIL_LABELS = {
    "met": "gedeeld met",
    "door": "door",
    "email": "e-mailadres",
    "rol": "rol",
    "geldig_tot": "geldig tot",
    "organisatie": "organisatie",
    "van": "van",
    "naar": "naar",
}


def _time(iso: str) -> str:
    """'2026-12-02T20:01:00' -> '2026-12-02 20:01' (UTC, as the page says)."""
    return iso.replace("T", " ")[:16]


def _detail_text(detail: dict) -> str:
    parts = []
    for key, value in detail.items():
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        if key == "geldig_tot":
            text = _time(text)
        parts.append(f"{_DETAIL_LABELS.get(key, key)}: {text}")
    return "; ".join(parts)


def audit_log(data: dict, user: Any) -> str:
    rows = "".join(
        f"<tr><td>{esc(_time(e['tijd']))}</td><td>{esc(e['wie'])}</td><td>{esc(e['actie'])}</td>"
        f"<td>{esc(e['onderwerp'])}</td><td>{esc(_detail_text(e['details']))}</td></tr>"
        for e in data["logboek"]
    )
    body = (
        "<p>Uitnodigingen, rollen, verwijderde accounts, gewijzigde wachtwoorden en wat er "
        "gedeeld is, het nieuwste eerst (tijden in UTC). Alleen zichtbaar voor beheerders van "
        "deze organisatie.</p>"
        + (
            "<table><thead><tr><th>Tijd</th><th>Wie</th><th>Actie</th><th>Onderwerp</th>"
            f"<th>Details</th></tr></thead><tbody>{rows}</tbody></table>"
            if rows
            else "<p>Nog niets gebeurd.</p>"
        )
        + '<p><a href="/organisatie">Terug naar de organisatie</a></p>'
    )
    return page(
        f"Logboek {data['organisatie']}", body, user=user, json_url="/organisatie/logboek.json"
    )


def invitation_made(data: dict, link: str, user: Any) -> str:
    i = data["uitnodiging"]
    body = (
        f"<p>Stuur deze link zelf naar <strong>{esc(i['email'])}</strong>. Hij werkt één "
        f"keer en is geldig tot {esc(_time(i['geldig_tot']))} (UTC). <strong>De link wordt "
        "maar één keer getoond</strong>: alleen een versleutelde vorm wordt bewaard.</p>"
        f'<p><label>Uitnodigingslink<br><input readonly size="80" value="{esc(link)}">'
        "</label></p>"
        f"<p>De code in de link: <code>{esc(data['code'])}</code></p>"
        '<p><a href="/organisatie">Terug naar de organisatie</a></p>'
    )
    return page("Uitnodiging gemaakt", body, user=user)


def account(data: dict, user: Any, done: str | None = None, error: str = "") -> str:
    g = data["gebruiker"]
    admin = (
        '<p><a href="/organisatie">Organisatie beheren</a></p>' if g["rol"] == "beheerder" else ""
    )
    body = (
        _notice(done) + f"<table><tr><th>E-mailadres</th><td>{esc(g['email'])}</td></tr>"
        f"<tr><th>Organisatie</th><td>{esc(g['organisatie'])}</td></tr>"
        f"<tr><th>Rol</th><td>{esc(_ROLE_TEXT[g['rol']])}</td></tr></table>{admin}"
        "<h2>Wachtwoord wijzigen</h2>"
        + _error(error)
        + '<form method="post" action="/account/wachtwoord">'
        '<p><label>Huidig wachtwoord<br><input type="password" name="huidig" required '
        'autocomplete="current-password"></label></p>'
        + _new_password_fields()
        + '<p><button type="submit">Wachtwoord wijzigen</button></p></form>'
    )
    return page("Mijn account", body, user=user, json_url="/account.json")


def _new_password_fields() -> str:
    return (
        "<p><label>Nieuw wachtwoord (minstens 10 tekens; een wachtzin van losse woorden is "
        'sterk)<br><input type="password" name="nieuw" required minlength="10" '
        'autocomplete="new-password"></label></p>'
        '<p><label>Nieuw wachtwoord nog een keer<br><input type="password" name="herhaling" '
        'required minlength="10" autocomplete="new-password"></label></p>'
    )


def invitation(data: dict, code: str, error: str = "") -> str:
    i = data["uitnodiging"]
    if i["soort"] == "partner":
        intro = (
            f"<p>{esc(i['door'])} nodigt u uit om <strong>{esc(i['partner'])}</strong> aan te "
            "sluiten als partnerorganisatie. U wordt beheerder van die organisatie en kunt "
            "daarna zelf collega's uitnodigen.</p>"
        )
    else:
        intro = (
            f"<p>{esc(i['door'])} nodigt u uit voor een account als "
            f"<strong>{esc(_ROLE_TEXT[i['rol']])}</strong>.</p>"
        )
    body = (
        intro
        + f"<p>Uw account: <strong>{esc(i['email'])}</strong>. Deze uitnodiging werkt één keer "
        f"en is geldig tot {esc(_time(i['geldig_tot']))} (UTC).</p>"
        + _error(error)
        + f'<form method="post" action="/uitnodiging/{esc(code)}">'
        + _new_password_fields()
        + '<p><button type="submit">Account aanmaken</button></p></form>'
    )
    return page("Uitnodiging", body, json_url=f"/uitnodiging/{code}.json")
