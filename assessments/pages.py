"""What the report page and the dashboard's list of periods are kept under
(``unionportal.cache``): the data each shows, read in one written-out statement.

Reports and periods have no ``updated_at``: a report's marks (``is_current``,
``is_published``) move with ``.update()``, and a period's status through its
services. The statements below read what those writes leave behind instead.
Written out rather than built by the ORM: compiling took longer than running.
"""

from functools import lru_cache

from django.contrib.auth import get_user_model
from django.db import connection

from unionportal.cache import once_per_request
from unions.models import Union

from .models import Period, QuarterReport, QuarterReportFile, Scheme


def report_page_version(report_pk: int) -> tuple | None:
    """Everything the report page shows beyond its rows (kept under the build
    already), one line per version of the report's period (None: no such report):
    each version's number, marks, state, build and files' times, who asked for
    it and how many files it has; the period's status, the scheme's names,
    year and level, and its owner and their place in the tree (who may read the
    report, and prepare its files).

    Every write that changes the page moves one of these on: a build request
    (status, ``requested_at``), its run and end (``started_at``, ``finished_at``,
    the error with them), a new version (a new line, ``is_current``), publishing
    (``is_published``), the files' job (``files_status`` and its times, the file
    rows made anew), a period's transition (its status), a scheme's edit (its
    names) and a union moved (its path)."""
    if not 0 < report_pk < 2**63:  # no such key (the ORM answers the same)
        return None
    with connection.cursor() as cursor:
        cursor.execute(_report_page_sql(), [report_pk])
        rows = cursor.fetchall()
    return tuple(tuple(str(value) for value in row) for row in rows) or None


@lru_cache(maxsize=1)
def _report_page_sql() -> str:
    # Only the models' own table names go in, quoted.
    q = connection.ops.quote_name
    report, period, scheme, union, files, user = (
        q(m._meta.db_table)
        for m in (
            QuarterReport,
            Period,
            Scheme,
            Union,
            QuarterReportFile,
            get_user_model(),
        )
    )
    # The versions are found by the period's id rather than by joining the
    # report table again, and the user and the files read by subqueries: the
    # planning of a join of six tables took three times as long (0.65 ms).
    return f"""
        SELECT p.status, p.kind, s.name_zh, s.name_en, s.year, s.unit_level,
          s.owner_id, o.path,
          r.id, r.number, r.is_current, r.is_published, r.status, r.scheme_version,
          r.unit_count, r.requested_at, r.started_at, r.finished_at,
          r.files_status, r.files_requested_at, r.files_started_at,
          r.files_finished_at,
          (SELECT u.username || '|' || u.first_name || '|' || u.last_name
             FROM {user} u WHERE u.id = r.built_by_id),
          (SELECT COUNT(*) || '|' || COALESCE(MAX(f.id), 0)
             FROM {files} f WHERE f.report_id = r.id)
        FROM {report} r
        JOIN {period} p ON p.id = r.period_id
        JOIN {scheme} s ON s.id = p.scheme_id
        JOIN {union} o ON o.id = s.owner_id
        WHERE r.period_id = (SELECT q.period_id FROM {report} q WHERE q.id = %s)
        ORDER BY r.id
    """  # noqa: S608


def periods_version() -> tuple:
    """What the dashboard's list of periods (``selectors.dashboard_periods``)
    changes with, read once per request (1 query of index reads):

    - the latest history record of a period and of a scheme: every save and
      deletion of one (a close, publish, lock or reopen through the services,
      the API or the admin; a scheme's names) writes one;
    - of the reports: how many there are (one deleted in the admin), the
      latest id (a new version, which takes ``is_current`` from the one before
      with ``.update()``), the latest ``finished_at`` and how many are finished
      (a build done: the count also moves when builds end out of order), and how
      many are published (a version pinned on a published period's save).
      ``versions.pin`` unpins the one before with ``.update()``, inside
      ``period_publish``, which saves the period."""
    return once_per_request("assessments:periods_version", _periods_version)


def _periods_version() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(_periods_sql())
        return tuple(str(value) for value in cursor.fetchone())


@lru_cache(maxsize=1)
def _periods_sql() -> str:
    # Written once: reaching a history model builds a manager (half a millisecond).
    q = connection.ops.quote_name
    period, scheme = (q(m.history.model._meta.db_table) for m in (Period, Scheme))
    report = q(QuarterReport._meta.db_table)
    return f"""
        SELECT (SELECT MAX(history_date) FROM {period}),
          (SELECT MAX(history_date) FROM {scheme}),
          (SELECT COUNT(*) FROM {report}),
          (SELECT MAX(id) FROM {report}),
          (SELECT MAX(finished_at) FROM {report}),
          (SELECT COUNT(finished_at) FROM {report}),
          (SELECT COUNT(*) FROM {report} WHERE is_published)
    """  # noqa: S608
