"""Which record pages a rebuild must render again, and which it can take from the last build.

`serve` rebuilds the whole site on every save; most record pages come out the
same. A record page shows its own record and, through the indexes, records it
is related to; every related record it shows, it links to (a name, a title, a
date on a record page is a link to that record's page). So when records change,
the pages that can differ are:

- the changed records' own pages (a record added, removed, edited, or re-dated
  by its file's history);
- the pages that linked to them in the last build (what they show of them);
- the pages their old and new pages link to (what those show of them: lists of
  appearances, citations, neighbours in time);
- every page of a reply tree that a changed episode was or is in: an episode
  page counts the steps of its thread, which need not be linked.

Anything else that pages read (the site's address and name, the tags, today's
date for the treaties' lives) changes every page. Rendering knows nothing of
this module; the Site asks it before rendering.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from .index import Chronicle
from .model import COLLECTIONS
from .render import RenderedPage

Key = tuple[str, str]  # (collection, id)

_RECORD_LINK = re.compile(r'href="([^"#?:]+)\.html')


def linked_records(page: RenderedPage, known: Iterable[Key] | Mapping[Key, object]) -> set[Key]:
    """The records a page links to, among `known`."""
    folder = posixpath.dirname(page.path)
    found = set()
    for target in _RECORD_LINK.findall(page.html):
        collection, _, record_id = posixpath.normpath(posixpath.join(folder, target)).partition("/")
        key = (collection, record_id)
        if key in known:
            found.add(key)
    return found


def _records(chronicle: Chronicle) -> dict[Key, object]:
    return {
        (collection, record_id): record
        for collection in COLLECTIONS
        for record_id, record in getattr(chronicle, collection).items()
    }


def _reply_tree(chronicle: Chronicle, episode_id: str) -> set[Key]:
    episode = chronicle.episodes.get(episode_id)
    if episode is None:
        return set()
    ancestry = chronicle.ancestry(episode)
    root = ancestry[0] if ancestry else episode
    return {("episodes", root.id)} | {("episodes", reply.id) for _, reply in chronicle.thread(root)}


def stale_pages(
    old: Chronicle,
    new: Chronicle,
    old_versions: Mapping[Key, object],
    new_versions: Mapping[Key, object],
    old_pages: Mapping[Key, RenderedPage],
    render: Callable[[Key], RenderedPage],
) -> set[Key]:
    """The record pages of `new` that may differ from `old_pages`; `render` makes a new one."""
    old_records, new_records = _records(old), _records(new)
    changed = {
        key
        for key in old_records.keys() | new_records.keys()
        if old_records.get(key) != new_records.get(key) or old_versions.get(key) != new_versions.get(key)
    }
    stale = set(changed)
    links_to: dict[Key, set[Key]] = defaultdict(set)
    for key, page in old_pages.items():
        for target in linked_records(page, old_records):
            links_to[target].add(key)
    for key in changed:
        stale |= links_to.get(key, set())
        if key in old_pages:
            stale |= linked_records(old_pages[key], old_records)
        if key in new_records:
            stale |= linked_records(render(key), new_records)
        if key[0] == "episodes":
            stale |= _reply_tree(old, key[1]) | _reply_tree(new, key[1])
    stale |= new_records.keys() - old_pages.keys()  # never rendered: nothing to reuse
    return stale & new_records.keys()
