"""What a Content-Security-Policy without 'unsafe-inline' would block in some HTML."""

import re

INLINE_SCRIPT = re.compile(
    r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.IGNORECASE | re.DOTALL
)
EVENT_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*?\s(on[a-z]+)\s*=", re.DOTALL)
HTMX_EVAL_ATTRIBUTE = re.compile(r"\shx-(on[:\-\w]*|vars)\s*=")
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)
DATA_SCRIPT_TYPES = ("application/json", "application/ld+json")


def inline_script_problems(html: str) -> list[str]:
    """Script that a CSP without 'unsafe-inline' would block, found in ``html``."""
    problems = []
    for match in INLINE_SCRIPT.finditer(html):
        attrs, body = match.group("attrs"), match.group("body")
        is_data = any(t in attrs for t in DATA_SCRIPT_TYPES)
        if body.strip() and "src=" not in attrs and not is_data:
            problems.append(f"inline <script>: {body.strip()[:60]!r}")
    problems += [f"{m.group(1)}= attribute" for m in EVENT_ATTRIBUTE.finditer(html)]
    problems += [
        f"hx-{m.group(1)} (needs eval)" for m in HTMX_EVAL_ATTRIBUTE.finditer(html)
    ]
    problems += ["javascript: URL" for _ in JAVASCRIPT_URL.finditer(html)]
    return problems
