"""Masking of personal names for public pages."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """Keep the family name (first character) and hide the rest: 张三丰 → 张**."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)
