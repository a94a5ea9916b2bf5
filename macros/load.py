"""Read a folder of YAML records into validated models, or report every fault.

Knows the folder layout of the data contract and nothing of MkDocs. Every
fault of the folder is collected in one pass, each as
`path/to/file.yml:LINE: field: message`.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml
from pydantic import ValidationError

from .model import COLLECTIONS, ID_MAX_LENGTH, ID_PATTERN, MODELS, Actor, Episode, Record, Source, Tag, Treaty

try:  # libyaml is 12x faster than the pure-Python parser on a few thousand files
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML wheels ship libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class SafeLoader(_BaseLoader):
    """Leaves dates as written: YAML's own timestamps would turn 2018-02-30 into a crash
    and 2018-06-15T10:00 into a time of day; the model reads the date strings itself."""

    yaml_implicit_resolvers: ClassVar = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }


ENVIRONMENT_VARIABLE = "CHRONICLE_DATA"
TAGS_FILE = "tags.yml"
_ID = re.compile(ID_PATTERN)

# An alias-heavy file may expand to this many times its own nodes at most
# (plus some slack for honest reuse); beyond it is a "billion laughs".
EXPANSION_FACTOR = 20
EXPANSION_SLACK = 1_000
# The largest real record is under 3 KB; a record with every text field at its
# limit would still fit. Checked before the file is read.
MAX_FILE_BYTES = 256 * 1024
# Lists and mappings inside one another, aliases included. A record nests four
# deep (a treaty, its history, an entry, a field); libyaml's composer recurses
# once a level and crashes the interpreter some ten thousand levels down.
MAX_DEPTH = 20

_KINDS = {
    stat.S_ISFIFO: "a named pipe (FIFO)",
    stat.S_ISCHR: "a character device",
    stat.S_ISBLK: "a block device",
    stat.S_ISSOCK: "a socket",
}


@dataclass(frozen=True, order=True)
class Fault:
    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class DataError(Exception):
    """The folder has faults; nothing may be built from it."""

    def __init__(self, faults: list[Fault]):
        self.faults = sorted(faults)
        super().__init__(self.report())

    def report(self) -> str:
        count = len(self.faults)
        lines = [f"{count} fault{'s' if count != 1 else ''} in the data folder:"]
        lines += [f"  {fault}" for fault in self.faults]
        return "\n".join(lines)


@dataclass
class Dataset:
    """Every record of a folder, validated and cross-referenced."""

    root: Path
    episodes: dict[str, Episode] = field(default_factory=dict)
    treaties: dict[str, Treaty] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    tags: dict[str, Tag] = field(default_factory=dict)
    files: dict[tuple[str, str], Path] = field(default_factory=dict)
    # Each record file's size and times when read, and the ids known then: what `load` needs to
    # take a record over unread from the last load of the folder (see `reuse`).
    stamps: dict[Path, tuple[int, int, int]] = field(default_factory=dict, repr=False)
    ids: dict[str, set[str]] = field(default_factory=dict, repr=False)
    loaded_ns: int = field(default=0, repr=False)  # when the load began (the file system's clock)

    def collection(self, name: str) -> dict[str, Record]:
        return getattr(self, name)


def data_dir(default: str | os.PathLike[str] = "data") -> Path:
    """The folder to read: CHRONICLE_DATA when set, else the default."""
    return Path(os.environ.get(ENVIRONMENT_VARIABLE) or default)


def display_path(path: Path) -> str:
    """The path as listed, relative to the working folder when inside it (a symlink is not followed)."""
    path = Path(path)
    return str(_shown_folder(os.path.abspath(path.parent), os.getcwd()) / path.name)


@functools.lru_cache(maxsize=64)
def _shown_folder(folder: str, cwd: str) -> Path:
    for absolute, base in ((Path(folder), Path(cwd)), (Path(folder).resolve(), Path(cwd).resolve())):
        try:
            return absolute.relative_to(base)
        except ValueError:
            continue
    return Path(folder)


def _file_problem(path: Path, root: Path) -> str | None:
    """Why `path` may not be read as a record file, or None. Looks with stat only: never opens it.

    `root` is the data folder, resolved: a symbolic link must lead to a file inside it.
    """
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):  # RuntimeError: a loop of links (Python < 3.13)
                return "a symbolic link that leads to no file: refused"
            if not target.is_relative_to(root):
                return "a symbolic link to a file outside the data folder: refused (copy the record in instead)"
            info = os.stat(target)
    except OSError as error:
        return f"cannot be read: {error.strerror}"
    if stat.S_ISDIR(info.st_mode):
        return "a folder inside a collection is not read: move its records up"
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS.items() if test(info.st_mode)), "not a regular file")
        return f"{kind}, not a regular file: refused"
    if info.st_size > MAX_FILE_BYTES:
        return f"{info.st_size:,} bytes: a record file is at most {MAX_FILE_BYTES:,} bytes (256 KiB)"
    return None


def _read_bytes(path: Path) -> bytes | str:
    """The file's bytes, or why they cannot be read. Non-blocking: a file swapped for a pipe cannot hang."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        return f"cannot be read: {error.strerror}"
    try:
        with os.fdopen(handle, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                return "not a regular file: refused"
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        return f"cannot be read: {error.strerror}"
    if len(raw) > MAX_FILE_BYTES:
        return f"a record file is at most {MAX_FILE_BYTES:,} bytes (256 KiB)"
    return raw


class _Document:
    """One parsed YAML file: its value and the node tree that knows the lines."""

    def __init__(self, value: Any, node: yaml.Node | None):
        self.value = value
        self.node = node

    def line_of(self, location: tuple[Any, ...]) -> int:
        """Line of the deepest node a pydantic error location reaches."""
        node = self.node
        if node is None:
            return 1
        line = node.start_mark.line + 1
        for part in location:
            child = None
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if getattr(key, "value", None) == str(part):
                        line = key.start_mark.line + 1
                        child = value
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                child = node.value[part]
                line = child.start_mark.line + 1
            if child is None:
                break
            node = child
        return line


def _read_document(path: Path, shown: str, faults: list[Fault]) -> _Document | None:
    raw = _read_bytes(path)
    if isinstance(raw, str):
        faults.append(Fault(shown, 0, "", raw))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        byte = raw[error.start]
        faults.append(Fault(shown, line, "", f"not valid UTF-8 (byte 0x{byte:02x}); save the file as UTF-8"))
        return None
    problem, aliased = _nesting_problem(text)
    if problem:
        faults.append(Fault(shown, problem[0], "", problem[1]))
        return None
    loader = SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            faults.append(Fault(shown, 1, "", "the file is empty"))
            return None
        problem = _structure_problem(node, aliased)
        if problem:
            faults.append(Fault(shown, problem[0], "", problem[1]))
            return None
        value = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        faults.append(Fault(shown, line, "", f"not valid YAML: {error.problem or error.context}"))
        return None
    except (yaml.YAMLError, ValueError, TypeError) as error:
        faults.append(Fault(shown, 1, "", f"not valid YAML: {error}"))
        return None
    finally:
        loader.dispose()
    if not isinstance(value, dict):
        kind = type(value).__name__
        faults.append(Fault(shown, node.start_mark.line + 1, "", f"a record is a mapping of fields, not a {kind}"))
        return None
    return _Document(value, node)


def _nesting_problem(text: str) -> tuple[tuple[int, str] | None, bool]:
    """Refuse deep nesting and recursive aliases from libyaml's events, before any node is built;
    and say whether the file has aliases at all.

    The event parser keeps its state on the heap, and the scan stops at the first level too deep:
    a file of a hundred thousand "[" costs twenty events here, not a crash in the composer.
    """
    parser = _BaseLoader(text)
    open_anchors: list[str | None] = []
    aliased = False
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                open_anchors.append(event.anchor)
                if len(open_anchors) > MAX_DEPTH:
                    line = event.start_mark.line + 1
                    return (
                        line,
                        f"lists and mappings nested more than {MAX_DEPTH} deep: a record needs four at most",
                    ), aliased
            elif isinstance(event, yaml.CollectionEndEvent):
                open_anchors.pop()
            elif isinstance(event, yaml.AliasEvent):
                aliased = True
                if event.anchor in open_anchors:
                    line = event.start_mark.line + 1
                    return (
                        line,
                        f"the alias *{event.anchor} is inside the value it names (a recursive alias): refused",
                    ), aliased
    except yaml.YAMLError:
        return None, aliased  # reading the document again reports the syntax error with its line
    finally:
        parser.dispose()
    return None, aliased


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _expansion(root: yaml.Node) -> tuple[int, int, int]:
    """(values once aliases are expanded, distinct values, depth with aliases expanded); no recursion."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in size:
            continue
        children = _children(node)
        if children_done:
            size[id(node)] = 1 + sum(size[id(child)] for child in children)
            depth[id(node)] = 1 + max((depth[id(child)] for child in children), default=0) if children else 0
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in size)
    return size[id(root)], len(size), depth[id(root)]


def _structure_problem(root: yaml.Node, aliased: bool) -> tuple[int, str] | None:
    """Refuse alias bombs before they are expanded, nesting deepened by aliases, and repeated keys."""
    # Without aliases the nodes form a tree, already no deeper than the events were.
    total, distinct, deepest = _expansion(root) if aliased else (0, 0, 0)
    if deepest > MAX_DEPTH:
        return (
            root.start_mark.line + 1,
            f"with its aliases expanded, lists and mappings nest {deepest} deep (at most {MAX_DEPTH}): refused",
        )
    if total > EXPANSION_FACTOR * distinct + EXPANSION_SLACK:
        return (
            root.start_mark.line + 1,
            f"YAML aliases would expand this file to {total:,} values from {distinct:,}: refused",
        )
    for node in _mappings(root):
        seen: dict[str, int] = {}
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                line = key.start_mark.line + 1
                if key.value in seen:
                    return line, f"{key.value}: the field appears twice (first on line {seen[key.value]})"
                seen[key.value] = line
    return None


def _mappings(root: yaml.Node):
    stack, visited = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            yield node
            stack.extend(value for pair in node.value for value in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _field_name(location: tuple[Any, ...]) -> str:
    name = ""
    for part in location:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            # A field name is written by the record's author too: shown escaped, it cannot reorder the report.
            text = str(part) if str(part).isprintable() else repr(str(part))[1:-1]
            name += f".{text}" if name else text
    return name


def _message(error: dict[str, Any]) -> str:
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        return "unknown field (see the data contract for the fields this record may have)"
    if error["type"] == "missing":
        return "required field is missing"
    return message.removeprefix("Value error, ")


def _validate(
    model: type[Record],
    record_id: str,
    document: _Document,
    shown: str,
    context: dict,
    faults: list[Fault],
    within: tuple[str, ...] = (),
):
    """Validate the document's value, or the part of it at `within` (a tag inside tags.yml)."""
    value = document.value
    for key in within:
        value = value[key]
    try:
        record = model.model_validate(value, context={**context, "record_id": record_id})
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            # A rule over a list may name the item at fault ("at"), below the field it checked.
            location = within + tuple(detail["loc"]) + tuple(detail.get("ctx", {}).get("at", ()))
            faults.append(Fault(shown, document.line_of(location), _field_name(location), _message(detail)))
        return None
    return record.with_id(record_id)


def _collection_files(folder: Path, root: Path, faults: list[Fault]) -> dict[str, Path]:
    """Record files by id; README.md and dotfiles are ignored, anything else is a fault."""
    records: dict[str, Path] = {}
    if folder.is_symlink():
        try:
            inside = folder.resolve(strict=True).is_relative_to(root)
        except (OSError, RuntimeError):  # a dangling link, or a loop of links
            inside = False
        if not inside:
            message = "a symbolic link to a folder outside the data folder, or to nothing: refused"
            faults.append(Fault(display_path(folder), 0, "", message))
            return records
    if not folder.is_dir():
        return records
    try:
        entries = sorted(folder.iterdir())
    except OSError as error:
        faults.append(Fault(display_path(folder), 0, "", f"cannot be read: {error.strerror}"))
        return records
    for entry in entries:
        shown = display_path(entry)
        if entry.name.startswith(".") or entry.name == "README.md":
            continue
        problem = _file_problem(entry, root)
        if problem:
            faults.append(Fault(shown, 0, "", problem))
        elif entry.suffix != ".yml":
            faults.append(Fault(shown, 0, "", "only .yml files belong in a collection folder"))
        elif not _ID.match(entry.stem) or len(entry.stem) > ID_MAX_LENGTH:
            faults.append(
                Fault(
                    shown,
                    0,
                    "",
                    f"{entry.stem!r} is not a valid id: lowercase letters, digits and single hyphens, "
                    f"at most {ID_MAX_LENGTH} characters (the file name is the record's id)",
                )
            )
        else:
            records[entry.stem] = entry
    return records


def _load_tags(root: Path, context: dict, faults: list[Fault]) -> tuple[dict[str, Tag], set[str]]:
    """The valid tags, and every tag id as written (a faulty tag is still a known name)."""
    path = root / TAGS_FILE
    if not os.path.lexists(path):
        return {}, set()
    shown = display_path(path)
    problem = _file_problem(path, root.resolve())
    if problem:
        faults.append(Fault(shown, 0, "", problem))
        return {}, set()
    document = _read_document(path, shown, faults)
    if document is None:
        return {}, set()
    tags: dict[str, Tag] = {}
    for key, value in document.value.items():
        tag_id = str(key)
        if not _ID.match(tag_id) or len(tag_id) > ID_MAX_LENGTH:
            faults.append(Fault(shown, document.line_of((tag_id,)), _field_name((tag_id,)), "not a valid tag id"))
            continue
        if not isinstance(value, dict):
            faults.append(
                Fault(shown, document.line_of((tag_id,)), _field_name((tag_id,)), "a tag is {label, description}")
            )
            continue
        tag = _validate(Tag, tag_id, document, shown, context, faults, within=(key,))
        if tag is not None:
            tags[tag_id] = tag
    return tags, {str(key) for key in document.value}


RACY_NS = 2_000_000_000  # how long before a load a file must have last changed to be taken over unread


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def load(root: str | os.PathLike[str], reuse: Dataset | None = None) -> Dataset:
    """Load and validate the folder; raise DataError listing every fault.

    With `reuse`, the last load of the same folder, a record whose file has the same size and
    times is taken over unread, as long as the set of ids it was checked against is the same.
    A file changed shortly before that load is read again: file times are coarse (a few
    milliseconds), so a second save in the same tick, of the same size, would look unchanged.
    """
    root = Path(root)
    faults: list[Fault] = []
    if not root.is_dir():
        raise DataError([Fault(display_path(root), 0, "", "the data folder does not exist")])

    resolved = root.resolve()
    files = {name: _collection_files(root / name, resolved, faults) for name in COLLECTIONS}
    context: dict[str, Any] = {"ids": {name: set(found) for name, found in files.items()}}
    dataset = Dataset(root=root)
    dataset.tags, context["ids"]["tags"] = _load_tags(root, context, faults)
    dataset.ids = context["ids"]
    dataset.loaded_ns = time.time_ns()
    if reuse is not None and (reuse.root.resolve() != resolved or reuse.ids != dataset.ids):
        reuse = None
    reuse_before = reuse.loaded_ns - RACY_NS if reuse is not None else 0

    for name, found in files.items():
        records = dataset.collection(name)
        for record_id, path in found.items():
            stamp = dataset.stamps[path] = _stamp(path)
            settled = stamp is not None and stamp[1] < reuse_before
            if reuse is not None and settled and reuse.stamps.get(path) == stamp:
                record = reuse.collection(name).get(record_id)
                if record is not None and reuse.files.get((name, record_id)) == path:
                    records[record_id] = record
                    dataset.files[(name, record_id)] = path
                    continue
            shown = display_path(path)
            document = _read_document(path, shown, faults)
            if document is None:
                continue
            record = _validate(MODELS[name], record_id, document, shown, context, faults)
            if record is not None:
                records[record_id] = record
                dataset.files[(name, record_id)] = path
    faults += _reply_cycles(dataset)
    if faults:
        raise DataError(faults)
    return dataset


CIRCLE_SHOWN = 6


def _reply_cycles(dataset: Dataset) -> list[Fault]:
    """responds_to must lead back to a first episode, never round in a circle.

    Each episode is walked once (linear in the number of episodes, however long the chains);
    every episode of a circle gets its own fault, naming the circle from itself.
    """
    faults = []
    walked: dict[str, bool] = {}  # False while on the walk under way, True once done
    for start in dataset.episodes:
        walk: list[str] = []
        current: str | None = start
        while current in dataset.episodes and current not in walked:
            walked[current] = False
            walk.append(current)
            current = dataset.episodes[current].responds_to
        if current is not None and walked.get(current) is False:
            circle = walk[walk.index(current) :]
            for n, member in enumerate(circle):
                path = dataset.files[("episodes", member)]
                message = f"replies go round in a circle: {_circle(circle, n)}"
                faults.append(Fault(display_path(path), 0, "responds_to", message))
        walked.update(dict.fromkeys(walk, True))
    return faults


def _circle(circle: list[str], start: int) -> str:
    """The circle read from its member `start`, shortened when long."""
    count = len(circle)
    if count <= CIRCLE_SHOWN:
        names = [circle[(start + n) % count] for n in range(count)]
    else:
        names = [circle[(start + n) % count] for n in range(CIRCLE_SHOWN - 1)]
        names += [f"… ({count:,} episodes in all)", circle[(start - 1) % count]]
    return " -> ".join([*names, circle[start]])
