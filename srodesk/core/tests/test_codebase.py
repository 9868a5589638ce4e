"""House rules checked over the source tree (STYLE.md §1, §3)."""

import ast
from pathlib import Path

from django.apps import apps

from srodesk.core.models import RecordModel

PACKAGE = Path(__file__).resolve().parents[2]
BULK_WRITES = {"update", "bulk_create", "bulk_update", "delete"}
# Modules allowed to write records in bulk: services (they log explicitly) and the retention purge.
BULK_ALLOWED = ("services.py", "retention.py")
# Domain modules may not import the presentation layers.
DOMAIN_MODULES = ("models.py", "services.py", "choices.py", "queries.py", "tasks.py", "roles.py", "retention.py")
PRESENTATION = ("views", "api", "pages", "templates")


def source_files() -> list[Path]:
    return [
        p
        for p in PACKAGE.rglob("*.py")
        if "migrations" not in p.parts and "tests" not in p.parts and "testing" not in p.parts
    ]


def parse(path: Path) -> ast.Module:
    """The file's syntax tree. CPython 3.11 before 3.11.8 keeps the AST constructor's recursion count in
    shared state (python/cpython#106905): a traceback formatted at that moment by another thread (a browser
    test's live server finishing a request) makes the parse fail spuriously, so it is parsed again."""
    source = path.read_text()
    try:
        return ast.parse(source)
    except SystemError:
        return ast.parse(source)


def record_model_names() -> set[str]:
    return {m.__name__ for m in apps.get_models() if issubclass(m, RecordModel)}


def receiver_root(node: ast.expr) -> str | None:
    """``School.objects.filter(...).update`` → ``School``."""
    while True:
        if isinstance(node, ast.Attribute):
            if node.attr in ("objects", "_default_manager") and isinstance(node.value, ast.Name):
                return node.value.id
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        else:
            return None


def bulk_record_writes(tree: ast.AST, names: set[str]) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in BULK_WRITES
            and receiver_root(node.func.value) in names
        ):
            lines.append(node.lineno)
    return lines


def test_no_bulk_record_writes_outside_services() -> None:
    names = record_model_names()
    offenders = []
    for path in source_files():
        if path.name in BULK_ALLOWED:
            continue
        for line in bulk_record_writes(parse(path), names):
            offenders.append(f"{path.relative_to(PACKAGE)}:{line}")
    assert offenders == []


def test_the_bulk_write_check_finds_one() -> None:
    tree = ast.parse("School.objects.filter(pk=1).update(name='x')\nOther.objects.update(x=1)\n")
    assert bulk_record_writes(tree, {"School"}) == [1]


def imported_modules(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.append("." * node.level + (node.module or ""))
            found += ["." * node.level + (node.module + "." if node.module else "") + a.name for a in node.names]
        elif isinstance(node, ast.Import):
            found += [a.name for a in node.names]
    return found


def test_domain_code_does_not_import_views_or_api() -> None:
    offenders = []
    for path in source_files():
        if path.name not in DOMAIN_MODULES:
            continue
        for module in imported_modules(parse(path)):
            last_parts = module.lstrip(".").split(".")
            if any(part in PRESENTATION for part in last_parts):
                offenders.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert offenders == []


def test_the_import_check_sees_relative_and_absolute_imports() -> None:
    tree = ast.parse("from .api.serializers import X\nfrom srodesk.core import views\nimport json\n")
    assert imported_modules(tree) == [
        ".api.serializers",
        ".api.serializers.X",
        "srodesk.core",
        "srodesk.core.views",
        "json",
    ]
