"""Certificate serials: unguessable, canonical, URL-safe (CONTRACT.md, Certificates)."""

from __future__ import annotations

import math
from collections import Counter
from urllib.parse import quote

import pytest

from compapp.certificates.serials import (
    ALPHABET,
    SERIAL_BITS,
    SERIAL_LENGTH,
    group_serial,
    is_well_formed,
    new_serial,
    normalize_serial,
)


def test_new_serial_is_26_crockford_characters():
    """A serial is 26 upper-case characters of Crockford's base32 alphabet."""
    serial = new_serial()
    assert len(serial) == SERIAL_LENGTH == 26
    assert set(serial) <= set(ALPHABET)
    assert not set(serial) & set("ILOU")
    assert is_well_formed(serial)


def test_serial_carries_at_least_96_random_bits():
    """ "A serial that cannot be guessed": the alphabet and length hold ≥ 96 bits."""
    assert SERIAL_LENGTH * math.log2(len(ALPHABET)) == SERIAL_BITS >= 96


def test_every_position_of_the_serial_takes_every_symbol():
    """All 130 bits are used: each position, the first too, takes all 32 symbols."""
    serials = [new_serial() for _ in range(3000)]
    for position in range(SERIAL_LENGTH):
        assert set(s[position] for s in serials) == set(ALPHABET), position


def test_serial_symbols_are_roughly_uniform():
    """No symbol is strongly favoured (a chi-square bound far above chance)."""
    counts = Counter("".join(new_serial() for _ in range(2000)))
    expected = 2000 * SERIAL_LENGTH / 32
    chi2 = sum((counts[ch] - expected) ** 2 / expected for ch in ALPHABET)
    # 31 degrees of freedom: 80 is beyond the 0.9999 quantile.
    assert chi2 < 80


def test_serials_do_not_repeat():
    """Ten thousand serials are all different."""
    assert len({new_serial() for _ in range(10_000)}) == 10_000


def test_serial_is_url_safe():
    """The serial goes into /verify/<serial> unescaped."""
    serial = new_serial()
    assert quote(serial, safe="") == serial


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0" * 25,
        "0" * 27,
        "0123456789abcdefghjkmnpqrs",  # lower case is not canonical
        "0123456789ABCDEFGHIKMNPQRS",  # I is not in the alphabet
        "0123456789ABCDEFGHJKMNPQRU",  # U neither
        "01234-56789ABCDEFGHJKMNPQR",
        None,
    ],
)
def test_is_well_formed_refuses_non_canonical_text(text):
    """Only the canonical 26-character form is well formed."""
    assert not is_well_formed(text)


def test_normalize_serial_reads_what_a_person_typed():
    """Lower case, hyphens, spaces and I/L/O for 1/1/0 are read as the canonical serial."""
    serial = "01234567890ABCDEFGHJKMNPQR"
    typed = "oi234-567890-abcdef ghjkmn-pqr"
    assert normalize_serial(typed) == serial
    assert normalize_serial(group_serial(serial)) == serial
    assert normalize_serial("not a serial") is None
