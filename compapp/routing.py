"""How URLs and form values name records: ids within PostgreSQL's integer range."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

# Record ids are PostgreSQL integers: a larger number in a URL or form is no record (404),
# never a query that overflows.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: a non-negative integer up to ``MAX_ID``, else 404."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def record_id(text: str) -> int:
    """Read a record id from a request value (``type=record_id``); ValueError when out of range."""
    value = int(text)
    if not 0 < value <= MAX_ID:
        raise ValueError(text)
    return value


def init_app(app) -> None:
    """Read every ``<int:…>`` of a route with ``IdConverter``."""
    app.url_map.converters["int"] = IdConverter
