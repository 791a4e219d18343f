"""German formatting for numbers, percentages, changes and dates (1.234,5; 31.12.2023)."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

DASH = "–"


def number(value, decimals: int = 0, missing: str = DASH) -> str:
    """1234.5 -> '1.234,5' (decimals fixed)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    # commercial rounding of the shortest decimal form, as official statistics round: 5 of 8 = 62,5 -> 63
    # (Python's format rounds half to even and would print 62)
    value = float(value)
    rounded = (
        Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        if math.isfinite(value)
        else value
    )
    text = f"{rounded:,.{decimals}f}"
    text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    if text.startswith("-0") and float(text.replace(".", "").replace(",", ".")) == 0:
        return "0" + text[2:]
    return "\u2212" + text[1:] if text.startswith("-") else text  # typographic minus, as in STYLE.md


def signed(value, decimals: int = 0, missing: str = DASH) -> str:
    """A change with its sign: '+1.234', '−56,7' (typographic minus)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    text = number(abs(value), decimals)
    if text.strip("0,.") == "":
        return "±" + text
    return ("+" if value > 0 else "−") + text


def percent(value, decimals: int = 1, missing: str = DASH, sign: bool = False) -> str:
    """12.345 -> '12,3 %' (value already in percent)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    return (signed(value, decimals) if sign else number(value, decimals)) + "\u00a0%"


def german_date(value: date | datetime | str) -> str:
    """date(2023, 12, 31) or '2023-12-31' -> '31.12.2023'."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.strftime("%d.%m.%Y")


def year_end(year: int) -> str:
    """The reference date of the yearly statistics: '31.12.2023'."""
    return german_date(date(int(year), 12, 31))


def join_names(names: list[str]) -> str:
    """['A', 'B', 'C'] -> 'A, B und C'."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " und " + names[-1]
