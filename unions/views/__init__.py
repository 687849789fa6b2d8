"""The unions app's pages: the union tree and its people (unions.py), office terms (terms.py), changes of term (changes.py). Shared helpers in common.py."""

from .changes import (  # noqa: F401
    _change_context,
    _get_change,
    _step_form,
    change_cancel,
    change_create,
    change_detail,
    change_list,
    change_step,
    step_document,
)
from .common import (  # noqa: F401
    PAGE_SIZE,
    State,
    _history,
    _is_admin,
)
from .terms import (  # noqa: F401
    term_create,
    term_dashboard,
    term_detail,
    term_edit,
    term_list,
)
from .unions import (  # noqa: F401
    person_detail,
    person_edit,
    position_add,
    position_end,
    union_activate,
    union_create,
    union_deactivate,
    union_detail,
    union_edit,
    union_export,
    union_import,
    union_import_confirm,
    union_import_template,
    union_list,
)
