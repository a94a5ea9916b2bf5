"""The committed JSON Schemas: generated from the models, found by editors, true to the records."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import REPO, SMALL

from macros.__main__ import main
from macros.model import COLLECTIONS
from macros.scaffold import KINDS, render_record

SCHEMA = REPO / "schema"
REGENERATE = "python -m macros schema schema/"
SCHEMAS = [*COLLECTIONS, "tags"]


class EditorLoader(yaml.SafeLoader):
    """YAML as an editor's language server reads it: a bare 2018-06-15 is a string, not a date."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=EditorLoader)  # a SafeLoader


def data_files(name: str, folder: Path) -> list[Path]:
    return [folder / "tags.yml"] if name == "tags" else sorted((folder / name).glob("*.yml"))


def validator(name: str) -> jsonschema.Validator:
    schema = json.loads((SCHEMA / f"{name}.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def test_the_committed_schemas_match_the_models(tmp_path, capsys):
    assert main(["schema", str(tmp_path)]) == 0
    fresh = {path.name: path.read_text(encoding="utf-8") for path in tmp_path.iterdir()}
    committed = {path.name: path.read_text(encoding="utf-8") for path in SCHEMA.glob("*.schema.json")}
    assert sorted(fresh) == sorted(committed), f"schema/ has other files than the models give: run `{REGENERATE}`"
    stale = sorted(name for name in fresh if fresh[name] != committed[name])
    assert not stale, f"schema/{', schema/'.join(stale)} differ from the models: run `{REGENERATE}` and commit"


def test_the_editor_settings_map_each_schema_to_its_data_files():
    settings = json.loads((REPO / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    expected = {name: "data/tags.yml" if name == "tags" else f"data/{name}/*.yml" for name in SCHEMAS}
    for name, pattern in expected.items():
        globs = mapping[f"./schema/{name}.schema.json"]
        assert pattern in globs, f"{name}: {pattern} is not mapped"
        assert (REPO / f"schema/{name}.schema.json").is_file()
    assert len(mapping) == len(SCHEMAS)


@pytest.mark.parametrize("name", SCHEMAS)
@pytest.mark.parametrize("folder", [REPO / "data", SMALL], ids=["data", "small"])
def test_every_record_satisfies_its_schema(name, folder):
    files = data_files(name, folder)
    assert files
    check = validator(name)
    for path in files:
        errors = [error.message for error in check.iter_errors(read(path))]
        assert not errors, f"{path.relative_to(REPO)}: {errors}"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_new_unfilled_record_fails_its_schema(kind):
    record = yaml.safe_load(render_record(kind, "some-id"))
    failing = {error.path[0] for error in validator(KINDS[kind]).iter_errors(record) if error.path}
    assert failing == set(record)
