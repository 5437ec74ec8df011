"""Reference data: jurisdictions (GB/T 2260 division codes) and skill grades."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from compapp.core.vocab import JurisdictionLevel
from compapp.extensions import db


class Jurisdiction(db.Model):
    __tablename__ = "jurisdictions"
    __table_args__ = (
        CheckConstraint(JurisdictionLevel.sql_in("level"), name="level"),
        CheckConstraint("length(code) = 6", name="code_length"),
    )

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    short_name: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(20))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("jurisdictions.code"))

    parent: Mapped[Jurisdiction | None] = relationship(remote_side=[code])

    @property
    def prefecture(self) -> Jurisdiction | None:
        """The prefecture a county belongs to (itself for a prefecture)."""
        if self.level == JurisdictionLevel.PREFECTURE:
            return self
        if self.level == JurisdictionLevel.COUNTY:
            return self.parent
        return None

    @property
    def label(self) -> str:
        """ "德钦县（迪庆藏族自治州）" for counties, the name otherwise."""
        if self.level == JurisdictionLevel.COUNTY and self.parent is not None:
            return f"{self.name}（{self.parent.name}）"
        return self.name

    def __repr__(self) -> str:
        return f"<Jurisdiction {self.code} {self.name}>"


class Grade(db.Model):
    __tablename__ = "grades"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    order: Mapped[int] = mapped_column(unique=True)
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(60))
