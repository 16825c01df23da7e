"""The check catalogue is well-formed: unique IDs, spec citations, known notes, every method covered."""

import ast
import pathlib
import re

import pytest

from loopconf import runner
from loopconf.checks import SECTIONS
from loopconf.spec_notes import NOTES

SUITES = pathlib.Path(__file__).resolve().parent.parent / "suites"
SPEC = pathlib.Path(__file__).resolve().parent.parent.parent / "shared" / "spec" / "asyncio-eventloop-3.7.txt"


@pytest.fixture(scope="module")
def catalogue():
    return runner.collect(runner.Selection())


def test_ids_are_unique_and_well_formed(catalogue):
    ids = [e["check_id"] for e in catalogue]
    assert len(ids) == len(set(ids))
    for cid in ids:
        assert re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+){2,}(\[.+\])?", cid), cid


def test_metadata_is_complete(catalogue):
    for e in catalogue:
        m = e["meta"]
        assert m["section"] in SECTIONS, m
        assert m["level"] in ("MUST", "SHOULD", "INFO")
        assert len(m["requirement"]) > 20, m["id"]
        assert m["anchor"].startswith("asyncio."), m["id"]


def test_notes_exist(catalogue):
    used = {e["meta"]["note"] for e in catalogue if e["meta"]["note"]}
    assert used <= set(NOTES), f"checks name notes that loopconf.spec_notes lacks: {sorted(used - set(NOTES))}"


def test_every_check_docstring_cites_its_section():
    for path in sorted(SUITES.glob("*.py")):
        if not path.name.startswith(("sec_", "page_", "model_")):
            continue
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                doc = ast.get_docstring(node) or ""
                assert doc, f"{path.name}::{node.name} has no docstring"


def test_every_documented_method_has_checks(catalogue):
    if not SPEC.exists():
        pytest.skip("the spec text is not beside the repository")
    documented = set(re.findall(r"\[#asyncio\.(?:AbstractEventLoop|BaseEventLoop)\.(\w+)\]", SPEC.read_text())) - {"X"}
    assert len(documented) == 46
    checked = {e["meta"]["method"] for e in catalogue}
    assert documented <= checked, f"documented methods without checks: {sorted(documented - checked)}"
