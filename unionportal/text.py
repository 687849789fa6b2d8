"""Text as people type it, cleaned of what no page, file or database should hold.

Control characters (a pasted \\x0b or \\x1f, a NUL) show as nothing on a page but
break files: openpyxl refuses them, XML cannot hold them, PostgreSQL refuses NUL.
Tab, newline and carriage return are kept: multi-line fields (narratives,
comments) need them, and every writer can hold them. One mechanism, applied at each
way in (form posts, API bodies, imported sheets: ``ControlCharactersMiddleware``,
``PortalJSONParser``, ``unionportal.xlsx.sheet_rows``) and at each way out
(``excel_safe``, the streaming .xlsx writer, the PDF and .docx writers), so that text
stored before this rule existed cannot break an export either.
"""

import re

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def strip_control(value):
    """``value`` without control characters (other than tab and line breaks);
    anything that is not a string is returned as it is."""
    if isinstance(value, str) and CONTROL.search(value):
        return CONTROL.sub("", value)
    return value


def strip_control_deep(data):
    """The same for every string inside parsed JSON (dicts, lists, keys too)."""
    if isinstance(data, str):
        return strip_control(data)
    if isinstance(data, dict):
        return {strip_control(k): strip_control_deep(v) for k, v in data.items()}
    if isinstance(data, list):
        return [strip_control_deep(v) for v in data]
    return data
