"""The report rows' JSON detail (about 5 KB a unit) compressed with lz4.

PostgreSQL compresses large values with pglz by default; lz4 (PostgreSQL 14 and
later, when the server was built with it) writes a city quarter's 15,000 rows
about a second faster and reads them back faster too. Elsewhere, or on a server
without lz4, nothing changes.
"""

from django.db import migrations, transaction
from django.db.utils import DatabaseError

COLUMNS = ("indicators", "categories")


def _alter(apps, schema_editor, method):
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.pg_version < 140000:
        return
    table = schema_editor.quote_name("assessments_quarterreportrow")
    clauses = ", ".join(
        f"ALTER COLUMN {schema_editor.quote_name(c)} SET COMPRESSION {method}"
        for c in COLUMNS
    )
    try:
        with transaction.atomic(using=connection.alias):
            schema_editor.execute(f"ALTER TABLE {table} {clauses}")
    except DatabaseError:
        pass  # a server built without lz4 keeps pglz


def use_lz4(apps, schema_editor):
    _alter(apps, schema_editor, "lz4")


def use_default(apps, schema_editor):
    _alter(apps, schema_editor, "default")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0004_report_row_group_rank_index"),
    ]

    operations = [migrations.RunPython(use_lz4, use_default)]
