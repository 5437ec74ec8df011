"""Read a policy data file strictly: no floats, no duplicate keys, errors that name the file."""

from __future__ import annotations

import tomllib
from pathlib import Path


class PolicyFileError(ValueError):
    """A policy data file is malformed; the message names the file and the key."""


def _refuse_float(text: str):
    raise ValueError(f"float {text!r}: write amounts as integers or quoted decimal strings")


def load_toml_strict(path: Path) -> dict:
    """Parse ``path`` as TOML, refusing floats; tomllib itself refuses duplicate keys."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh, parse_float=_refuse_float)
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        raise PolicyFileError(f"{path.name}: {exc}") from exc
