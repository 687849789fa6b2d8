import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from bench.copy import CopyTable, text
from unions.models import OfficeTerm, Union

NOW = timezone.make_aware(datetime.datetime(2026, 11, 25, 9))


def test_text_escapes_what_copy_would_read_as_structure():
    assert text("a\tb\nc\\d") == "a\\tb\\nc\\\\d"


def test_text_writes_null_booleans_and_numbers_as_copy_reads_them():
    assert text(None) == "\\N"
    assert (text(True), text(False)) == ("t", "f")
    assert text(Decimal("1.50")) == "1.50"


def test_text_writes_json_for_lists_and_dicts():
    assert text({"a": [1, "二"]}) == '{"a":[1,"二"]}'


def test_copy_table_fills_the_columns_the_seed_leaves_out():
    table = CopyTable(Union, ["id", "name_zh", "code", "kind", "path"], now=NOW)
    assert table.columns[:5] == ["id", "name_zh", "code", "kind", "path"]
    assert "created_at" in table.columns
    # name_en blank, parent NULL, depth 0, member_count 0, active, timestamps
    assert "\t\\N\t" in table.suffix
    assert NOW.isoformat() in table.suffix


def test_copy_table_names_a_required_field_the_seed_forgot():
    with pytest.raises(LookupError, match="number"):
        CopyTable(OfficeTerm, ["id", "union", "start", "planned_end"], now=NOW)


def test_copy_table_insists_on_ids():
    with pytest.raises(LookupError, match="id"):
        CopyTable(Union, ["name_zh", "code", "kind"], now=NOW)
