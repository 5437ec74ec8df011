"""Pages of long lists: one page size, one reader of ``?page=``, one pager
(templates/_paging.html). Counted and limited in SQL: a page costs the same at any length."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

from compapp.extensions import db

PAGE_SIZE = 50


@dataclass
class Page:
    items: list
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def first(self) -> int:
        """The position of the page's first item in the whole list (1-based)."""
        return (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1


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
