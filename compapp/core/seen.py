"""Bind a confirmation to what the person saw: a signed token of a record's view, and the diff.

Every confirmation in compapp — a result (four-eyes), a budget, a promotion decision, a
payment — is made from a page. The page puts ``make_token(secret, kind, key, view)`` in its
form, where ``view`` is what the page shows of the record that the confirmation rests on (a
small dict of JSON values, keyed by the msgid that names each field). The service that
confirms computes the record's view again, as it stands, and calls ``check``: if anything the
person saw has changed, ``Changed`` is raised with the differences and nothing is confirmed.

``check`` is the first half. The second half is a compare-and-set in the database, in the same
transaction: a version counter compared on UPDATE (the mapper's ``version_id_col``) or a
conditional UPDATE whose row count must match. A change that lands between the comparison
and the write is then refused by the database, and the service reports it with ``Changed``
again (or ``AlreadyDone`` when someone else made the same confirmation first).

Bulk confirmation uses the same pieces: one token per selected record, ``check_each`` to
find which of them changed, and the same compare-and-set per record.

Pure: no Flask, no database. The secret is passed in.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "compapp.seen"
# A token a person could have been given is small; anything longer is not one of ours.
MAX_TOKEN_LENGTH = 8000


@dataclass(frozen=True)
class Change:
    """One field that differs: its name (a msgid), what the person saw, what it is now."""

    field: str
    before: object
    now: object


class Changed(Exception):
    """What the person was confirming changed since they saw it; nothing was confirmed.

    ``changes`` lists the differences (empty when the page's token was missing or not ours,
    so what was seen is unknown: ``unknown`` is then True).
    """

    def __init__(self, changes: list[Change], unknown: bool = False):
        super().__init__(
            "unknown what was seen" if unknown else ", ".join(c.field for c in changes)
        )
        self.changes = changes
        self.unknown = unknown


class AlreadyDone(Exception):
    """The same confirmation was made by someone else first; ``by`` and ``at`` say who, when,
    ``detail`` anything the person needs besides (say, the voucher recorded)."""

    def __init__(self, what: str, by: str | None = None, at=None, detail: str | None = None):
        super().__init__(what)
        self.what = what
        self.by = by
        self.at = at
        self.detail = detail


def _plain(view: Mapping) -> dict:
    # A round trip through JSON: tuples become lists, so a view compares equal to its token.
    return json.loads(json.dumps(dict(view), ensure_ascii=False, sort_keys=True, default=str))


def digest(items: Iterable) -> str:
    """Return a short digest of ``items`` (e.g. (line id, amount) pairs), order-independent."""
    rows = sorted(json.dumps(item, sort_keys=True, default=str) for item in items)
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]


def make_token(secret: str, kind: str, key: object, view: Mapping) -> str:
    """Return the token a page puts in its form: the record's kind, key and view, signed."""
    return URLSafeSerializer(secret, salt=SALT).dumps([kind, str(key), _plain(view)])


def read_token(secret: str, kind: str, key: object, token: str | None) -> dict | None:
    """Return the view a token was made with, or None when it is missing, forged, too long
    or made for another record."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        data = URLSafeSerializer(secret, salt=SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, list) or len(data) != 3 or not isinstance(data[2], dict):
        return None
    if data[0] != kind or data[1] != str(key):
        return None
    return data[2]


def changes(seen: Mapping, now: Mapping) -> list[Change]:
    """Return the fields whose values differ between what was seen and what is now."""
    seen, now = _plain(seen), _plain(now)
    fields = list(now) + [f for f in seen if f not in now]
    return [
        Change(field, seen.get(field), now.get(field))
        for field in fields
        if seen.get(field) != now.get(field)
    ]


def check(seen: Mapping | None, now: Mapping) -> None:
    """Raise ``Changed`` unless the view seen equals the view now (None: unknown, refused)."""
    if seen is None:
        raise Changed([], unknown=True)
    diff = changes(seen, now)
    if diff:
        raise Changed(diff)


def check_each(pairs: Iterable[tuple[object, Mapping | None, Mapping]]) -> dict[object, Changed]:
    """For bulk confirmation: ``(key, seen, now)`` triples in, ``{key: Changed}`` for those
    that differ (an empty dict means every record is as it was seen)."""
    refused = {}
    for key, seen, now in pairs:
        try:
            check(seen, now)
        except Changed as exc:
            refused[key] = exc
    return refused
