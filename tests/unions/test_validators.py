import pytest
from django.core.exceptions import ValidationError

from tests.unions.factories import resident_id
from unions.validators import validate_resident_id

VALID = "11010519491231002X"  # the standard's own example


def _message(value) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_resident_id(value)
    return " ".join(caught.value.messages)


def test_valid_id_number_with_x_check_digit_passes():
    validate_resident_id(VALID)


def test_lower_case_x_is_accepted():
    validate_resident_id(VALID.lower())


def test_generated_test_numbers_pass():
    validate_resident_id(resident_id())


def test_wrong_length_says_how_many_characters():
    assert "has 17" in _message(VALID[:-1])


def test_letters_in_the_digits_are_refused():
    assert "first 17 characters" in _message("1101051949123A002X")


def test_impossible_birth_date_is_named():
    first17 = "110105" + "20230230" + "002"
    assert "20230230 is not a valid date" in _message(first17 + "1")


def test_future_birth_date_is_refused():
    assert "not a valid date" in _message("110105" + "29990101" + "0021")


def test_wrong_check_digit_says_which_it_should_be():
    message = _message(VALID[:-1] + "1")
    assert "check digit" in message
    assert "X" in message
