"""The Chicago and APA texts of a record's citation, written out for the one item shape the
Chronicle makes, without a CSL engine.

Every record is cited as a CSL `webpage` with a title, a publisher, an address, a language and
perhaps a date (`cite.csl_item`). citeproc-py walks the whole style to print one (some 4 ms a
text), and a first build of thousands of records spends most of its extra time there. For
items whose text holds nothing citeproc-py treats specially (quotes, markup characters,
punctuation at an edge, a year before 1000 ...), the two styles print a fixed pattern, written
here. Any other item returns None, and citeproc-py makes its text as before.

Valid for the style files and the citeproc-py release named by `STYLE_DIGESTS`: with any other,
`text` returns None. tests/test_webpage_citation.py compares every text made here with
citeproc-py's, for the real record, the benchmark's synthetic records and thousands of random
items, and fails when a digest no longer matches the shipped files.
"""

from __future__ import annotations

import re
from typing import Any

# cite._style_digest of the style files and citeproc-py release these patterns were checked against.
STYLE_DIGESTS = {"chicago": "60839b3618ec430a", "apa": "8730b5402837e3e2"}

# The English months, whatever the machine's locale (which `calendar` follows).
MONTHS = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# citeproc-py's TextCased._stop_words: words its title case leaves in lower case.
STOP_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "but", "by", "down", "for", "from", "in", "into", "nor", "of", "on", "onto"}
    | {"or", "over", "so", "the", "till", "to", "up", "via", "with", "yet"}
)

# A value printed as it is: letters, digits, single spaces and punctuation citeproc-py passes
# through, neither starting nor ending with punctuation or a space.
_PLAIN = re.compile(r"[^\W_](?:[\w ,;:()/%–—-]|\.(?!\.))*(?<=[^\W_])", re.UNICODE)
_ADDRESS = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._~/:%+-]*[A-Za-z0-9/_-])?")
_KEYS = frozenset({"id", "type", "title", "publisher", "URL", "language", "issued", "abstract"})


def text(item: dict[str, Any], style: str, as_html: bool, style_digest: str, accessed: str) -> str | None:
    """The item's bibliography entry in `style`, as citeproc-py would print it, with `accessed`
    where the date the reader consulted the page goes; None when the item is not one this module
    knows citeproc-py to print in a fixed pattern."""
    if STYLE_DIGESTS.get(style) != style_digest or not _known_shape(item):
        return None
    date = _date_parts(item.get("issued"))
    if date is False:
        return None
    publisher, title, address = item["publisher"], item["title"], item["URL"]
    circa = bool(item.get("issued", {}).get("circa"))
    if style == "chicago":
        if item["language"][:2] == "en":
            title = _title_case(title)
        shown = f"“{title}”"
        if date is None:
            return f"{publisher}. {shown}. {publisher}. Accessed {accessed}. {address}."
        when = _date_text(style, date)
        return f"{publisher}. {shown}. {publisher}, {f'[{when}?]' if circa else when}. {address}."
    shown = f"<i>{title}</i>" if as_html else title
    if date is None:
        return f"{publisher}. (n.d.). {shown}. {publisher}. Retrieved {accessed}, from {address}"
    when = _date_text(style, date)
    return f"{publisher}. ({'ca. ' if circa else ''}{when}). {shown}. {publisher}. {address}"


def _known_shape(item: dict[str, Any]) -> bool:
    if not _KEYS.issuperset(item) or item.get("type") != "webpage":
        return False
    title, publisher, address, language = (item.get(key) for key in ("title", "publisher", "URL", "language"))
    if not all(isinstance(value, str) for value in (title, publisher, address, language)):
        return False
    # The publisher is printed once as it is, once with its first letter capitalized: the same if it has one.
    return (
        _PLAIN.fullmatch(title) is not None
        and "  " not in title
        and _PLAIN.fullmatch(publisher) is not None
        and "  " not in publisher
        and not publisher[0].islower()
        and _ADDRESS.fullmatch(address) is not None
    )


def _date_parts(issued: Any) -> tuple[int, ...] | bool | None:
    """The date's year, month and day (as many as given); None for no date; False for a date
    this module does not print."""
    if issued is None:
        return None
    if not isinstance(issued, dict) or not set(issued) <= {"date-parts", "circa"}:
        return False
    parts = issued.get("date-parts")
    if issued.get("circa", True) is not True or not (isinstance(parts, list) and len(parts) == 1):
        return False
    date = tuple(parts[0]) if isinstance(parts[0], list) else ()
    if not 1 <= len(date) <= 3 or not all(type(part) is int for part in date):
        return False
    lowest, highest = (1000, 1, 1), (9999, 12, 31)
    if not all(lowest[place] <= part <= highest[place] for place, part in enumerate(date)):
        return False  # citeproc-py prints a year before 1000 with an era
    return date


def _title_case(title: str) -> str:
    """citeproc-py's title case: a word all in lower case is capitalized, unless it is a stop
    word that neither starts the title nor follows a colon or a period."""
    words = []
    previous = ":"
    for word in title.split():
        if word.islower() and (word not in STOP_WORDS or previous in (":", ".")):
            word = word[0].upper() + word[1:]
        previous = word[-1]
        words.append(word)
    return " ".join(words)


# Each style's form of a date of one, two or three parts.
_DATE_FORMS = {
    "chicago": ("{year}", "{month} {year}", "{month} {day}, {year}"),
    "apa": ("{year}", "{year}, {month}", "{year}, {month} {day}"),
}


def _date_text(style: str, date: tuple[int, ...]) -> str:
    year, month, day = (*date, 0, 0)[:3]
    return _DATE_FORMS[style][len(date) - 1].format(year=year, month=MONTHS[month], day=day)
