"""The data contract as pydantic models: what a record may hold.

Cross-record references are checked while a record validates: the loader
passes the ids of every collection (known from the file names alone) in the
validation context, so a dangling id fails at its own field, with its own
location, like any other fault.
"""

from __future__ import annotations

import sys
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from .dates import ChronicleDate
from .links import url_problem
from .markup import link_problem, link_targets, markdown_problem, record_link
from .text import character_problem, shown

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
ID_MAX_LENGTH = 80
QUOTE_MAX_WORDS = 60
SUMMARY_MAX_LENGTH = 700

# Generous limits, in characters (docs/limits.md gives the reasons): each is
# several times the longest real record, and together they keep a record far
# from what would slow the build.
LIMITS = {
    "title": 140,
    "summary": SUMMARY_MAX_LENGTH,
    "body": 40_000,
    "notes": 10_000,
    "note": 5_000,
    "provision": 5_000,
    "quote": 1_000,
    "name": 300,
    "short_name": 140,
    "place": 200,
    "source_title": 500,
    "outlet": 200,
    "relay": 200,
    "attributed_to": 300,
    "role": 300,
    "label": 100,
    "description": 1_000,
}
# Items in a list, at most.
LIST_LIMITS = {
    "provisions": 100,
    "quotes": 100,
    "history": 500,
    "roles": 200,
    "relays": 50,
    "references": 200,  # actors, parties, treaties, sources of one record
    "tags": 50,
}

COLLECTIONS = ("episodes", "treaties", "actors", "sources")


_DANGLING = {
    "tags": "unknown tag '{value}': every tag must be defined in tags.yml",
    "default": "no {collection} record has the id '{value}' (no file {collection}/{value}.yml)",
}


def _reference(collection: str):
    def check(value: str, info: ValidationInfo) -> str:
        known = (info.context or {}).get("ids", {}).get(collection)
        if known is not None and value not in known:
            raise PydanticCustomError(
                "dangling_reference",
                _DANGLING.get(collection, _DANGLING["default"]),
                {"collection": collection, "value": value if value.isprintable() else shown(value)[1:-1]},
            )
        # Thousands of references name a few hundred records: each id is kept once (0.65 MB at 1,000 episodes).
        return sys.intern(value)

    return AfterValidator(check)


def _check_characters(value: str) -> str:
    problem = character_problem(value)
    if problem:
        raise PydanticCustomError("forbidden_character", problem)
    return value


def _check_markdown(value: str, info: ValidationInfo) -> str:
    problem = markdown_problem(value)
    if problem:
        raise PydanticCustomError("markdown_too_complex", problem)
    known = (info.context or {}).get("ids")
    for target in link_targets(value):
        problem = link_problem(target)
        if problem:
            raise PydanticCustomError("unsafe_link", problem)
        named = record_link(target)
        if named and known is not None and named[1] not in known.get(named[0], ()):
            raise PydanticCustomError(
                "dangling_link",
                "link '{target}' names no record: there is no {collection}/{id}.yml",
                {"target": target, "collection": named[0], "id": named[1]},
            )
    return value


def _check_quote_length(value: str) -> str:
    words = len(value.split())
    if words > QUOTE_MAX_WORDS:
        raise PydanticCustomError(
            "quote_too_long",
            "a quote is at most {limit} words; this one has {words}: cite, do not republish",
            {"limit": QUOTE_MAX_WORDS, "words": words},
        )
    return value


def TextOf(limit: str):
    """Plain text of at most LIMITS[limit] characters, with no forbidden character."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=LIMITS[limit]),
        AfterValidator(_check_characters),
    ]


def MarkdownOf(limit: str):
    """A Markdown field of at most LIMITS[limit] characters: its links and its structure checked."""
    return Annotated[
        str,
        StringConstraints(min_length=1, max_length=LIMITS[limit]),
        AfterValidator(_check_characters),
        AfterValidator(_check_markdown),
    ]


def ListOf(item: Any, limit: str, at_least: int = 0):
    return Annotated[list[item], Field(min_length=at_least, max_length=LIST_LIMITS[limit])]


Summary = MarkdownOf("summary")


def _check_url(value: str) -> str:
    problem = url_problem(value)
    if problem:
        raise PydanticCustomError("not_http_url", problem)
    return value


HttpUrl = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_url)]
Language = Annotated[str, StringConstraints(max_length=35, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]

_Id = Annotated[str, StringConstraints(max_length=ID_MAX_LENGTH)]
ActorRef = Annotated[_Id, _reference("actors")]
EpisodeRef = Annotated[_Id, _reference("episodes")]
TreatyRef = Annotated[_Id, _reference("treaties")]
SourceRef = Annotated[_Id, _reference("sources")]
TagRef = Annotated[_Id, _reference("tags")]

EpisodeKind = Literal[
    "proposal", "response", "statement", "meeting", "publication",
    "treaty-action", "accusation", "sanction", "context",
]  # fmt: skip
Outcome = Literal["pending", "accepted", "rejected", "ignored", "superseded", "unclear"]
TreatyKind = Literal[
    "treaty", "agreement", "exchange-of-letters", "draft-treaty", "proposal", "declaration", "memorandum"
]
TreatyStatus = Literal[
    "proposed", "rejected", "signed", "in-force", "suspended",
    "withdrawn", "terminated", "expired", "superseded", "historical",
]  # fmt: skip
HistoryEvent = Literal[
    "proposed", "published", "signed", "ratified", "entered-into-force", "extended",
    "suspended", "withdrawal-announced", "withdrawn", "terminated", "expired", "rejected",
]  # fmt: skip
ActorType = Literal["person", "state", "organization", "office"]
SourceType = Literal["news", "official", "transcript", "analysis", "opinion", "blog", "dataset", "treaty-text"]
Affiliation = Literal["state-media", "government", "independent", "partisan", "user-generated", "unknown"]


class Strict(BaseModel):
    """Unknown fields are faults: a misspelt field must not vanish silently."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Record(Strict):
    """A record of a collection; its id is its file name, never a field."""

    _id: str = PrivateAttr(default="")

    @property
    def id(self) -> str:
        # Read from pydantic's table of private attributes directly: `self._id` goes through
        # BaseModel.__getattr__, forty times slower, and every link to a record reads its id.
        return self.__pydantic_private__["_id"]

    def with_id(self, record_id: str) -> Record:
        self._id = record_id
        return self


class Quote(Strict):
    text: Annotated[TextOf("quote"), AfterValidator(_check_quote_length)] = Field(
        description="The exact words, at most 60 words."
    )
    source: SourceRef = Field(description="One of the episode's sources.")
    speaker: ActorRef | None = Field(None, description="Who said it, when a known actor.")
    attributed_to: TextOf("attributed_to") | None = Field(
        None, validate_default=True, description="Who said it, when not a known actor."
    )
    lang: Language = "en"

    @field_validator("attributed_to")
    @classmethod
    def _someone_said_it(cls, value: str | None, info: ValidationInfo) -> str | None:
        # A speaker that failed its own validation is absent from info.data: one fault is enough.
        if value is None and "speaker" in info.data and info.data["speaker"] is None:
            raise PydanticCustomError(
                "unattributed_quote", "a quote needs a speaker (an actor id) or attributed_to (free text)"
            )
        return value


class Episode(Record):
    title: TextOf("title")
    date: ChronicleDate
    end: ChronicleDate | None = None
    kind: EpisodeKind
    by: ActorRef | None = None
    to: ActorRef | None = None
    actors: ListOf(ActorRef, "references") = []
    treaties: ListOf(TreatyRef, "references") = []
    responds_to: EpisodeRef | None = None
    # Declared after kind and validated even when absent: its rule depends on kind.
    outcome: Outcome | None = Field(None, validate_default=True)
    summary: Summary
    body: MarkdownOf("body") | None = None
    sources: ListOf(SourceRef, "references", at_least=1)
    quotes: ListOf(Quote, "quotes") = []
    tags: ListOf(TagRef, "tags") = []

    @field_validator("end")
    @classmethod
    def _end_not_before_date(cls, value: ChronicleDate | None, info: ValidationInfo):
        start = info.data.get("date")
        if value is not None and start is not None and value.sort_key < start.sort_key:
            raise PydanticCustomError(
                "end_before_date", "end {end} is before date {date}", {"end": str(value), "date": str(start)}
            )
        return value

    @field_validator("outcome")
    @classmethod
    def _outcome_only_for_proposals(cls, value: str | None, info: ValidationInfo):
        kind = info.data.get("kind")
        if kind == "proposal" and value is None:
            raise PydanticCustomError(
                "missing_outcome",
                "a proposal needs an outcome: pending, accepted, rejected, ignored, superseded or unclear",
            )
        if kind is not None and kind != "proposal" and value is not None:
            raise PydanticCustomError(
                "outcome_not_allowed",
                "only a proposal has an outcome; this episode's kind is '{kind}'",
                {"kind": kind},
            )
        return value

    @field_validator("responds_to")
    @classmethod
    def _not_itself(cls, value: str | None, info: ValidationInfo):
        own = (info.context or {}).get("record_id")
        if value is not None and value == own:
            raise PydanticCustomError("self_reply", "an episode cannot respond to itself")
        return value

    @field_validator("quotes")
    @classmethod
    def _quotes_cite_own_sources(cls, quotes: list[Quote], info: ValidationInfo):
        sources = info.data.get("sources")
        if sources is None:
            return quotes
        stray = [n for n, quote in enumerate(quotes) if quote.source not in sources]
        if stray:
            raise PydanticCustomError(
                "quote_source_not_listed",
                "{stray}: not among this episode's sources",
                {
                    "stray": "; ".join(f"quote {n} cites '{quotes[n].source}'" for n in stray),
                    "at": (stray[0], "source"),
                },
            )
        return quotes


class HistoryEntry(Strict):
    date: ChronicleDate
    event: HistoryEvent
    by: ActorRef | None = None
    note: MarkdownOf("note") | None = None
    source: SourceRef | None = None
    episode: EpisodeRef | None = None


class Treaty(Record):
    name: TextOf("name")
    short_name: TextOf("short_name") | None = None
    native_name: TextOf("name") | None = None
    kind: TreatyKind
    parties: ListOf(ActorRef, "references", at_least=1)
    signed: ChronicleDate | None = None
    signed_at: TextOf("place") | None = None
    status: TreatyStatus
    history: ListOf(HistoryEntry, "history") = []
    summary: Summary
    provisions: ListOf(MarkdownOf("provision"), "provisions") = []
    predecessor: TreatyRef | None = None
    successor: TreatyRef | None = None
    text_url: HttpUrl | None = None
    sources: ListOf(SourceRef, "references", at_least=1)
    tags: ListOf(TagRef, "tags") = []

    @field_validator("history")
    @classmethod
    def _history_in_date_order(cls, history: list[HistoryEntry]):
        for number, (before, after) in enumerate(pairwise(history), start=1):
            if after.date.sort_key < before.date.sort_key:
                raise PydanticCustomError(
                    "history_out_of_order",
                    "entries must be in date order: entry {n} ({after}) comes before entry {m} ({before})",
                    {
                        "n": number,
                        "after": str(after.date),
                        "m": number - 1,
                        "before": str(before.date),
                        "at": (number, "date"),  # where the loader points: the entry out of order
                    },
                )
        return history

    @property
    def label(self) -> str:
        return self.short_name or self.name


class Role(Strict):
    title: TextOf("role")
    of: ActorRef | None = None
    from_: ChronicleDate | None = Field(None, alias="from")
    to: ChronicleDate | None = None


class Actor(Record):
    name: TextOf("name")
    native_name: TextOf("name") | None = None
    type: ActorType
    country: ActorRef | None = None
    roles: ListOf(Role, "roles") = []
    wikidata: Annotated[str, StringConstraints(max_length=20, pattern=r"^Q[0-9]+$")] | None = None
    summary: Summary | None = None


class Source(Record):
    title: TextOf("source_title")
    outlet: TextOf("outlet")
    type: SourceType
    affiliation: Affiliation
    published: ChronicleDate
    url: HttpUrl | None = None
    archived_url: HttpUrl | None = None
    relays: ListOf(TextOf("relay"), "relays") = []
    language: Language = "en"
    notes: MarkdownOf("notes") | None = None


class Tag(Record):
    label: TextOf("label")
    description: TextOf("description") | None = None


MODELS: dict[str, type[Record]] = {
    "episodes": Episode,
    "treaties": Treaty,
    "actors": Actor,
    "sources": Source,
}


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of each collection's files, generated from the models."""
    schemas = {name: model.model_json_schema(by_alias=True) for name, model in MODELS.items()}
    schemas["tags"] = {
        "title": "Tags",
        "type": "object",
        "propertyNames": {"pattern": ID_PATTERN, "maxLength": ID_MAX_LENGTH},
        "additionalProperties": Tag.model_json_schema(by_alias=True),
    }
    return schemas
