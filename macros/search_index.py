"""The search index, made once by the build rather than in every reader's browser.

Material's search worker indexes every entry of `search_index.json` with Lunr
each time a page loads, before the first result can show: at 5,000 episodes
that is most of the reader's wait. This module does the part of that work that
needs every entry: it finds each entry's terms as the worker would, and lists
every term, numbered as Lunr numbers it, with the entries that hold it and how
often, field by field, and the length of every entry's fields. The site's worker
(`overrides/assets/javascripts/workers/chronicle-search.js`) hands that to
Material's search in place of indexing: a search scores what it finds from these
numbers, and reads an entry's own text only for the positions Material
highlights.

"As the worker would" means Material's tokenizer (`internal/tokenize`,
`internal/extract`, `internal/_`: text between HTML tags, split on the
configured separator, lower-cased) and the pipeline it keeps for English and
Russian with `pipeline: [stopWordFilter]`: the multi-language trimmer and both
stop-word lists. JavaScript semantics are kept where Python's differ: `\\s`,
`\\w`, and string order by UTF-16 code units. A configuration this
module does not know gives no index, and the browser indexes as before.
"""

from __future__ import annotations

import json
import re
from array import array
from collections import Counter
from collections.abc import Iterator
from typing import Any

LUNR_VERSION = "2.3.9"  # the Lunr that Material's worker bundles
FORMAT = 2  # of the index below: the worker uses only a format it knows

# Only what this module reproduces: other languages bring stemmers and other trimmers.
SUPPORTED = {"lang": ["en", "ru"], "separator": r"[\s\-]+", "pipeline": ["stopWordFilter"]}

# JavaScript's `\s` (Python's also takes \x1c-\x1f and \x85, and leaves out \ufeff).
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_SEPARATOR = re.compile(f"[{_JS_SPACE}\\-]+")
# lunr.multiLanguage("en", "ru"): JavaScript's ASCII `\w`, then lunr.ru.wordCharacters.
_WORD = "A-Za-z0-9_\u0400-\u0484\u0487-\u052f\u1d2b\u1d78\u2de0-\u2dff\ua640-\ua69f\ufe2e\ufe2f"
_TRIMMED = re.compile(f"[{_WORD}](?:.*[{_WORD}])?", re.DOTALL)  # first word character to last
_TAG_MARK = re.compile(r"[<>]")

# lunr.stopWordFilter (lunr 2.3.9) and lunr.ru.stopWordFilter (lunr-languages), as Material ships them;
# the Russian list ends with "а" behind a byte-order mark, which no token can match but is kept as shipped.
_STOP_WORDS = """
    a able about across after all almost also am among an and any are as at be because been but by can
    cannot could dear did do does either else ever every for from get got had has have he her hers him his
    how however i if in into is it its just least let like likely may me might most must my neither no nor
    not of off often on only or other our own rather said say says she should since so some than that the
    their them then there these they this tis to too twas us wants was we were what when where which while
    who whom why will with would yet you your
    алло без близко более больше будем будет будете будешь будто буду будут будь бы бывает бывь был была
    были было быть в важная важное важные важный вам вами вас ваш ваша ваше ваши вверх вдали вдруг ведь
    везде весь вниз внизу во вокруг вон восемнадцатый восемнадцать восемь восьмой вот впрочем времени время
    все всегда всего всем всеми всему всех всею всю всюду вся всё второй вы г где говорил говорит год года
    году да давно даже далеко дальше даром два двадцатый двадцать две двенадцатый двенадцать двух
    девятнадцатый девятнадцать девятый девять действительно дел день десятый десять для до довольно долго
    должно другая другие других друго другое другой е его ее ей ему если есть еще ещё ею её ж же жизнь за
    занят занята занято заняты затем зато зачем здесь значит и из или им именно иметь ими имя иногда их к
    каждая каждое каждые каждый кажется как какая какой кем когда кого ком кому конечно которая которого
    которой которые который которых кроме кругом кто куда лет ли лишь лучше люди м мало между меля менее
    меньше меня миллионов мимо мира мне много многочисленная многочисленное многочисленные многочисленный
    мной мною мог могут мож может можно можхо мои мой мор мочь моя моё мы на наверху над надо назад наиболее
    наконец нам нами нас начала наш наша наше наши не него недавно недалеко нее ней нельзя нем немного нему
    непрерывно нередко несколько нет нею неё ни нибудь ниже низко никогда никуда ними них ничего но ну нужно
    нх о об оба обычно один одиннадцатый одиннадцать однажды однако одного одной около он она они оно опять
    особенно от отовсюду отсюда очень первый перед по под пожалуйста позже пока пор пора после посреди потом
    потому почему почти прекрасно при про просто против процентов пятнадцатый пятнадцать пятый пять раз
    разве рано раньше рядом с сам сама сами самим самими самих само самого самой самом самому саму свое
    своего своей свои своих свою сеаой себе себя сегодня седьмой сейчас семнадцатый семнадцать семь сих
    сказал сказала сказать сколько слишком сначала снова со собой собою совсем спасибо стал суть т та так
    такая также такие такое такой там твой твоя твоё те тебе тебя тем теми теперь тех то тобой тобою тогда
    того тоже только том тому тот тою третий три тринадцатый тринадцать ту туда тут ты тысяч у уж уже уметь
    хорошо хотеть хоть хотя хочешь часто чаще чего человек чем чему через четвертый четыре четырнадцатый
    четырнадцать что чтоб чтобы чуть шестнадцатый шестнадцать шестой шесть эта эти этим этими этих это этого
    этой этом этому этот эту я
"""
STOP_WORDS = frozenset(_STOP_WORDS.split()) | {"\ufeffа"}


def supports(config: dict[str, Any]) -> bool:
    """Whether this module builds what Material's worker would for this search configuration."""
    return all(config.get(key) == value for key, value in SUPPORTED.items())


def _text_sections(text: str) -> Iterator[tuple[int, int]]:
    """Material's `extract`, keeping what it tokenizes: the (start, end) of each run of text
    between a `>` (or the start) and the next `<`. Only `<` and `>` move it, and they count
    the same in UTF-16 code units as in characters."""
    start = 0
    for mark in _TAG_MARK.finditer(text):
        end = mark.start()
        if mark.group() == ">":
            start = end + 1
        elif end > start:
            yield start, end
            start = end
    if len(text) > start:
        yield start, len(text)


class _Analyser:
    """Material's tokenizer, then the pipeline its worker keeps: the terms Lunr would index.
    Tokens repeat, so each distinct one is trimmed and filtered once."""

    def __init__(self) -> None:
        self._terms: dict[str, str | None] = {}

    def terms(self, value: Any) -> list[str]:
        found: list[str] = []
        for text in value if isinstance(value, list) else [value]:
            if not isinstance(text, str):
                continue  # None, a number: Material's tokenizer finds nothing in it
            if "<" not in text and ">" not in text:
                self._add(found, text)
            else:
                for start, end in _text_sections(text):
                    self._add(found, text[start:end])
        return found

    def _add(self, found: list[str], section: str) -> None:
        known = self._terms
        for token in _SEPARATOR.split(section):
            if not token:
                continue
            term = known.get(token, token)
            if term is token:
                trimmed = _TRIMMED.search(token.lower())
                term = trimmed.group() if trimmed else ""  # Lunr indexes a token trimmed to nothing as ""
                known[token] = term = None if term in STOP_WORDS else term
            if term is not None:
                found.append(term)


def _utf16_order(term: str) -> bytes:
    return term.encode("utf-16-be", "surrogatepass")


def build(index: dict[str, Any], remembered: dict[str, list[str]] | None = None) -> dict[str, Any] | None:
    """What Material's worker needs to search `search_index.json`'s `docs` without indexing them:
    every term, in the order Lunr numbers them, and the documents that hold it and how often,
    field by field; and each document's number of terms in each field. The worker scores with
    these as Lunr would; only highlight positions it takes from a document's own text. None for
    a configuration this module does not reproduce.

    `remembered`, while serving: the terms of each text of the last build's entries, taken from
    it rather than found again (a save changes a few entries of thousands), and left holding
    this build's. The build writes it with `built_json`; this is the index as read back from that."""
    built = _build(index["config"], index["docs"], remembered)
    return json.loads(_json(built)) if built is not None else None


Built = tuple[dict[str, Any], str]  # (the configuration an index was built for, the index as JSON)


def built_json(
    config: dict[str, Any] | None, docs: list[dict[str, Any]], remembered: dict[str, list[str]] | None = None
) -> Built | None:
    """`build`'s index as the JSON text `with_index` puts in, with the configuration it was built
    for; None where `build` gives none. The build makes it before Material writes the entries,
    so as not to hold the index and Material's JSON at once (megabytes at scale)."""
    built = _build(config, docs, remembered) if config is not None else None
    return (config, _json(built)) if built is not None else None


def _json(built: dict[str, Any]) -> str:
    """The built index as JSON. The numbers of each array are written as one piece: the json
    module would make a list of Python ints of every array and a string of every number, a few
    hundred thousand of them held at once at 1,000 episodes (5 MB for a text of 0.2 MB)."""
    numbers = ("lengths", "postings")
    head = json.dumps({key: value for key, value in built.items() if key not in numbers}, separators=(",", ":"))
    lengths = ",".join(map(_numbers_json, built["lengths"]))
    postings = ",".join(f"[{','.join(map(_numbers_json, holders))}]" for holders in built["postings"])
    return f'{head[:-1]},"lengths":[{lengths}],"postings":[{postings}]}}'


def _numbers_json(numbers: array[int]) -> str:
    return f"[{','.join(map(str, numbers))}]"


def _build(
    config: dict[str, Any], docs: list[dict[str, Any]], remembered: dict[str, list[str]] | None
) -> dict[str, Any] | None:
    refs = [str(doc.get("location")) for doc in docs]
    if not supports(config) or not docs or len(set(refs)) != len(refs):
        return None
    fields = list(config["fields"])
    analyser = _Analyser()
    # For each term, in the order Lunr meets them (its term index), the entries holding it in
    # each field: the first entry's number, then the gaps between them (smaller to ship), each
    # followed by minus the count where the entry holds the term more than once (most hold it
    # once); and the last number seen. Arrays, not lists: a number as a Python int costs ten
    # times the four bytes here (megabytes at thousands of episodes).
    postings: dict[str, list[array[int]]] = {}
    last_seen: dict[str, array[int]] = {}
    zeros = bytes(4 * len(fields))
    lengths = [array("I") for _ in fields]
    found_now: dict[str, list[str]] = {}
    for number, doc in enumerate(docs):
        for place, name in enumerate(fields):
            value = doc.get(name)
            if remembered is None or not isinstance(value, str):
                found = analyser.terms(value)
            else:
                found = found_now.get(value) or remembered.get(value)
                if found is None:
                    found = analyser.terms(value)
                found_now[value] = found
            lengths[place].append(len(found))
            for term, count in Counter(found).items():  # in the order first met
                holders = postings.get(term)
                if holders is None:
                    holders = postings[term] = [array("i") for _ in fields]
                    last = last_seen[term] = array("I", zeros)
                else:
                    last = last_seen[term]
                holders[place].append(number - last[place])
                if count > 1:
                    holders[place].append(-count)
                last[place] = number
    if remembered is not None:
        remembered.clear()
        remembered.update(found_now)
    # The table of every token seen, the last numbers, this build's texts: gone before the index is laid out.
    del analyser, last_seen, found_now
    numbered = {term: number for number, term in enumerate(postings)}
    ordered = sorted(postings, key=_utf16_order)  # JavaScript sorts by UTF-16 code units
    return {
        "format": FORMAT,
        "lunr": LUNR_VERSION,
        "fields": fields,
        "averageFieldLength": [sum(counted) / len(docs) for counted in lengths],
        "lengths": lengths,
        "terms": ordered,
        "order": [numbered[term] for term in ordered],
        "postings": [postings[term] for term in ordered],
    }


_HEAD = '{"config":'


def written_config(search_index_json: str) -> dict[str, Any] | None:
    """The configuration at the head of Material's `search_index.json`; None for JSON of another shape."""
    if not search_index_json.startswith(_HEAD):
        return None
    return json.JSONDecoder().raw_decode(search_index_json, len(_HEAD))[0]


def with_index(search_index_json: str, built: Built | None) -> str:
    """Material's `search_index.json` with the built index (`built_json`) in its `config` under
    `chronicle_index`: the theme hands the worker only `config` and `docs`. Only an index built
    for the configuration Material wrote goes in; the docs are kept as Material wrote them."""
    if built is None or not search_index_json.startswith(_HEAD):
        return search_index_json  # not the JSON this module knows how to extend
    config, end = json.JSONDecoder().raw_decode(search_index_json, len(_HEAD))
    if config != built[0]:
        return search_index_json
    # The configuration as Material wrote it, without its closing brace, then the index.
    return f'{_HEAD}{search_index_json[len(_HEAD) : end - 1]},"chronicle_index":{built[1]}}}{search_index_json[end:]}'
