"""`python -m macros new KIND ID`: a new record file with every field laid out and commented.

The required fields are written with empty values ("" or []), which the models refuse: a file
left half-filled fails `check` at each of them, never passes as a record of empty strings.
"""

from __future__ import annotations

import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .load import display_path
from .model import ID_MAX_LENGTH, ID_PATTERN, MODELS

# The word a contributor types, and the collection (folder) it writes into.
KINDS = {"episode": "episodes", "treaty": "treaties", "actor": "actors", "source": "sources"}

_ENVIRONMENT = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "scaffolds"),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    autoescape=False,  # YAML, not HTML; the id is checked against the id rule before it gets here
)


class ScaffoldError(Exception):
    """The record cannot be created; the message says why and what to do."""


def id_problem(record_id: str) -> str | None:
    """Why `record_id` is not a valid id under the data contract, or None."""
    if not re.match(ID_PATTERN, record_id):
        return (
            f"{record_id!r} is not a valid id: lowercase letters, digits and single hyphens "
            "(for example 2018-07-16-helsinki-summit); the id is the file name and the page's address"
        )
    if len(record_id) > ID_MAX_LENGTH:
        return f"{record_id!r} is not a valid id: {len(record_id)} characters, at most {ID_MAX_LENGTH}"
    return None


def render_record(kind: str, record_id: str) -> str:
    """The text of a new record file of this kind."""
    return _ENVIRONMENT.get_template(f"{kind}.yml.j2").render(record_id=record_id)


def required_fields(kind: str) -> list[str]:
    """The fields a record of this kind must have, in the model's order."""
    model = MODELS[KINDS[kind]]
    return [field.alias or name for name, field in model.model_fields.items() if field.is_required()]


def new_record(kind: str, record_id: str, data: Path) -> Path:
    """Write data/<collection>/<id>.yml; refuse an invalid id or an existing file."""
    problem = id_problem(record_id)
    if problem:
        raise ScaffoldError(problem)
    path = data / KINDS[kind] / f"{record_id}.yml"
    if path.exists():
        raise ScaffoldError(f"{display_path(path)} already exists: edit it, or choose another id")
    path.parent.mkdir(parents=True, exist_ok=True)
    # "x": never overwrite, even if the file appeared since the check above.
    with path.open("x", encoding="utf-8") as handle:
        handle.write(render_record(kind, record_id))
    return path
