"""Computes a period's results for every unit: the heart of the report job.

Loading is done in bulk (a fixed number of queries per period, whatever the number
of units or indicators); the arithmetic is ``assessments.scoring`` and
``assessments.rules``. The scheme's rules are read into a plain dict first, which is
stored with the report, so a ranking can be recomputed later from what it was
built with.

``lines.py``: a scheme's rules and a period's lines (points, totals, grades, ranks);
``periods.py``: reading scores and computing a quarter or a year; ``rows.py``: writing
a report's rows.
"""

from .lines import (  # noqa: F401
    _GRADE_FLOORS_CENTS,
    _JSON_BOOL,
    _NO_SCORE,
    _TEXT,
    ALL_PEERS,
    Line,
    UnitRef,
    _cents_text,
    _from_cents,
    _grade_of,
    _Indicator,
    _indicators,
    _json_text,
    _manual_detail,
    _manual_how,
    _num,
    _rank_and_compare,
    _rescaled_base,
    _score_text,
    _to_cents,
    assessed_units,
    compute_lines,
    peer_group_of,
    scheme_rules,
)
from .periods import (  # noqa: F401
    _mean_categories,
    _previous_kind,
    assessed_unit_query,
    check_quarters_built,
    compute_quarter,
    compute_year,
    key_work_categories,
    previous_results,
    read_scores,
    summarise,
    unit_refs,
)
from .rows import (  # noqa: F401
    _COPY_ESCAPES,
    ROW_COLUMNS,
    _copy_line,
    _copy_value,
    _CopySource,
    write_rows,
)
