"""The Chronicle: a sourced record of US–Russia diplomacy, built by MkDocs.

Flow, one way: `load` (files -> validated `model`) -> `index` (derived
back-links, order, threads) -> `render` (Markdown through Jinja templates)
-> `hooks` (MkDocs glue). `define_env` gives hand-written pages the indexes.
"""

from __future__ import annotations

import posixpath


def define_env(env):
    """mkdocs-macros entry point: the indexes that hand-written pages call."""
    from .site import current

    def fragment(name: str, **values) -> str:
        page = env.page
        page_dir = posixpath.dirname(page.file.src_uri) if page is not None else ""
        return current().renderer.fragment(name, page_dir, **values)

    env.macro(lambda: fragment("timeline"), "timeline")
    env.macro(lambda: fragment("proposals"), "proposals")
    env.macro(lambda: fragment("treaty_table"), "treaty_table")
    env.macro(lambda: fragment("actor_list"), "actor_list")
    env.macro(lambda: fragment("source_list"), "source_list")
    env.macro(lambda: fragment("tag_list"), "tag_list")
    env.macro(lambda count=5: fragment("latest", count=count), "latest_episodes")
    env.macro(lambda: fragment("counts"), "record_counts")

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
