"""The report as one self-contained HTML page (Jinja2 template, images as data URIs)."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

import jinja2

if TYPE_CHECKING:
    from veerkracht.report.content import ReportContent

TEMPLATE = "rapport.html"
STYLESHEET = "rapport.css"


def _environment():
    loader = jinja2.PackageLoader("veerkracht.report", "templates")
    return jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,  # a missing field is a bug, not an empty cell
    )


def render_report(content: ReportContent, template: str = TEMPLATE) -> str:
    """The full HTML text (the report, or ``bijlage.html``: the appendix); the stylesheet
    is inlined so the file opens offline."""
    css = resources.files("veerkracht.report").joinpath("templates", STYLESHEET).read_text("utf-8")
    template = _environment().get_template(template)
    return template.render(r=content, css=css)
