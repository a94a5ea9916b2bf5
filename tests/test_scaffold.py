"""`python -m macros new`: a record file to fill in, which `check` refuses until it is filled."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from macros.__main__ import main
from macros.load import DataError, load
from macros.model import MODELS
from macros.scaffold import KINDS, render_record, required_fields

# What a contributor writes into each required field of the small fixture folder's world.
FILLED = {
    "episode": {
        'title: ""': 'title: "Test envoys meet"',
        'date: ""': 'date: "2019-10"',
        'kind: ""': "kind: meeting",
        'summary: ""': 'summary: "Test envoys met."',
        "sources: []": "sources: [test-wire-2019]",
    },
    "treaty": {
        'name: ""': 'name: "Test accord"',
        'kind: ""': "kind: agreement",
        "parties: []": "parties: [russia, united-states]",
        'status: ""': "status: proposed",
        'summary: ""': 'summary: "A test accord."',
        "sources: []": "sources: [test-paper-2018]",
    },
    "actor": {'name: ""': 'name: "Test Envoy"', 'type: ""': "type: person"},
    "source": {
        'title: ""': 'title: "Test report"',
        'outlet: ""': 'outlet: "Test Wire"',
        'type: ""': "type: news",
        'affiliation: ""': "affiliation: unknown",
        'published: ""': 'published: "2019-10-02"',
    },
}


def faults_of(folder: Path, path: Path) -> set[str]:
    with pytest.raises(DataError) as raised:
        load(folder)
    return {fault.field for fault in raised.value.faults if fault.path.endswith(path.name)}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_new_record_fails_check_at_each_required_field(kind, data_copy, capsys):
    assert main(["new", kind, "test-new-record", "--data", str(data_copy)]) == 0
    path = data_copy / KINDS[kind] / "test-new-record.yml"
    said = capsys.readouterr().out
    assert all(name in said for name in required_fields(kind))

    assert faults_of(data_copy, path) == set(required_fields(kind))
    assert main(["check", str(data_copy)]) == 1
    report = capsys.readouterr().err
    for name in required_fields(kind):
        assert re.search(rf"test-new-record\.yml:\d+: {name}: ", report), name


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_filled_record_passes_check(kind, data_copy, capsys):
    assert main(["new", kind, "test-new-record", "--data", str(data_copy)]) == 0
    path = data_copy / KINDS[kind] / "test-new-record.yml"
    text = path.read_text(encoding="utf-8")
    for placeholder, value in FILLED[kind].items():
        assert placeholder in text
        text = text.replace(placeholder, value)
    path.write_text(text, encoding="utf-8")

    assert main(["check", str(data_copy)]) == 0, capsys.readouterr().err
    assert "test-new-record" in load(data_copy).collection(KINDS[kind])


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_template_lays_out_required_fields_and_comments_out_optional_ones(kind):
    text = render_record(kind, "some-id")
    assert set(yaml.safe_load(text)) == set(required_fields(kind))
    model = MODELS[KINDS[kind]]
    optional = {field.alias or name for name, field in model.model_fields.items() if not field.is_required()}
    for name in optional:
        assert re.search(rf"^# {name}:", text, re.MULTILINE), f"{kind}: optional field {name} is not shown"


def test_an_existing_record_is_refused_and_left_as_it_was(data_copy, capsys):
    path = data_copy / "episodes" / "2018-06-test-proposal.yml"
    before = path.read_bytes()
    assert main(["new", "episode", "2018-06-test-proposal", "--data", str(data_copy)]) == 1
    assert "2018-06-test-proposal.yml already exists" in capsys.readouterr().err
    assert path.read_bytes() == before


@pytest.mark.parametrize("bad_id", ["Helsinki-Summit", "a--b", "-a", "a-", "a_b", "../escape", "a.yml", "x" * 81])
def test_an_invalid_id_is_refused(bad_id, tmp_path, capsys):
    assert main(["new", "actor", "--data", str(tmp_path), "--", bad_id]) == 1
    assert "is not a valid id" in capsys.readouterr().err
    assert not any(tmp_path.rglob("*.yml"))


def test_new_writes_into_chronicle_data(data_copy, monkeypatch, capsys):
    monkeypatch.setenv("CHRONICLE_DATA", str(data_copy))
    assert main(["new", "source", "test-new-source"]) == 0
    assert (data_copy / "sources" / "test-new-source.yml").is_file()


def test_the_command_line_exits_non_zero_with_a_message(data_copy):
    command = [sys.executable, "-m", "macros", "new", "actor", "russia", "--data", str(data_copy)]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env={**os.environ}, timeout=60)
    assert result.returncode == 1
    assert "already exists" in result.stderr
    assert "Traceback" not in result.stderr
