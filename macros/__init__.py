"""The Chronicle: a sourced record of US–Russia diplomacy, built by MkDocs.

Flow, one way: `load` (files -> validated `model`) -> `index` (derived
back-links, order, threads) -> `render` (Markdown through Jinja templates)
and `views` (HTML blocks for hand-written pages) -> `hooks` (MkDocs glue).
`define_env` gives hand-written pages the indexes and the essay macros.
"""

from __future__ import annotations

import posixpath
from typing import Any

from pydantic import BaseModel, ConfigDict


class _NoArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")


def define_env(env):
    """mkdocs-macros entry point: the indexes and views that hand-written pages call."""
    from .facets import EpisodeFilter
    from .site import current
    from .views import EpisodeChoice, MacroError, StatusChoice, TreatyChoice, Views

    _report_macro_errors_in_one_line(MacroError)
    made: dict[str, Any] = {}

    def views() -> Views:
        # One per build: `mkdocs serve` makes a new Site on every rebuild.
        site = current()
        if made.get("site") is not site:
            made.update(site=site, views=Views(site.chronicle, site.renderer))
        return made["views"]

    def page_dir() -> str:
        page = env.page
        return posixpath.dirname(page.file.src_uri) if page is not None else ""

    def fragment(name: str, **values) -> str:
        return current().renderer.fragment(name, page_dir(), **values)

    def essay_macro(name: str, model: type[BaseModel], positional: tuple[str, ...], view):
        """A macro whose arguments are checked against the Chronicle; any fault is one line naming
        the page, the call and the value."""

        def macro(*args, **kwargs) -> str:
            try:
                if len(args) > len(positional):
                    raise MacroError(f"takes at most {len(positional)} positional argument(s), not {len(args)}")
                values = dict(zip(positional, args, strict=False))
                twice = sorted(set(values) & set(kwargs))
                if twice:
                    raise MacroError(f"{twice[0]}: given twice")
                arguments = views().arguments(model, {**values, **kwargs})
                return view(page_dir(), arguments)
            except MacroError as error:
                shown = [repr(arg) for arg in args] + [f"{key}={value!r}" for key, value in kwargs.items()]
                page = env.page.file.src_uri if env.page is not None else "?"
                raise MacroError(f"page {page}: {name}({', '.join(shown)}): {error}") from None

        macro.__name__ = name
        env.macro(macro, name)

    def timeline_view(directory: str, selection: EpisodeFilter) -> str:
        return views().timeline(directory, selection)

    essay_macro("timeline", EpisodeFilter, ("kind", "actor", "treaty", "tag", "start", "end"), timeline_view)
    essay_macro("episode_card", EpisodeChoice, ("id",), lambda d, a: views().episode_card(d, a))
    essay_macro("thread", EpisodeChoice, ("id",), lambda d, a: views().thread(d, a))
    essay_macro("treaty_life", TreatyChoice, ("id",), lambda d, a: views().treaty_life(d, a))
    essay_macro("treaty_table", StatusChoice, ("status",), lambda d, a: views().treaty_table(d, a))
    essay_macro("treaty_lives", _NoArguments, (), lambda d, a: views().treaty_lives(d))

    env.macro(lambda: fragment("proposals"), "proposals")
    env.macro(lambda: fragment("actor_list"), "actor_list")
    env.macro(lambda: fragment("source_list"), "source_list")
    env.macro(lambda: fragment("tag_list"), "tag_list")
    env.macro(lambda count=5: fragment("latest", count=count), "latest_episodes")
    env.macro(lambda: fragment("counts"), "record_counts")

    @env.macro
    def has_record(address: str) -> bool:
        """Whether this data folder holds a record ("episodes/<id>") or a tag ("tags/<id>"): a page that
        must build from any folder tests it before calling a view of that record."""
        chronicle = current().chronicle
        collection, _, record_id = address.partition("/")
        return record_id in chronicle.tags if collection == "tags" else chronicle.find(address) is not None

    @env.macro
    def record(address: str, text: str | None = None) -> str:
        """A link to a record ("episodes/<id>") that is plain text when this data folder lacks it,
        so that a hand-written page builds from any folder of records."""
        return fragment("record_link", address=address, text=text).strip()

    @env.macro
    def citation_example(address: str) -> str:
        """How a record ("episodes/<id>") is cited, generated from it: its styled text and its files.
        A data folder that lacks it shows its first episode instead."""
        page = env.page
        page_dir = posixpath.dirname(page.file.src_uri) if page is not None else ""
        return current().renderer.citation_example(address, page_dir)


def _report_macro_errors_in_one_line(error_type: type[Exception]) -> None:
    """mkdocs-macros prints a failed page with the Python traceback; a writer's mistake needs only its message.
    Its formatter dispatches on the exception's type (functools.singledispatch): ours is registered."""
    from mkdocs_macros.errors import format_error

    if error_type not in format_error.registry:
        format_error.register(error_type)(lambda error, markdown, page: str(error))
