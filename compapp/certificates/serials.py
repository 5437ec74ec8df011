"""Certificate serials: unguessable, readable aloud, safe in URLs and file names."""

from __future__ import annotations

import secrets

# Crockford's base32 leaves out I, L, O and U so a serial read from paper is not misread.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SERIAL_LENGTH = 26
SERIAL_BITS = SERIAL_LENGTH * 5  # 130 random bits, above the 96-bit floor for unguessability
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
# What a person may type instead of the canonical character (Crockford's decoding rules).
_READ_AS = {"I": "1", "L": "1", "O": "0"}


def new_serial() -> str:
    """Return a fresh serial of 26 Crockford base32 characters drawn from the OS's CSPRNG."""
    value = secrets.randbits(SERIAL_BITS)
    chars = []
    for _ in range(SERIAL_LENGTH):
        chars.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def is_well_formed(serial: str) -> bool:
    """Tell whether ``serial`` is in canonical form: 26 upper-case Crockford characters."""
    return (
        isinstance(serial, str)
        and len(serial) == SERIAL_LENGTH
        and all(ch in _INDEX for ch in serial)
    )


def normalize_serial(text: str) -> str | None:
    """Return the canonical serial a person meant, or None when ``text`` can't be one.

    Accepts lower case, spaces and hyphens, and I/L/O typed for 1/1/0.
    """
    cleaned = "".join(ch for ch in text.upper() if ch not in " -")
    cleaned = "".join(_READ_AS.get(ch, ch) for ch in cleaned)
    return cleaned if is_well_formed(cleaned) else None


def group_serial(serial: str, size: int = 5) -> str:
    """Return ``serial`` split into hyphen-joined groups for reading aloud (display only)."""
    return "-".join(serial[i : i + size] for i in range(0, len(serial), size))
