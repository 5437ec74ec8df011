"""Sorting and pages of long lists: ``?sort=column`` / ``?sort=-column`` and ``?page=N``,
read from the request, applied in SQL, with links that keep every other filter."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

from compapp.extensions import db

PER_PAGE = 50


@dataclass
class TablePage:
    items: list
    total: int
    page: int
    pages: int
    per_page: int
    sort: str  # the column key, "-" first when descending

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0


def sorted_page(query, columns: dict, default: str, per_page: int = PER_PAGE) -> TablePage:
    """Order ``query`` by the requested column (one of ``columns``: key → SQL column, with the
    row id as tie-breaker so pages never overlap) and return the requested page of it."""
    asked = request.args.get("sort") or default
    key = asked.lstrip("-")
    if key not in columns:
        asked, key = default, default.lstrip("-")
    column = columns[key]
    descending = asked.startswith("-")
    order = [column.desc() if descending else column.asc()]
    total = db.session.scalar(
        db.select(db.func.count()).select_from(query.order_by(None).subquery())
    )
    pages = max(1, -(-total // per_page))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    rows = db.session.scalars(
        query.order_by(None).order_by(*order).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return TablePage(rows, total, page, pages, per_page, asked)
