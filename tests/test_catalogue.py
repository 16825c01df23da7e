"""The check catalogue is well-formed: unique IDs, spec citations, known notes, every method covered."""

import re

import pytest

from loopconf import runner
from loopconf.checks import SECTIONS, check
from loopconf.spec_methods import METHODS, METHODS_BY_SECTION
from loopconf.spec_notes import NOTES


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


def test_every_check_cites_its_clause(catalogue):
    """The clause citation comes from the metadata, not a docstring: section (with its title), the
    method (a documented one for a 3.7-docs loop-method check), and a docs URL with an anchor."""
    for e in catalogue:
        m = e["meta"]
        assert m["section_title"], m["id"]
        assert m["method"] and m["anchor"] and m["docs_url"].endswith("#" + m["anchor"]), m["id"]
        assert re.fullmatch(r"\d\.\d+", m["docs"]), m["id"]
        loop_method = m["anchor"].startswith("asyncio.AbstractEventLoop.")
        if m["section"] in METHODS_BY_SECTION and m["docs"] == "3.7" and loop_method:
            assert m["method"] in METHODS, f"{m['id']}: {m['method']} is not a documented loop method"
        assert isinstance(m["covers"], list) and all(isinstance(c, str) for c in m["covers"]), m["id"]


def test_every_documented_method_has_checks(catalogue):
    assert len(METHODS) == len(set(METHODS)) == 46
    assert set(METHODS_BY_SECTION) == {f"19.5.1.{n}" for n in range(1, 17)}
    checked = {e["meta"]["method"] for e in catalogue}
    assert set(METHODS) <= checked, f"documented methods without checks: {sorted(set(METHODS) - checked)}"


def test_since_sets_versions_and_docs():
    def body():
        pass

    meta = check(
        "selftest.since.sets_both",
        section="19.5.1.2",
        method="call_soon",
        since="3.12.1",
        requirement="A requirement long enough for the catalogue.",
    )(body).loopconf_check
    assert (meta.versions, meta.docs) == (">=3.12.1", "3.12")
    with pytest.raises(ValueError):
        check(
            "selftest.since.both",
            section="19.5.1.2",
            method="call_soon",
            since="3.12",
            versions=">=3.12",
            requirement="x",
        )
    with pytest.raises(ValueError):
        check("selftest.covers.strings", section="19.5.1.2", method="call_soon", covers="a.b", requirement="x")
