"""The suggested citation texts, made by citeproc-py: one CSL item in one style.

Imported only when a text is missing from the cache (a first build, a changed
record): citeproc-py and lxml cost the build's process about 5 MB it need not
hold on any other build. The memos below change no text: tests compare each
with citeproc-py's own methods.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc import model as citeproc_model
from citeproc import source as citeproc_source
from citeproc.source.json import CiteProcJSON

from .cite import ACCESSED_SLOT, STYLES, STYLES_DIR

# Before it renders a group, citeproc-py asks whether anything in it calls a variable,
# walking the group's whole subtree, some 750 times an entry: a fifth of the time. The
# answer depends on the style alone. Each element is kept as its own key, so that lxml
# keeps the same Python object for it (and its identity) for the build.
_CALLS_VARIABLE: dict[Any, bool] = {}
SHIPPED_CALLS_VARIABLE = {
    kind: kind.__dict__["calls_variable"]
    for kind in vars(citeproc_model).values()
    if isinstance(kind, type) and "calls_variable" in kind.__dict__
}


def _remembered(ask: Callable[[Any], bool]) -> Callable[[Any], bool]:
    def calls_variable(element) -> bool:
        known = _CALLS_VARIABLE.get(element)
        if known is None:
            known = _CALLS_VARIABLE[element] = ask(element)
        return known

    return calls_variable


for _kind, _ask in SHIPPED_CALLS_VARIABLE.items():
    _kind.calls_variable = _remembered(_ask)

# citeproc-py finds a macro, a term, a layout or a date form by an XPath search of the
# style or its locale, some 320 times an entry: without this, most of a citation's time.
# The trees never change, so the same search finds the same elements.
_FOUND: dict[tuple[Any, str], list[Any]] = {}
SHIPPED_XPATH_SEARCH = citeproc_model.CitationStylesElement.xpath_search


def _xpath_search_once(element, expression: str) -> list[Any]:
    found = _FOUND.get((element, expression))
    if found is None:
        found = _FOUND[(element, expression)] = SHIPPED_XPATH_SEARCH(element, expression)
    return list(found)


citeproc_model.CitationStylesElement.xpath_search = _xpath_search_once

# An entry's reference, looked up through three of citeproc-py's dictionaries some 350
# times an entry. It is fixed once the entry is registered: kept on the entry from then on.
SHIPPED_REFERENCE = citeproc_source.CitationItem.reference


def _reference(item):
    known = item.__dict__.get("chronicle_reference")
    if known is None:
        known = item.__dict__["chronicle_reference"] = SHIPPED_REFERENCE.fget(item)
    return known


citeproc_source.CitationItem.reference = property(_reference)


# The same trees are asked the same questions again: the root of an element (some 450 times
# an entry), a child by name (some 20), an option of the locale (some 40, each a search of its
# children), and the types and variables a condition names (some 65 and 45, each split anew).
_ROOTS: dict[Any, Any] = {}
SHIPPED_GET_ROOT = citeproc_model.CitationStylesElement.get_root


def _root(element):
    root = _ROOTS.get(element)
    if root is None:
        root = _ROOTS[element] = SHIPPED_GET_ROOT(element)
    return root


citeproc_model.CitationStylesElement.get_root = _root

_CHILDREN: dict[tuple[Any, str], Any] = {}
SHIPPED_CHILD = citeproc_model.SomewhatObjectifiedElement.__getattr__


def _child(element, name: str):
    key = (element, name)
    if key not in _CHILDREN:
        _CHILDREN[key] = SHIPPED_CHILD(element, name)
    return _CHILDREN[key]


citeproc_model.SomewhatObjectifiedElement.__getattr__ = _child

_LOCALE_OPTIONS: dict[tuple[Any, str], tuple[Any, bool]] = {}
SHIPPED_LOCALE_OPTION = citeproc_model.Locale.get_option


def _locale_option(locale, name: str):
    key = (locale, name)
    if key not in _LOCALE_OPTIONS:
        try:
            _LOCALE_OPTIONS[key] = (SHIPPED_LOCALE_OPTION(locale, name), True)
        except IndexError:  # the locale has no options: asked again, the same answer
            _LOCALE_OPTIONS[key] = (None, False)
    value, found = _LOCALE_OPTIONS[key]
    if not found:
        raise IndexError
    return value


citeproc_model.Locale.get_option = _locale_option

_NAMED: dict[tuple[Any, str], list[str]] = {}
SHIPPED_IF_TYPE = citeproc_model.If._type
SHIPPED_IF_VARIABLE = citeproc_model.If._variable


def _named(element, attribute: str) -> list[str]:
    key = (element, attribute)
    names = _NAMED.get(key)
    if names is None:
        if attribute == "type":
            names = [kind.lower() for kind in element.get("type").split()]
        else:
            names = [variable.replace("-", "_") for variable in element.get("variable").split()]
        names = _NAMED[key] = names
    return names


def _if_type(element, item) -> list[bool]:
    kind = item.reference.type
    return [named == kind for named in _named(element, "type")]


def _if_variable(element, item) -> list[bool]:
    return [
        ("locator" in item) if variable == "locator" else (variable in item.reference)
        for variable in _named(element, "variable")
    ]


citeproc_model.If._type = _if_type
citeproc_model.If._variable = _if_variable


@functools.cache
def _style(name: str) -> CitationStylesStyle:
    return CitationStylesStyle(str(STYLES_DIR / STYLES[name][0]), validate=False)


def _entities(value: Any) -> Any:
    # citeproc-py's HTML formatter prints variables as given: escape them first, as numeric
    # references, which its case changes (title case, sentence case) leave alone.
    if isinstance(value, str):
        return re.sub(r"[&<>\"]", lambda match: f"&#{ord(match.group())};", value)
    if isinstance(value, dict):
        return {key: _entities(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_entities(inner) for inner in value]
    return value


def format_text(item: dict[str, Any], style: str, as_html: bool) -> str:
    with_slot = {**item, "accessed": {"literal": ACCESSED_SLOT}}
    source = CiteProcJSON([_entities(with_slot) if as_html else with_slot])
    bibliography = CitationStylesBibliography(_style(style), source, formatter.html if as_html else formatter.plain)
    bibliography.register(Citation([CitationItem(item["id"])]))
    return str(bibliography.bibliography()[0])


def format_all(requests: list[tuple[dict[str, Any], str, bool]]) -> list[str]:
    return [format_text(*request) for request in requests]
