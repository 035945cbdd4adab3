"""T11 IDOR oracle / enumeration (RELIABILITY.md §3, ASVS 8.2.2, 8.4.1).

Dynamic: over every API route with an object id in its path, every method, for the town's
clerk and director: the answer for an id that exists in another town equals the answer for
an id that does not exist (status and body), both when the case itself is foreign and when
only the sub-object is (own case, other town's party/session/transfer...).

Static: every API view method that takes an object id reaches the object through a scoped
accessor (`*_get_for_user`, or a helper that calls one), and no API module fetches a model
by primary key straight from its manager (`Model.objects.get(...)`,
`get_object_or_404(Model, ...)`).

Pass: 0 distinguishable responses; 0 unscoped fetches."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db import transaction

from tests.api.test_authorization_table import (
    MISSING_IDS,
    NAMES,
    PATH_PARAMETER,
    api_routes,
    build_world,
    client_for,
    town_staff,
)

MISSING = 987654
#: Where the scoped accessors and the helpers around them live (read for the call graph only).
HELPER_MODULES = [
    "cases/selectors.py",
    "cases/reveal.py",
    "cases/consultations.py",
    "documents/selectors.py",
    "linkage/selectors.py",
    "mediation/selectors.py",
]
API_MODULES = [
    "accounts/apis.py",
    "cases/apis.py",
    "cases/lawyer_apis.py",
    "documents/apis.py",
    "linkage/apis.py",
    *sorted(str(p.relative_to(settings.BASE_DIR)) for p in Path(settings.BASE_DIR, "mediation/apis").glob("*.py")),
    *sorted(str(p.relative_to(settings.BASE_DIR)) for p in Path(settings.BASE_DIR, "reports").glob("*apis.py")),
]


def _answer(client: Any, method: str, url: str) -> tuple[int, bytes]:
    with transaction.atomic():
        response = getattr(client, method)(url, {} if method != "get" else None, format="json")
        transaction.set_rollback(True)
    return response.status_code, response.content


def test_other_town_ids_answer_exactly_like_missing_ids(
    world: SimpleNamespace, people: SimpleNamespace, case_in: Any
) -> None:
    own, other = build_world(world, people, case_in)
    users = town_staff(world)
    clients = {"clerk": client_for(users["clerk"])}  # a writer: reads and writes are both reached
    compared, differences = 0, []
    for path, methods in sorted(api_routes().items()):
        params = [p for p in PATH_PARAMETER.findall(path.replace("{", "<").replace("}", ">")) if p.endswith("_id")]
        params = [p for p in params if p in own.ids]
        if not params:
            continue
        # all ids foreign vs all missing, and each id alone foreign vs missing inside the own case
        variants = [dict.fromkeys(params, "x")] + [{p: "x"} for p in params if len(params) > 1]
        for method in methods:
            for variant in variants:
                base = {**own.ids, **MISSING_IDS, **NAMES}
                foreign = path.format(**{**base, **{p: other.ids[p] for p in variant}})
                missing = path.format(**{**base, **dict.fromkeys(variant, MISSING)})
                for role, client in clients.items():
                    a, b = _answer(client, method, foreign), _answer(client, method, missing)
                    compared += 1
                    if a != b:
                        differences.append(f"{method.upper()} {foreign} vs {missing} as {role}: {a} != {b}")
                    assert a[0] < 500, (method, foreign, a)
    assert compared > 80
    assert not differences, "\n".join(differences)


# --- static check ----------------------------------------------------------------------------------

VIEW_METHODS = {"get", "post", "patch", "put", "delete"}


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def unscoped_fetches(source: str, filename: str, models: set[str]) -> list[str]:
    """`Model.objects.get(...)` and `get_object_or_404(Model, ...)` in an API module."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("get", "get_or_404")
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == "objects"
        ):
            found.append(f"{filename}:{node.lineno} {ast.unparse(func)}")
        if _call_name(node) == "get_object_or_404" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Name) and first.id in models:
                found.append(f"{filename}:{node.lineno} get_object_or_404({first.id}, ...)")
    return found


def _functions(tree: ast.AST) -> list[ast.FunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]


def _calls(fn: ast.FunctionDef) -> set[str]:
    return {_call_name(n) for n in ast.walk(fn) if isinstance(n, ast.Call)}


def methods_without_scope(sources: dict[str, str], helper_sources: dict[str, str] | None = None) -> list[str]:
    """View methods with an `*_id` argument that never reach a `*_get_for_user` accessor."""
    trees = {name: ast.parse(text) for name, text in sources.items()}
    helper_trees = [*trees.values(), *(ast.parse(text) for text in (helper_sources or {}).values())]
    helpers = {fn.name: _calls(fn) for tree in helper_trees for fn in _functions(tree)}
    scoped = {name for name in helpers if name.endswith("_get_for_user")}
    scoped |= {"case_get_for_user"}
    changed = True
    while changed:  # helpers that call a scoped accessor, transitively
        grown = {n for n, calls in helpers.items() if any(c in scoped or c.endswith("_get_for_user") for c in calls)}
        changed = not grown <= scoped
        scoped |= grown
    missing = []
    for filename, tree in trees.items():
        for cls in [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]:
            for fn in [n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name in VIEW_METHODS]:
                ids = [a.arg for a in fn.args.args + fn.args.kwonlyargs if a.arg.endswith("_id")]
                if ids and not (_calls(fn) & scoped or any(c.endswith("_get_for_user") for c in _calls(fn))):
                    missing.append(f"{filename}:{fn.lineno} {cls.name}.{fn.name}({', '.join(ids)})")
    return missing


def _model_names() -> set[str]:
    from django.apps import apps

    return {model.__name__ for model in apps.get_models()}


def test_api_views_fetch_objects_only_through_the_scoped_accessors(db: Any) -> None:
    sources = {name: Path(settings.BASE_DIR, name).read_text(encoding="utf-8") for name in API_MODULES}
    assert len(sources) >= 10
    models = _model_names()
    fetches = [hit for name, text in sources.items() for hit in unscoped_fetches(text, name, models)]
    assert fetches == []
    helper_sources = {name: Path(settings.BASE_DIR, name).read_text(encoding="utf-8") for name in HELPER_MODULES}
    assert methods_without_scope(sources, helper_sources) == []


def test_the_static_check_sees_a_fetch_by_primary_key(db: Any) -> None:
    """Negative control: the two patterns an IDOR starts from are reported."""
    bad = """
class PartyApi(ApiView):
    def get(self, request, party_id):
        party = CaseParty.objects.get(pk=party_id)
        other = get_object_or_404(Case, pk=party_id)
        return Response({})
"""
    assert len(unscoped_fetches(bad, "bad.py", _model_names())) == 2
    assert methods_without_scope({"bad.py": bad}) == ["bad.py:3 PartyApi.get(party_id)"]
