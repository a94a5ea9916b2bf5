"""Open data: the records as JSON and CSV, the JSON Schema of the files, an Atom feed.

Each record holds its fields as written (dates as the contract's strings)
plus its `id` and `url`, the site-relative address of its page.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Mapping
from typing import Any

from . import markup
from .index import Chronicle
from .model import COLLECTIONS, Record, json_schemas
from .versions import Version

FEED_SIZE = 50

# The team's choice for what the Chronicle writes; the words it quotes are not its to license.
LICENSE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "applies_to": "the records' text and data: titles, summaries, bodies, dates, links between records",
    "not_covered": "quotes remain their authors' and their publishers'; cite the source a quote comes from",
}


def record_url(collection: str, record_id: str) -> str:
    return f"{collection}/{record_id}.html"


def _as_written(record: Record) -> dict[str, Any]:
    fields = record.model_dump(mode="json", by_alias=True, exclude_unset=True)
    # `url` is the address of the record's page in every download; a source's own
    # address travels as `source_url`.
    if "url" in fields:
        fields["source_url"] = fields.pop("url")
    return fields


def records(chronicle: Chronicle, collection: str) -> list[dict[str, Any]]:
    found = getattr(chronicle, collection)
    return [
        {"id": record_id, **_as_written(found[record_id]), "url": record_url(collection, record_id)}
        for record_id in sorted(found)
    ]


def tags(chronicle: Chronicle) -> list[dict[str, Any]]:
    return [
        {"id": tag.id, **_as_written(tag), "url": f"tags.html#{tag.id}"}
        for tag in sorted(chronicle.tags.values(), key=lambda t: t.id)
    ]


def chronicle_json(chronicle: Chronicle) -> str:
    payload: dict[str, Any] = {name: records(chronicle, name) for name in COLLECTIONS}
    payload["tags"] = tags(chronicle)
    payload["license"] = LICENSE
    return json.dumps(payload, ensure_ascii=False, indent=1) + "\n"


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP's CSV injection).
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a CSV without a byte order mark in the machine's code page: Cyrillic would be garbled.
BYTE_ORDER_MARK = "\ufeff"


def collection_csv(chronicle: Chronicle, collection: str) -> str:
    """One row a record; lists are joined with "; ", nested records kept as JSON.

    A cell a spreadsheet would run as a formula starts with an apostrophe, as OWASP advises;
    chronicle.json keeps every text exactly as written.
    """
    rows = tags(chronicle) if collection == "tags" else records(chronicle, collection)
    columns: dict[str, None] = {"id": None}
    for row in rows:
        columns.update(dict.fromkeys(key for key in row if key != "url"))
    columns["url"] = None
    out = io.StringIO()
    out.write(BYTE_ORDER_MARK)
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return out.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        text = "; ".join(value)
    elif isinstance(value, (list, dict)):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def schema_files() -> dict[str, str]:
    """`<collection>.schema.json` for each collection, from the pydantic models."""
    return {
        f"{name}.schema.json": json.dumps(schema, ensure_ascii=False, indent=1) + "\n"
        for name, schema in json_schemas().items()
    }


def downloads(chronicle: Chronicle) -> dict[str, str]:
    """Every download, by its path under downloads/ (the order of `download_paths`)."""
    files = {"chronicle.json": chronicle_json(chronicle)}
    for name in (*COLLECTIONS, "tags"):
        files[f"{name}.csv"] = collection_csv(chronicle, name)
    files.update({f"schema/{name}": text for name, text in schema_files().items()})
    return files


def download_paths() -> list[str]:
    """Where `downloads` puts each file, without making any."""
    schemas = [f"schema/{name}.schema.json" for name in (*COLLECTIONS, "tags")]
    return ["chronicle.json", *(f"{name}.csv" for name in (*COLLECTIONS, "tags")), *schemas]


def atom_feed(
    chronicle: Chronicle,
    site_url: str = "",
    title: str = "The Chronicle",
    versions: Mapping[str, Version] | None = None,
) -> str:
    """The episodes last added or changed, newest first, as Atom; the feed sits at the site root.

    With `versions` (episode id -> when its record last changed), an entry is dated by
    that change, so that a reader sees corrections; without, by the episode's date.
    """
    from feedgen.feed import FeedGenerator  # here: with lxml, megabytes a build without a feed to make need not hold

    base = site_url.rstrip("/") + "/" if site_url else ""

    def absolute(path: str) -> str:
        return base + path

    def resolve(target: str) -> str:
        named = markup.record_link(target)
        if named:
            return absolute(f"{named[0]}/{named[1]}.html{named[2]}")
        return absolute(target.lstrip("/").replace(".md", ".html"))

    def moment(date: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(date, datetime.time(), tzinfo=datetime.UTC)

    def changed(episode) -> datetime.date:
        return versions[episode.id].date if versions and episode.id in versions else episode.date.earliest

    # Newest change first; among records changed the same day, the later episode first.
    order = {episode.id: n for n, episode in enumerate(chronicle.timeline)}
    episodes = sorted(chronicle.timeline, key=lambda e: (changed(e), order[e.id]), reverse=True)[:FEED_SIZE]
    feed = FeedGenerator()
    feed.id(base or "urn:chronicle:episodes")
    feed.title(f"{title}: latest episodes")
    feed.subtitle("US–Russia diplomacy, sourced and attributed")
    feed.author({"name": title})
    feed.link(href=absolute("feed.xml"), rel="self")
    feed.link(href=absolute("timeline.html"), rel="alternate")
    feed.language("en")
    # Reproducible builds: the feed is as new as its newest change, never "now".
    feed.updated(moment(changed(episodes[0])) if episodes else datetime.datetime(1933, 1, 1, tzinfo=datetime.UTC))
    for episode in reversed(episodes):  # feedgen lists the last added first
        entry = feed.add_entry()
        address = absolute(record_url("episodes", episode.id))
        entry.id(address if base else f"urn:chronicle:episodes:{episode.id}")
        entry.title(f"{episode.date.display()}: {episode.title}")
        entry.link(href=address)
        entry.updated(moment(changed(episode)))
        added = versions[episode.id].added if versions and episode.id in versions else None
        entry.published(moment(added or changed(episode)))
        entry.summary(markup.to_html(episode.summary, resolve), type="html")
    return feed.atom_str(pretty=True).decode("utf-8")
