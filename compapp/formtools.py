"""Small helpers shared by the forms."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """Turn (value, label) pairs into select options."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token protects a confirmation button."""
