"""Checks on personal data of union officers."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# ISO 7064 MOD 11-2 as used by GB 11643-1999: weights of the first 17 digits and the
# check character for each remainder.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


def normalise_resident_id(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def resident_id_check_char(first17: str) -> str:
    total = sum(
        int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True)
    )
    return ID_CHECK_CHARS[total % 11]


def resident_id_birth_date(value: str) -> date | None:
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def validate_resident_id(value: str) -> None:
    """A Chinese resident ID number: 18 characters, a real birth date, a check digit.

    The message names the part that is wrong, so the person entering it knows what
    to look at.
    """
    number = normalise_resident_id(value)
    if len(number) != 18:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(count)s."),
            code="id_length",
            params={"count": len(number)},
        )
    if not number[:17].isdigit() or not re.fullmatch(r"[0-9X]", number[17]):
        raise ValidationError(
            _(
                "The first 17 characters of an ID number are digits and the last is a "
                "digit or X."
            ),
            code="id_characters",
        )
    birth = resident_id_birth_date(number)
    if birth is None or birth.year < 1900 or birth > timezone.localdate():
        raise ValidationError(
            _(
                "Characters 7 to 14 of an ID number are the birth date (YYYYMMDD); "
                "%(digits)s is not a valid date."
            ),
            code="id_birth_date",
            params={"digits": number[6:14]},
        )
    expected = resident_id_check_char(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _(
                "The check digit (the last character) of this ID number is wrong: the "
                "first 17 characters give %(expected)s. Look for a mistyped digit."
            ),
            code="id_check_digit",
            params={"expected": expected},
        )


PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()-]{4,24}$")


def validate_phone(value: str) -> None:
    if not PHONE_PATTERN.fullmatch((value or "").strip()):
        raise ValidationError(
            _(
                "Enter a phone number of digits, spaces and hyphens, e.g. 138 0000 1234."
            ),
            code="phone",
        )
