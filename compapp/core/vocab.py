"""Skill grades and their order (POLICY.md §6, 003_a0dee99659bd7bcf.txt:3461)."""

from __future__ import annotations

GRADES = (
    # code, order, Chinese name, English name
    ("none", 0, "无等级", "No grade"),
    ("junior", 1, "五级/初级工", "Level 5 / Junior worker"),
    ("intermediate", 2, "四级/中级工", "Level 4 / Intermediate worker"),
    ("senior", 3, "三级/高级工", "Level 3 / Senior worker"),
    ("technician", 4, "二级/技师", "Level 2 / Technician"),
    ("senior_technician", 5, "一级/高级技师", "Level 1 / Senior technician"),
)
GRADE_ORDER = {code: order for code, order, _zh, _en in GRADES}
# The Chinese names, as printed on certificates and notices and written in reasons.
GRADE_NAMES = {code: zh for code, _order, zh, _en in GRADES}
