"""Route URLs are spelled once (web/urls.py): the app serves them, the front end's generated
copy equals them, and no front-end module spells an API path itself."""

from __future__ import annotations

import re
from pathlib import Path

from veerkracht.web.urls import ROUTES, routes_js, url

FRONTEND = Path(__file__).resolve().parents[2] / "web" / "frontend" / "src"


def test_every_route_in_the_table_is_served(world) -> None:
    served = {getattr(r, "path", None) for r in world.client.app.routes}
    missing = {name: path for name, path in ROUTES.items() if path not in served}
    assert missing == {}


def test_generated_front_end_table_is_up_to_date() -> None:
    on_disk = (FRONTEND / "routes.js").read_text(encoding="utf-8")
    assert on_disk == routes_js(), (
        "web/frontend/src/routes.js is out of date: run "
        "`python -m veerkracht.web.urls > web/frontend/src/routes.js`"
    )


def test_front_end_spells_no_route_itself() -> None:
    literal = re.compile(r"""[`"'](/(api|export|kaart|inloggen|gedeeld)\b[^`"']*)""")
    found = {
        f"{path.name}:{n}": m.group(1)
        for path in FRONTEND.glob("*.js")
        if path.name != "routes.js"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if (m := literal.search(line)) and not line.lstrip().startswith("//")
    }
    assert found == {}


def test_view_links_are_built_from_the_table() -> None:
    from veerkracht.web.state import ViewState

    state = ViewState.parse(
        "GM0363", start_year="2017", end_year="2019", buurt=["BU03630000", "BU03630001"]
    )
    links = state.links()
    assert links["signalen"].startswith(url("signals", gm="GM0363") + "?")
    assert links["profielen"][0].startswith(url("profile", gm="GM0363", bu="BU03630000") + "?")
    assert links["export"]["bestuurskaart_a3"].startswith(url("export_board", gm="GM0363"))
    assert links["export"]["bestuurskaart_a3"].endswith("&formaat=A3")
    assert links["vergelijking"].startswith(url("compare_buurten", gm="GM0363") + "?buurten=")
