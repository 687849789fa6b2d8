"""Statuses and roles are enums, never raw strings (docs/architecture.md): this
scan of the apps' Python fails when a ``has_role("admin")``-style call or a
``status="draft"``-style query argument with a string literal comes back."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "unions", "planning", "assessments", "unionportal")
ROLE_CALLS = {"has_role", "require_role", "role_required"}
# Query arguments naming a status or state: status=, plan__status__in=, state=,
# proposal_status__in= ...
STATUS_WORDS = ("status", "state")


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _literals(node) -> bool:
    """A string literal, or a list/tuple/set holding one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return any(_literals(element) for element in node.elts)
    return False


def _status_keyword(name: str | None) -> bool:
    if not name:
        return False
    parts = name.split("__")
    if parts[-1] in ("in", "exact"):
        parts = parts[:-1]
    return parts[-1].endswith(STATUS_WORDS)


def _status_compared(node: ast.Compare) -> bool:
    """``x.status == "approved"``, ``x.proposal_status in ("a", "b")`` ..."""
    left = node.left
    return (
        isinstance(left, ast.Attribute)
        and "status" in left.attr
        and any(_literals(comparator) for comparator in node.comparators)
    )


def _in_meta(tree) -> set[int]:
    """The calls inside a model's ``class Meta``: its constraints cannot name the
    model's ``Status`` (a nested class body does not see the enclosing class's
    names), and the migrations hold their conditions as written."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "Meta":
            skipped.update(id(inner) for inner in ast.walk(node))
    return skipped


def _offences(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _in_meta(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and _status_compared(node):
            where = f"{path.relative_to(root)}:{node.lineno}"
            found.append(f"{where} a status compared with a string")
        if not isinstance(node, ast.Call) or id(node) in skipped:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        where = f"{path.relative_to(root)}:{node.lineno}"
        if name in ROLE_CALLS and any(_literals(arg) for arg in node.args):
            found.append(f"{where} {name}(...) with a role string")
        for keyword in node.keywords:
            if _status_keyword(keyword.arg) and _literals(keyword.value):
                found.append(f"{where} {keyword.arg}= with a status string")
    return found


def test_no_raw_status_or_role_strings():
    offences = [offence for path in _sources() for offence in _offences(path)]
    assert not offences, "use the TextChoices / Role members:\n" + "\n".join(offences)


def test_the_scan_catches_both_forms(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        'user.has_role("admin")\n'
        'Plan.objects.filter(plan__status__in=["published", "closed"])\n'
        "Plan.objects.filter(status=Plan.Status.DRAFT)\n"
        "user.has_role(Role.ADMIN)\n"
        'report.status == "approved"\n',
        encoding="utf-8",
    )
    offences = _offences(sample, root=tmp_path)
    assert [offence.split()[0] for offence in offences] == [
        "sample.py:1",
        "sample.py:2",
        "sample.py:5",
    ]


TEMPLATE_COMPARISON = re.compile(
    r"""[\w.]*(status|role)\w*\s*(==|!=)\s*["']|["']\s*(==|!=)\s*[\w.]*(status|role)"""
)


def test_no_template_compares_a_status_or_role_with_a_string():
    # A template reads the enum (``project.Proposal.RETURNED``) or the actions the
    # model offers (``"publish" in actions``), never a raw status or role.
    offences = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if TEMPLATE_COMPARISON.search(line)
    ]
    assert not offences, "compare with the enum member:\n" + "\n".join(offences)
