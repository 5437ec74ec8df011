"""Contest categories, the results each may have, and their Chinese names (POLICY.md §2–3).

A pure table: the contest forms, the quote API and the award rules all read it, so a
medal that a category does not award is refused in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from compapp.core import vocab
from compapp.core.messages import N_
from compapp.core.vocab import EventFormat, HonourKind, Medal, Payee, PayerLevel, Tier

MEDALS = Medal.codes()
PRIZES = tuple(vocab.PRIZE_NAMES)
EVENT_FORMATS = EventFormat.codes()
PAYER_LEVELS = PayerLevel.codes()
PAYEES = Payee.codes()
TEAM_SIZE = vocab.TEAM_SIZE

_PODIUM = ("gold", "silver", "bronze")
_PODIUM_AND_EXCELLENCE = (*_PODIUM, "excellence")


@dataclass(frozen=True)
class Category:
    """One contest category: its tier, Chinese name and the results it can have."""

    id: str
    tier: str
    name: str
    medals: tuple[str, ...]
    prizes: tuple[int, ...]

    @property
    def rank_only(self) -> bool:
        """True when the category records only ranks (no medal, no prize, no cash)."""
        return not self.medals and not self.prizes

    @property
    def result_keys(self) -> tuple[str, ...]:
        """The schedule keys of the results the category awards: "gold" …, "prize_1" …."""
        return (*self.medals, *(result_key(None, n) for n in self.prizes))


# §3. Categories whose row says "ranks drive promotion; no cash rule" or "no cash rule in
# the sources" (national_class2, provincial_class2, prefecture_class2) record ranks only:
# a medal or prize there is a validation error, not a zero. `excellence` (优胜奖) exists at
# WorldSkills and the national skills competition, and — recorded with no cash (002_…txt:47
# names it, no source sets an amount) — at national_class1 and the provincial class-1
# contests; prefecture contests award gold/silver/bronze or prizes 1–3.
CATEGORIES: dict[str, Category] = {
    c.id: c
    for c in (
        Category("worldskills", "world", N_("世界技能大赛"), MEDALS, ()),
        Category("national_skills_competition", "national", N_("全国职业技能大赛"), MEDALS, ()),
        Category(
            "national_class1",
            "national",
            N_("其他全国一类职业技能竞赛"),
            _PODIUM_AND_EXCELLENCE,
            PRIZES,
        ),
        Category("national_class2", "national", N_("全国二类职业技能竞赛"), (), ()),
        Category(
            "provincial_comprehensive",
            "provincial",
            N_("全省综合性职业技能大赛"),
            _PODIUM_AND_EXCELLENCE,
            PRIZES,
        ),
        Category(
            "provincial_class1",
            "provincial",
            N_("其他省级一类职业技能竞赛"),
            _PODIUM_AND_EXCELLENCE,
            PRIZES,
        ),
        Category("provincial_class2", "provincial", N_("省级二类职业技能竞赛"), (), ()),
        Category(
            "prefecture_comprehensive",
            "prefecture",
            N_("州（市）综合性职业技能大赛"),
            _PODIUM,
            PRIZES,
        ),
        Category(
            "prefecture_class1", "prefecture", N_("其他州（市）级一类职业技能竞赛"), _PODIUM, PRIZES
        ),
        Category("prefecture_class2", "prefecture", N_("州（市）级二类职业技能竞赛"), (), ()),
    )
}

CATEGORY_TIER = {c.id: c.tier for c in CATEGORIES.values()}
CATEGORY_NAMES = {c.id: c.name for c in CATEGORIES.values()}
# The Chinese names (compapp.core.vocab writes them; compapp.labels translates them).
TIER_NAMES = Tier.names()
FORMAT_NAMES = EventFormat.names()
MEDAL_NAMES = Medal.names()
PRIZE_NAMES = vocab.PRIZE_NAMES
PAYER_LEVEL_NAMES = PayerLevel.names()
PAYEE_NAMES = Payee.names()
# Honours are awards to a person, not placements (POLICY.md §4.7): compapp.core.vocab.HonourKind.
HONOUR_NAMES = HonourKind.names()
HONOUR_KINDS = HonourKind.codes()


def allowed_results(category: str) -> dict[str, list]:
    """Return the medals and prizes ``category`` awards: ``{"medals": [...], "prizes": [...]}``.

    Both lists are empty for a rank-only category. Raises ``KeyError`` for an unknown id.
    """
    entry = CATEGORIES[category]
    return {"medals": list(entry.medals), "prizes": list(entry.prizes)}


def result_key(medal: str | None, prize: int | None) -> str | None:
    """Return the key a schedule uses for a result: "gold" … "excellence", "prize_1" … or None."""
    if medal is not None:
        return medal
    if prize is not None:
        return f"prize_{prize}"
    return None


RESULT_KEYS = (*MEDALS, *(f"prize_{n}" for n in PRIZES))


def result_name(medal: str | None, prize: int | None) -> str:
    """Return the Chinese name of a result ("金牌", "一等奖"), or "仅名次" when there is none."""
    if medal is not None:
        return MEDAL_NAMES.get(medal, medal)
    if prize is not None:
        return PRIZE_NAMES.get(prize, str(prize))
    return "仅名次"


def result_key_name(key: str) -> str:
    """Return the Chinese name of a schedule key ("gold" → "金牌", "prize_2" → "二等奖")."""
    if key.startswith("prize_"):
        return PRIZE_NAMES[int(key.removeprefix("prize_"))]
    return MEDAL_NAMES[key]
