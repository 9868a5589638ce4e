"""The conformance check: every registered record type has every piece of its wiring."""

from __future__ import annotations

import importlib
import inspect
from types import ModuleType

from django.apps import apps
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from .registry import RecordType


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            return None
        raise


def _suite_present(module: ModuleType | None, base: type, model: type) -> bool:
    if module is None:
        return False
    return any(
        inspect.isclass(obj) and issubclass(obj, base) and obj is not base and getattr(obj, "model", None) is model
        for obj in vars(module).values()
    )


def problems(entry: RecordType) -> list[str]:
    """What is missing for one record type (empty when it is fully wired)."""
    from .testing import APITestCases, ViewTestCases

    model = entry.model
    name = model.__name__
    package = apps.get_app_config(entry.app_label).name
    found: list[str] = []

    def expect(component: type | None, suffix: str, model_of: type | None) -> None:
        if component is None or component.__name__ != f"{name}{suffix}":
            found.append(f"{name}: no {name}{suffix}")
        elif model_of is not model:
            found.append(f"{name}: {name}{suffix} is for {getattr(model_of, '__name__', model_of)}")

    expect(entry.filterset, "FilterSet", getattr(getattr(entry.filterset, "_meta", None), "model", None))
    expect(entry.table, "Table", getattr(entry.table, "model", None))
    expect(entry.form, "Form", getattr(getattr(entry.form, "_meta", None), "model", None))
    expect(entry.serializer, "Serializer", getattr(getattr(entry.serializer, "Meta", None), "model", None))
    expect(entry.viewset, "ViewSet", getattr(getattr(entry.viewset, "queryset", None), "model", None))
    if model not in admin.site._registry:
        found.append(f"{name}: not registered in the admin")
    factories = _module(f"{package}.tests.factories")
    if factories is None or not hasattr(factories, f"{name}Factory"):
        found.append(f"{name}: no {name}Factory in {package}.tests.factories")
    actions = ["list", "detail", "history"] + (["add", "edit", "delete"] if entry.editable else [])
    for action in actions:
        try:
            reverse(entry.url_name(action), args=[] if action in ("list", "add") else [1])
        except NoReverseMatch:
            found.append(f"{name}: no URL {entry.url_name(action)}")
    for action in ("list", "detail"):
        try:
            reverse(f"api:{entry.api_basename}-{action}", args=[] if action == "list" else [1])
        except NoReverseMatch:
            found.append(f"{name}: no API route api:{entry.api_basename}-{action}")
    if not _suite_present(_module(f"{package}.tests.test_views"), ViewTestCases.RecordViewTests, model):
        found.append(f"{name}: no ViewTestCases.RecordViewTests suite in {package}.tests.test_views")
    if not _suite_present(_module(f"{package}.tests.test_api"), APITestCases.RecordAPITests, model):
        found.append(f"{name}: no APITestCases.RecordAPITests suite in {package}.tests.test_api")
    if "get_absolute_url" not in vars(model):
        found.append(f"{name}: no get_absolute_url()")
    if "__str__" not in vars(model):
        found.append(f"{name}: no __str__()")
    if not model._meta.ordering:
        found.append(f"{name}: no Meta.ordering")
    return found
