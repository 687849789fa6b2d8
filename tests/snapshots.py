"""Before/after pictures of the database, so that a refused write is proven harmless.

A test of a refused write compares the rows, not only the status code: a view that
writes and then refuses (``ATOMIC_REQUESTS`` is off) would otherwise pass.

    with assert_unchanged(Project, Milestone):
        response = client.post(url, data)
    assert response.status_code == 403

``assert_unchanged()`` with no model compares every table of the portal's own apps
(their history tables included).
"""

import json
from contextlib import contextmanager

from django.apps import apps
from django.db import connection

PORTAL_APPS = ("unionportal", "accounts", "unions", "planning", "assessments")
# Bookkeeping of authentication itself, written by every request that presents a
# token (a read as much as a refused write): not a change the request made.
NOT_COMPARED = {"accounts.ApiToken": {"last_used_at"}}


def portal_models() -> list:
    """Every concrete model of the portal's apps, history models included."""
    return [
        model
        for label in PORTAL_APPS
        for model in apps.get_app_config(label).get_models()
        if not model._meta.proxy
    ]


def table_snapshot(*models) -> dict:
    """``{model label: every row with every field}``, in primary-key order; all the
    portal's tables when no model is named."""
    models = models or tuple(portal_models())
    if connection.vendor == "sqlite":
        tables = _sqlite_snapshot(models)
    else:
        tables = {
            model._meta.label: list(model._base_manager.order_by("pk").values())
            for model in models
        }
    for label, fields in NOT_COMPARED.items():
        for row in tables.get(label, []):
            for name in fields:
                row.pop(name, None)
    return tables


def _sqlite_snapshot(models) -> dict:
    """The same in one query (the permission matrix takes thousands of snapshots):
    each table's rows as one JSON array."""
    quote = connection.ops.quote_name
    parts, columns = [], []
    for model in models:
        names = [f.column for f in model._meta.concrete_fields]
        pk = quote(model._meta.pk.column)
        cells = ", ".join(quote(name) for name in names)
        table = quote(model._meta.db_table)
        # Names from the models, quoted: nothing here comes from outside.
        query = f"SELECT {cells} FROM {table} ORDER BY {pk}"  # noqa: S608
        parts.append(f"(SELECT json_group_array(json_array({cells})) FROM ({query}))")  # noqa: S608
        columns.append([f.attname for f in model._meta.concrete_fields])
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        tables = cursor.fetchone()
    return {
        model._meta.label: [
            dict(zip(names, row, strict=True)) for row in json.loads(rows)
        ]
        for model, names, rows in zip(models, columns, tables, strict=True)
    }


def snapshot_difference(before: dict, after: dict) -> list[str]:
    """What changed between two snapshots, one line per table (empty: nothing)."""
    lines = []
    for label, rows in before.items():
        now = after[label]
        if rows == now:
            continue
        old = {row["id"]: row for row in rows} if rows and "id" in rows[0] else {}
        new = {row["id"]: row for row in now} if now and "id" in now[0] else {}
        added = sorted(set(new) - set(old))
        removed = sorted(set(old) - set(new))
        changed = sorted(k for k in set(old) & set(new) if old[k] != new[k])
        detail = []
        if added:
            detail.append(f"added {added}")
        if removed:
            detail.append(f"removed {removed}")
        for key in changed[:3]:
            fields = [f for f in new[key] if new[key][f] != old[key][f]]
            detail.append(f"changed #{key} {fields}")
        lines.append(f"{label}: {'; '.join(detail) or 'rows differ'}")
    return lines


@contextmanager
def assert_unchanged(*models):
    """Fails if any row of ``models`` (default: every portal table) was added,
    removed or changed inside the block."""
    before = table_snapshot(*models)
    yield
    difference = snapshot_difference(before, table_snapshot(*models))
    assert not difference, "a refused write changed rows:\n" + "\n".join(difference)


@contextmanager
def assert_changed(*models):
    """The other side: fails unless some row of ``models`` changed in the block."""
    before = table_snapshot(*models)
    yield
    assert snapshot_difference(before, table_snapshot(*models)), (
        "the write answered success but changed no row"
    )
