"""Search entries for record pages, built from the records rather than re-read from their HTML.

One entry a record: its title, its dates as a reader writes them, its summary,
its quotes and every name in both scripts. A page's repeated headings
("Sources", "Cite this page") are not indexed, so they never crowd the
results. Knows nothing of the search engine but the entry's shape.

Lean on purpose: the browser builds its index from these entries before the
first result shows, so every word costs each reader time. An episode's body
(context, not what was said) and the Russian case forms of the people it
names stay out: the forms find the person's own page, which lists the episodes.
"""

from __future__ import annotations

import html
import re
from typing import Any

from . import markup
from .index import Chronicle, collection_of
from .model import Record

_TAG = re.compile(r"<[^>]+>")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04FF]{3,}")
_ABBREVIATION = re.compile(r"\b[A-ZА-Я]{2,}\b")

# A record's own page comes before the episodes that merely name it.
BOOST = {"treaties": 2, "actors": 2}


def _prose(text: str | None) -> str:
    if not text:
        return ""
    return " ".join(html.unescape(_TAG.sub(" ", markup.to_html(text, lambda target: target))).split())


def russian_forms(text: str | None) -> list[str]:
    """The case forms of Russian names, so that Лаврова and Лаврову find Лавров.

    The search engine stems a query and the index alike, but a stemmer cuts
    Лавров and Лаврова differently; writing the common case endings of each
    Cyrillic word into the entry gives every form a stem to meet.
    """
    forms: list[str] = []
    for word in _CYRILLIC_WORD.findall(text or ""):
        lower = word.lower()
        if lower.endswith(("ов", "ев", "ёв", "ин", "ын")):
            forms += [word + ending for ending in ("а", "у", "ым", "е")]
        elif lower.endswith(("ова", "ева", "ина")):
            forms += [word[:-1] + ending for ending in ("ой", "у")]
        elif lower.endswith(("ий", "ей", "ай")):
            forms += [word[:-1] + ending for ending in ("я", "ю", "ем", "е")]
        elif lower.endswith("ия"):
            forms += [word[:-1] + ending for ending in ("и", "ю", "ей")]
        elif lower.endswith(("а", "я")):
            forms += [word[:-1] + ending for ending in ("ы", "и", "е", "у", "ю", "ой", "ей")]
        elif lower[-1] in "бвгдзклмнпрстфхцчшщ":
            forms += [word + ending for ending in ("а", "у", "ом", "е")]
    return forms


def _names(chronicle: Chronicle, actor_ids) -> list[str]:
    """Each actor's name in both scripts, once."""
    names: list[str] = []
    for actor_id in dict.fromkeys(actor_ids):
        actor = chronicle.actors.get(actor_id)
        if actor is not None:
            names += [actor.name, actor.native_name or ""]
    return names


def search_entry(chronicle: Chronicle, record: Record) -> dict[str, Any]:
    collection = collection_of(record)
    if collection == "episodes":
        title = record.title
        speakers = [quote.speaker for quote in record.quotes if quote.speaker]
        words = [
            record.date.display(),
            record.end.display() if record.end else "",
            _prose(record.summary),
            *(quote.text for quote in record.quotes),
            *(quote.attributed_to or "" for quote in record.quotes),
            *_names(chronicle, [record.by, record.to, *record.actors, *speakers]),
            *(chronicle.treaties[t].label for t in record.treaties),
            *(chronicle.tags[t].label for t in record.tags if t in chronicle.tags),
        ]
    elif collection == "treaties":
        # The full name sits in the title too, so that a search for it finds the treaty; a colon
        # sets it off in the result ("INF Treaty: Treaty Between ..."), and is no part of any term.
        # The short name alone is the treaty's `names` (below), which ranks it first for "INF".
        title = f"{record.label}: {record.name}" if record.short_name else record.name
        words = [
            record.native_name or "",
            *russian_forms(record.native_name),
            _prose(record.summary),
            *(_prose(provision) for provision in record.provisions),
            *_names(chronicle, record.parties),
            record.signed.display() if record.signed else "",
        ]
    elif collection == "actors":
        title = record.name
        words = [
            record.native_name or "",
            *russian_forms(record.native_name),
            _prose(record.summary),
            *(role.title for role in record.roles),
        ]
    else:
        title = record.title
        words = [record.outlet, record.published.display(), _prose(record.notes)]
    entry: dict[str, Any] = {
        "location": f"{collection}/{record.id}.html",
        "title": title,
        "text": " ".join(word for word in words if word),
    }
    # What a reader types to find this record above all others: its names, and an
    # episode's date as written ("September 2020"). A field of its own, weighed
    # above titles (mkdocs.yml, search: fields), and never shown in the results.
    if collection == "episodes":
        entry["names"] = record.date.display()
    elif collection == "treaties":
        # Short: a long field weighs each of its words less. An abbreviation in it ("INF",
        # "START") is what readers type exactly: it counts twice, against the many words
        # a prefix search also matches ("inf" → "information").
        entry["names"] = " ".join([record.label, *_ABBREVIATION.findall(record.label)])
    elif collection == "actors":
        entry["names"] = " ".join(filter(None, [record.name, record.native_name, *russian_forms(record.native_name)]))
    if collection in BOOST:
        entry["boost"] = BOOST[collection]
    return entry
