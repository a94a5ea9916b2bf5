"""How a record cites itself: one CSL-JSON item, and every format made from it.

`csl_item` is the one builder of a record's citation. The BibTeX and RIS
entries, the `citation_*` and Dublin Core meta tags and the suggested
citation text (rendered by citeproc-py in Chicago and APA style) are all made
from that item, so that they cannot disagree. JSON-LD and the Open Graph card
describe the same record from the same fields. Dates keep the record's
precision: a `2018-06` episode is never cited as 1 June.

Knows nothing of YAML files or of MkDocs.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import html
import json
import multiprocessing
import os
import re
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import nh3
from markupsafe import Markup

from . import markup, webpage_citation
from .dates import QUALIFIERS, ChronicleDate
from .index import Chronicle, collection_of
from .model import COLLECTIONS, Actor, Episode, Record, Source, Treaty
from .versions import Version
from .workers import can_fork

STYLES_DIR = Path(__file__).resolve().parent / "styles"
# The CSL project's styles (CC BY-SA 3.0, see macros/styles/README.md), read once per process.
STYLES = {
    "chicago": ("chicago-notes-bibliography.csl", "Chicago (18th edition, notes and bibliography)"),
    "apa": ("apa.csl", "APA (7th edition)"),
}
# Where a style asks for the date the reader consulted the page, the reader writes it.
ACCESSED_SLOT = "[date accessed]"

FORMATS = {
    # format: (file suffix beside the page, media type, name)
    "csl": (".csl.json", "application/vnd.citationstyles.csl+json", "CSL-JSON"),
    "bib": (".bib", "application/x-bibtex", "BibTeX"),
    "ris": (".ris", "application/x-research-info-systems", "RIS"),
}

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

ACTOR_TYPES = {
    "person": "Person",
    "state": "Country",
    "office": "GovernmentOrganization",
    "organization": "Organization",
}
SOURCE_TYPES = {"news": "NewsArticle", "official": "Report", "analysis": "Report"}
LEGAL_FORCE = {
    "in-force": "InForce",
    **dict.fromkeys(
        ("proposed", "rejected", "signed", "suspended", "withdrawn", "terminated", "expired", "superseded"),
        "NotInForce",
    ),
}  # "historical" says nothing of legal force: left out


@dataclass(frozen=True)
class Publisher:
    """The site that publishes the records: its name, and its public address when it has one."""

    name: str = "The Chronicle"
    site_url: str = ""

    @property
    def base(self) -> str:
        return self.site_url.rstrip("/") + "/" if self.site_url else ""

    def address(self, record: Record) -> str:
        """The record's permanent address: absolute with a public address, else site-relative."""
        return self.base + page_path(record)


def page_path(record: Record) -> str:
    return f"{collection_of(record)}/{record.id}.html"


def file_path(record: Record, fmt: str) -> str:
    """Where a record's citation file in `fmt` (csl, bib, ris) sits, beside its page."""
    return f"{collection_of(record)}/{record.id}{FORMATS[fmt][0]}"


def title_of(record: Record) -> str:
    return record.title if isinstance(record, (Episode, Source)) else record.name


def date_of(record: Record) -> ChronicleDate | None:
    """The record's date as written: when an episode happened, a treaty was signed, a source published."""
    if isinstance(record, Episode):
        return record.date
    if isinstance(record, Treaty):
        return record.signed or (record.history[0].date if record.history else None)
    if isinstance(record, Source):
        return record.published
    return None


def plain_text(text: str | None) -> str:
    """A Markdown field as one line of plain text (for descriptions and abstracts)."""
    if not text:
        return ""
    stripped = nh3.clean(markup.to_html(text, lambda target: target), tags=set())
    return " ".join(html.unescape(stripped).split())


# -- the one item ----------------------------------------------------------------


def _csl_date(date: ChronicleDate) -> dict[str, Any]:
    parts = [part for part in (date.year, date.month, date.day) if part]
    issued: dict[str, Any] = {"date-parts": [parts]}
    if date.qualifier:  # CSL has one mark for both uncertain and approximate
        issued["circa"] = True
    return issued


def csl_item(record: Record, publisher: Publisher) -> dict[str, Any]:
    """The record's page as a CSL-JSON item: the single source of every citation format."""
    item: dict[str, Any] = {
        "id": f"chronicle-{collection_of(record)}-{record.id}",
        "type": "webpage",
        "title": title_of(record),
        "publisher": publisher.name,
        "URL": publisher.address(record),
        # The title's language: CSL styles change the case of English titles only.
        "language": record.language if isinstance(record, Source) else "en",
    }
    date = date_of(record)
    if date is not None:
        item["issued"] = _csl_date(date)
    abstract = plain_text(getattr(record, "summary", None))
    if abstract:
        item["abstract"] = abstract
    return item


def _parts(item: dict[str, Any]) -> list[int]:
    return item["issued"]["date-parts"][0] if "issued" in item else []


def qualifier_of(record: Record) -> str:
    """The EDTF mark of the record's date (?, ~, %): what CSL's `circa` cannot tell apart."""
    date = date_of(record)
    return date.qualifier if date else ""


# -- files -------------------------------------------------------------------------


def csl_json(items: list[dict[str, Any]]) -> str:
    """A CSL-JSON file: always an array, even of one item."""
    return json.dumps(items, ensure_ascii=False, indent=1) + "\n"


_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BRACES_ESCAPED = {"{": r"\{", "}": r"\}"}
# BibTeX counts braces even after a backslash: an unbalanced one must become a command.
_BRACES_NAMED = {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def latex_escape(text: str) -> str:
    """Text as a BibTeX field value: LaTeX's special characters made literal, Unicode kept as UTF-8."""
    table = {**_LATEX_SPECIALS, **(_BRACES_ESCAPED if _balanced(text) else _BRACES_NAMED)}
    escaped = re.sub(r"[\\{}&%#_$~^]", lambda match: table[match.group()], " ".join(text.split()))
    # TeX joins -- into a dash and '' or `` into a quotation mark: keep the characters as written.
    return re.sub(r"(?<=-)(?=-)|(?<=')(?=')|(?<=`)(?=`)", "{}", escaped)


def bibtex(item: dict[str, Any], qualifier: str = "") -> str:
    """One BibTeX entry; the title in double braces so that its capitals survive.

    `qualifier` is the record date's EDTF mark (?, ~ or %), which CSL's `circa` cannot tell apart.
    """
    fields = [("title", "{" + latex_escape(item["title"]) + "}"), ("howpublished", latex_escape(item["publisher"]))]
    parts = _parts(item)
    if parts:
        fields.append(("year", str(parts[0])))
    if len(parts) > 1:
        fields.append(("month", MONTHS[parts[1] - 1]))
    if "issued" in item:
        fields.append(("date", edtf(item) + qualifier))  # biblatex reads EDTF, qualifier included
    fields.append(("url", item["URL"].replace("{", "%7B").replace("}", "%7D")))
    if qualifier:
        fields.append(("note", f"Date {QUALIFIERS[qualifier]}"))
    body = ",\n".join(f"  {name} = {value if name == 'month' else '{' + value + '}'}" for name, value in fields)
    return f"@misc{{{item['id']},\n{body}\n}}\n"


def edtf(item: dict[str, Any]) -> str:
    """The item's date as ISO 8601 at its precision: 2018, 2018-06 or 2018-06-15."""
    return "-".join(f"{part:02d}" if n else f"{part:04d}" for n, part in enumerate(_parts(item)))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def ris(item: dict[str, Any], qualifier: str = "") -> str:
    """One RIS record (type ELEC, a web page); its date keeps the precision, as YYYY/MM/DD/other."""
    lines = [("TY", "ELEC"), ("TI", item["title"]), ("PB", item["publisher"])]
    parts = _parts(item)
    if parts:
        lines.append(("PY", str(parts[0])))
        padded = [f"{parts[0]:04d}", *(f"{part:02d}" for part in parts[1:])]
        padded += [""] * (3 - len(padded))
        lines.append(("DA", "/".join([*padded, QUALIFIERS[qualifier]])))
    lines += [("UR", item["URL"]), ("LA", item["language"])]
    if "abstract" in item:
        lines.append(("AB", item["abstract"]))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {_one_line(value)}".rstrip() + "\n" for tag, value in lines)


# -- page head -------------------------------------------------------------------


def meta_tags(item: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, content) of the `citation_*` (Google Scholar, Zotero) and Dublin Core meta tags."""
    tags = [("citation_title", item["title"]), ("citation_publisher", item["publisher"])]
    parts = _parts(item)
    if parts:
        # Google Scholar's form, 2018/06/15, cut to the precision the record has.
        tags.append(
            ("citation_publication_date", "/".join(f"{p:02d}" if n else f"{p:04d}" for n, p in enumerate(parts)))
        )
    tags.append(("citation_language", item["language"]))
    absolute = item["URL"].startswith(("http://", "https://"))
    if absolute:
        tags.append(("citation_public_url", item["URL"]))
    tags += [("DC.title", item["title"]), ("DC.publisher", item["publisher"])]
    if parts:
        tags.append(("DC.date", edtf(item)))  # W3CDTF keeps 2018-06 as it is
    tags += [("DC.type", "Text"), ("DC.format", "text/html"), ("DC.language", item["language"])]
    if absolute:
        tags.append(("DC.identifier", item["URL"]))
    return tags


def social_tags(item: dict[str, Any], image: str = "") -> list[tuple[str, str, str]]:
    """(attribute, key, content) of the Open Graph and Twitter card tags; the image is the site's own."""
    tags = [
        ("property", "og:type", "article"),
        ("property", "og:title", item["title"]),
        ("property", "og:site_name", item["publisher"]),
        ("property", "og:locale", "en_US"),
    ]
    if item["URL"].startswith(("http://", "https://")):
        tags.append(("property", "og:url", item["URL"]))
    if item.get("abstract"):
        tags.append(("property", "og:description", item["abstract"]))
    if image:
        tags.append(("property", "og:image", image))
    tags += [("name", "twitter:card", "summary"), ("name", "twitter:title", item["title"])]
    if item.get("abstract"):
        tags.append(("name", "twitter:description", item["abstract"]))
    if image:
        tags.append(("name", "twitter:image", image))
    return tags


# -- JSON-LD ---------------------------------------------------------------------------


def _schema_date(date: ChronicleDate | None) -> str | None:
    # ISO 8601 at the record's precision; schema.org's Date accepts 2018-06 and 2018.
    return str(date).rstrip("?~%") if date else None


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


class Describer:
    """schema.org JSON-LD for the records of one Chronicle.

    `href` turns a site path into a link from the page the JSON-LD sits in: without a
    public address, a relative URL is read against the page's own address.
    """

    def __init__(self, chronicle: Chronicle, publisher: Publisher, href: Callable[[str], str] = str):
        self.chronicle = chronicle
        self.publisher = publisher
        self.href = href

    def url(self, record: Record) -> str:
        return self.publisher.address(record) if self.publisher.base else self.href(page_path(record))

    def reference(self, record: Record) -> dict[str, Any]:
        return {"@type": self.schema_type(record), "name": title_of(record), "url": self.url(record)}

    def actors(self, ids) -> list[dict[str, Any]]:
        return [self.reference(self.chronicle.actors[actor_id]) for actor_id in dict.fromkeys(ids) if actor_id]

    def sources(self, ids) -> list[dict[str, Any]]:
        return [self.reference(self.chronicle.sources[source_id]) for source_id in dict.fromkeys(ids)]

    @staticmethod
    def schema_type(record: Record) -> str:
        if isinstance(record, Episode):
            return "Event"
        if isinstance(record, Treaty):
            return "Legislation"
        if isinstance(record, Actor):
            return ACTOR_TYPES[record.type]
        return SOURCE_TYPES.get(record.type, "CreativeWork")

    def describe(self, record: Record) -> dict[str, Any]:
        data: dict[str, Any] = {"@context": "https://schema.org", "@type": self.schema_type(record)}
        data["name"] = title_of(record)
        data["description"] = plain_text(getattr(record, "summary", None))
        if isinstance(record, Episode):
            data.update(
                startDate=_schema_date(record.date),
                endDate=_schema_date(record.end),
                organizer=self.actors([record.by]),
                attendee=self.actors([actor for actor in [record.to, *record.actors] if actor != record.by]),
                about=[self.reference(self.chronicle.treaties[treaty_id]) for treaty_id in record.treaties],
                citation=self.sources(record.sources),
            )
        elif isinstance(record, Treaty):
            force = LEGAL_FORCE.get(record.status)
            data.update(
                alternateName=[name for name in dict.fromkeys([record.short_name, record.native_name]) if name],
                legislationType=record.kind.replace("-", " "),
                legislationDate=_schema_date(record.signed),
                legislationLegalForce=f"https://schema.org/{force}" if force else None,
                legislationPassedBy=self.actors(record.parties),
                sameAs=record.text_url,
                citation=self.sources(record.sources),
            )
        elif isinstance(record, Actor):
            country = self.chronicle.actors.get(record.country) if record.country else None
            data.update(
                alternateName=record.native_name,
                sameAs=f"https://www.wikidata.org/wiki/{record.wikidata}" if record.wikidata else None,
            )
            if country is not None:
                data["nationality" if record.type == "person" else "location"] = self.reference(country)
        elif isinstance(record, Source):
            data.update(
                headline=record.title if data["@type"] == "NewsArticle" else None,
                publisher={"@type": "Organization", "name": record.outlet},
                datePublished=_schema_date(record.published),
                inLanguage=record.language,
                url=record.url,
                archivedAt=record.archived_url,
            )
        # The page this JSON-LD sits in, as published by the site.
        page = {"@type": "WebPage", "url": self.url(record), "publisher": self.site()}
        if isinstance(record, Source):
            data["subjectOf"] = page
        else:
            data.setdefault("url", page["url"])
            data["mainEntityOfPage"] = page
        return _compact(data)

    def site(self) -> dict[str, Any]:
        return _compact({"@type": "Organization", "name": self.publisher.name, "url": self.publisher.base or None})


_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def json_ld_script(data: dict[str, Any]) -> Markup:
    """JSON for a <script> element: no text in it can end the element (`</script>`, `<!--`)."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return Markup(re.sub(r"[<>&]", lambda match: _SCRIPT_UNSAFE[match.group()], text))


# -- suggested citation text -------------------------------------------------------


# A citation takes citeproc-py some milliseconds: the text of an item that has not
# changed is kept between builds, under a key of everything it depends on, in files by
# the key's first two hex digits: a save rewrites only the files of the texts it adds
# (one file for all was rewritten whole on every save, megabytes in a long-used checkout).
CACHE = Path(os.environ.get("CHRONICLE_CACHE") or Path(__file__).resolve().parent.parent / ".cache") / "citations"
# Fewer texts than this are made in the build's own process: starting workers costs about a second.
PARALLEL_FROM = 200

# The texts read from the cache, and those made since, by the two hex digits of their file: a
# file is read when one of its texts is first asked for (where workers render the record pages,
# this process asks for a few, not for thousands).
_known: tuple[Path, dict[str, dict[str, str]]] | None = None
# Texts this process made and has not saved yet, by key.
_unsaved: dict[str, str] = {}
# In a worker rendering record pages: the texts it made, handed back with the pages (`made_texts`)
# for the build's process to save (`keep_texts`). Workers saving as they go would each replace
# the file with their own texts, and lose the others'.
_made: dict[str, str] | None = None


@functools.cache
def _style_digest(style: str) -> str:
    style_file = (STYLES_DIR / STYLES[style][0]).read_bytes()
    # The version from the package's metadata: importing citeproc-py to ask costs megabytes.
    return hashlib.sha256(style_file + package_version("citeproc-py").encode()).hexdigest()[:16]


def _key(item: dict[str, Any], style: str, as_html: bool) -> str:
    key = json.dumps([item, style, as_html, _style_digest(style)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(key.encode()).hexdigest()


def _shard(key: str) -> Path:
    return CACHE / f"{key[:2]}.json"


def _read_shard(path: Path) -> dict[str, str]:
    with contextlib.suppress(OSError, ValueError):  # no file, or a damaged one: made anew
        loaded = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(loaded, dict):
            return {key: text for key, text in loaded.items() if isinstance(text, str)}
    return {}


def _read_kept() -> dict[str, str]:
    """Every text kept in the cache."""
    kept: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for path in sorted(CACHE.glob("??.json")):
            kept.update(_read_shard(path))
    return kept


def _files_read() -> dict[str, dict[str, str]]:
    """The files of the cache this process has read, by their two hex digits (none again if CACHE moves)."""
    global _known
    if _known is None or _known[0] != CACHE:
        _known = (CACHE, {})
        _unsaved.clear()
    return _known[1]


def _kept_beside(key: str) -> dict[str, str]:
    """The texts of `key`'s file, read once per process, with those made since."""
    files = _files_read()
    texts = files.get(key[:2])
    if texts is None:
        texts = files[key[:2]] = _read_shard(_shard(key))
    return texts


def _text(key: str) -> str | None:
    return _kept_beside(key).get(key)


def _add(made: Mapping[str, str]) -> None:
    """Keep texts made, to be saved; a file not read yet is not read for them (a first build's
    workers make thousands): it has them once saved."""
    files = _files_read()
    for key, text in made.items():
        texts = files.get(key[:2])
        if texts is not None:
            texts[key] = text
    _unsaved.update(made)


def _save() -> None:
    """Keep the texts this process made, each in its key's file, with those the file holds now:
    another build (`serve` beside a build, a test beside its builds) may have kept texts there
    since this process read it."""
    by_file: dict[Path, dict[str, str]] = {}
    for key, text in _unsaved.items():
        by_file.setdefault(_shard(key), {})[key] = text
    _unsaved.clear()
    with contextlib.suppress(OSError):  # a cache that cannot be written is no cache, not a fault
        CACHE.mkdir(parents=True, exist_ok=True)
        (CACHE / "texts.json").unlink(missing_ok=True)  # the one file of earlier versions
        for path, texts in by_file.items():
            kept = _read_shard(path)
            kept.update(texts)
            partial = path.with_name(f"{path.stem}.{os.getpid()}.tmp")
            partial.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
            partial.replace(path)


def hand_back_texts() -> None:
    """In a worker: keep the texts made from now on for `made_texts`, rather than saving each."""
    global _made
    _made = {}


def made_texts() -> dict[str, str]:
    """In a worker: the texts made since the last call."""
    made = dict(_made or {})
    if _made is not None:
        _made.clear()
    return made


def keep_texts(made: Mapping[str, str]) -> None:
    """In the build's process: texts its workers made (`made_texts`), kept for the next build."""
    if made:
        _add(made)
        _save()


def _format_all_in_worker(requests: list[tuple[dict[str, Any], str, bool]]) -> list[str]:
    from .csl import format_all

    return format_all(requests)


def prepare(items: list[dict[str, Any]]) -> None:
    """Make the HTML text in every style of each item that the cache lacks, on every core at
    once when there are many (a first build), and keep them for the next build."""
    missing: dict[str, tuple[dict[str, Any], str, bool]] = {}
    for item in items:
        for style in STYLES:
            key = _key(item, style, True)
            if _text(key) is None:
                missing[key] = (item, style, True)
    # A plain item's texts are written out; the rest are citeproc-py's.
    made = {key: text for key, request in missing.items() if (text := _quick_text(*request)) is not None}
    rest = {key: request for key, request in missing.items() if key not in made}
    if rest:
        made.update(zip(rest, _by_citeproc(list(rest.values())), strict=True))
    if made:
        _add(made)
        _save()


def _by_citeproc(requests: list[tuple[dict[str, Any], str, bool]]) -> list[str]:
    """The texts citeproc-py makes, on every core at once when there are many (a first build)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(requests) < PARALLEL_FROM or workers < 2:
        from .csl import format_all

        return format_all(requests)
    if can_fork():
        context = multiprocessing.get_context("fork")
    else:
        # Spawned where forking is not safe. A spawned worker imports this package anew (a
        # second or more), from the path it is given: MkDocs takes the hook's own entry off
        # sys.path once the hook is loaded, so it is put back.
        package_root = str(Path(__file__).resolve().parent.parent)
        if package_root not in sys.path:
            sys.path.append(package_root)
        context = multiprocessing.get_context("spawn")
    size = -(-len(requests) // (workers * 4))
    batches = [requests[start : start + size] for start in range(0, len(requests), size)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return [text for batch in pool.map(_format_all_in_worker, batches) for text in batch]


def _quick_text(item: dict[str, Any], style: str, as_html: bool) -> str | None:
    """The text without citeproc-py, for an item printed in a fixed pattern (webpage_citation)."""
    return webpage_citation.text(item, style, as_html, _style_digest(style), ACCESSED_SLOT)


def _formatted(item: dict[str, Any], style: str, as_html: bool) -> str:
    key = _key(item, style, as_html)
    text = _text(key)
    if text is None:
        text = _quick_text(item, style, as_html)
        if text is None:
            from .csl import format_text

            text = format_text(item, style, as_html)
        _add({key: text})
        if _made is None:
            _save()
        else:
            _made[key] = text
    return text


def citation(item: dict[str, Any], style: str, as_html: bool = True) -> Markup | str:
    """The item as the bibliography entry of a CSL style (`chicago`, `apa`), by citeproc-py.

    A style that asks for the date the reader consulted the page (APA and Chicago
    for an undated page) gets a slot for it.
    """
    text = _formatted(item, style, as_html)
    if not as_html:
        return text
    slot = Markup('<span class="chronicle-cite__slot">{}</span>').format(ACCESSED_SLOT)
    return Markup(text.replace(ACCESSED_SLOT, slot))


# -- one record, and the whole set ---------------------------------------------------------


@dataclass(frozen=True)
class RecordCitation:
    """Everything a record page and its files say about how to cite the record."""

    record: Record
    item: dict[str, Any]
    qualifier: str
    # The record described for search engines: made when a page prints it, not kept with the
    # citation (the files and downloads never need it; kept, it was most of a citation's memory).
    describe: Callable[[], dict[str, Any]]

    @property
    def json_ld(self) -> dict[str, Any]:
        return self.describe()

    @property
    def address(self) -> str:
        return self.item["URL"]

    def files(self) -> dict[str, str]:
        """The record's citation files, by their path in the site."""
        return {
            file_path(self.record, "csl"): csl_json([self.item]),
            file_path(self.record, "bib"): bibtex(self.item, self.qualifier),
            file_path(self.record, "ris"): ris(self.item, self.qualifier),
        }

    def texts(self) -> dict[str, Markup]:
        """The suggested citation in each style, as HTML."""
        return {name: citation(self.item, name) for name in STYLES}

    def head_values(
        self, href: Callable[[str], str], feed: str = "", image: str = "", canonical: bool = False
    ) -> dict[str, Any]:
        """What head.html.j2 prints; `href` turns a site path into a link from the page."""
        absolute = self.address.startswith(("http://", "https://"))
        return {
            "meta": meta_tags(self.item),
            "social": social_tags(self.item, image),
            "canonical": self.address if canonical and absolute else "",
            "alternates": [
                (media_type, href(file_path(self.record, fmt)), name) for fmt, (_, media_type, name) in FORMATS.items()
            ],
            "feed": feed,
            "json_ld": json_ld_script(self.json_ld),
        }

    def cite_values(self, href: Callable[[str], str], version: Version) -> dict[str, Any]:
        """What cite.html.j2 prints."""
        return {
            "address": self.address,
            "texts": self.texts(),
            "style_names": {name: label for name, (_, label) in STYLES.items()},
            "version": version,
            "files": [
                (f"{name} ({suffix})", href(file_path(self.record, fmt)), media_type)
                for fmt, (suffix, media_type, name) in FORMATS.items()
            ],
            "has_quotes": bool(getattr(self.record, "quotes", None)),
        }


class Citer:
    """Builds the citations of one Chronicle's records; made once per build."""

    DOWNLOADS = ("chronicle.bib", "chronicle.csl.json")  # what `downloads` makes

    def __init__(self, chronicle: Chronicle, publisher: Publisher):
        self.chronicle = chronicle
        self.publisher = publisher
        self._cited: dict[tuple[str, str], RecordCitation] = {}

    def forget(self) -> None:
        """Let go of every record's citation and of the kept texts, in a process that will not
        show them (the workers rendering the pages have their own): made again if asked for."""
        global _known
        self._cited.clear()
        _known = None

    def records(self) -> list[Record]:
        return [
            record for collection in COLLECTIONS for _, record in sorted(getattr(self.chronicle, collection).items())
        ]

    def cite(self, record: Record, href: Callable[[str], str] = str) -> RecordCitation:
        """`href` turns a site path into a link from the page the citation is shown on."""
        key = (collection_of(record), record.id)
        if href is str and key in self._cited:  # the page, its files and the downloads share one
            return self._cited[key]
        describer = Describer(self.chronicle, self.publisher, href)
        citation = RecordCitation(
            record, csl_item(record, self.publisher), qualifier_of(record), lambda: describer.describe(record)
        )
        if href is str:
            self._cited[key] = citation
        return citation

    def prepare(self) -> None:
        """Every record's suggested citation texts made now, all at once, rather than page by page."""
        prepare([self.cite(record).item for record in self.records()])

    def record_files(self) -> dict[str, str]:
        """Every record's citation files (CSL-JSON, BibTeX, RIS) beside its page."""
        files: dict[str, str] = {}
        for record in self.records():
            files.update(self.cite(record).files())
        return files

    def downloads(self) -> dict[str, str]:
        """The whole record set, by its path under downloads/: one BibTeX file, one CSL-JSON array."""
        citations = [self.cite(record) for record in self.records()]
        bib, csl = self.DOWNLOADS
        return {
            bib: "\n".join(bibtex(c.item, c.qualifier) for c in citations),
            csl: csl_json([c.item for c in citations]),
        }
