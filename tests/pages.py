"""Submit a form the way a browser does: from the page that shows it, with its hidden fields.

A confirmation carries a token of what its page showed (compapp.core.seen); tests post it as
the page gave it, so that what is confirmed is what was seen.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append((a.get("action") or "", {}))
        elif tag == "input" and self.forms and a.get("type") == "hidden" and a.get("name"):
            self.forms[-1][1][a["name"]] = a.get("value") or ""


def hidden_fields(html: str, action: str) -> dict:
    """The hidden fields of the first form on ``html`` posting to ``action``."""
    parser = _Forms()
    parser.feed(html)
    for form_action, fields in parser.forms:
        if form_action.split("#")[0] == action:
            return fields
    raise AssertionError(f"no form posting to {action}")


def seen_token(client, page: str, action: str) -> str:
    """The token the form posting to ``action`` carries on ``page``."""
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    return hidden_fields(response.get_data(as_text=True), action)["seen"]


def submit(client, page: str, action: str, data: dict | None = None, **kwargs):
    """Open ``page``, then post its form for ``action`` with its hidden fields and ``data``."""
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    fields = hidden_fields(response.get_data(as_text=True), action)
    return client.post(action, data={**fields, **(data or {})}, **kwargs)
