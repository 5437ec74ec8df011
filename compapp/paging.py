"""Pages of long lists: one page size, one reader of ``?page=`` and ``?sort=``, one pager
(templates/_paging.html). Counted, ordered and limited in SQL: a page costs the same at any
length. ``page_of`` pages a list in its own order; ``sorted_page`` lets the person sort it by
a column (``?sort=column`` / ``?sort=-column``) first."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

from compapp.extensions import db

PAGE_SIZE = 50
# Lists of cards (each entry's awards: a table of its own) show fewer a page: a page of 20
# reads on a phone without endless scrolling and costs what a 50-row table costs.
CARDS_PAGE = 20


@dataclass
class Page:
    items: list
    total: int
    page: int
    pages: int
    per_page: int
    sort: str = ""  # the column key, "-" first when descending ("" when not sortable)

    @property
    def first(self) -> int:
        """The position of the page's first item in the whole list (1-based; 0 when empty)."""
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0


def page_of(
    query,
    per_page: int = PAGE_SIZE,
    scalars: bool = True,
    arg: str = "page",
    total: int | None = None,
) -> Page:
    """The requested page (``?page=N``, clamped to 1..last) of the ORM select ``query``.

    :param arg: the query argument naming the page (two lists on one page use two)
    :param total: the number of rows of ``query`` when the page's summary already counted
        them in SQL (spares counting them again)
    """
    if total is None:
        total = db.session.scalar(
            db.select(db.func.count()).select_from(query.order_by(None).subquery())
        )
    pages = max(1, -(-total // per_page))
    page = min(max(request.args.get(arg, 1, type=int), 1), pages)
    limited = query.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(limited)
    items = result.unique().scalars().all() if scalars else result.all()
    return Page(items, total, page, pages, per_page)


def sorted_page(
    query, columns: dict, default: str, tiebreak=None, per_page: int = PAGE_SIZE
) -> Page:
    """Order ``query`` by the requested column (one of ``columns``: key → SQL column; an
    unknown key falls back to ``default``) and return the requested page of it.

    :param tiebreak: a unique column (the row id) ordering rows of equal value, so that
        pages never overlap nor skip a row
    """
    asked = request.args.get("sort") or default
    key = asked.lstrip("-")
    if key not in columns:
        asked, key = default, default.lstrip("-")
    column = columns[key]
    descending = asked.startswith("-")
    order = [column.desc() if descending else column.asc()]
    if tiebreak is not None:
        order.append(tiebreak.desc() if descending else tiebreak.asc())
    ordered = query.order_by(None).order_by(*order)
    found = page_of(ordered, per_page)
    found.sort = asked
    return found


def search_text() -> str:
    """The ``?q=`` search words, trimmed and bounded."""
    return (request.args.get("q") or "").strip()[:40]


def page_of_list(items: list, per_page: int = PAGE_SIZE, arg: str = "page") -> tuple[Page, slice]:
    """The requested page of a list already in hand (a notice's stored rows) and the slice of
    the list it shows, so that only that slice's records need loading."""
    total = len(items)
    pages = max(1, -(-total // per_page))
    page = min(max(request.args.get(arg, 1, type=int), 1), pages)
    window = slice((page - 1) * per_page, page * per_page)
    return Page(items[window], total, page, pages, per_page), window
