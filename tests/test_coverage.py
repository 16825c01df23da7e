"""The statement catalogue is well-formed, every check's covers exist, and coverage can only grow."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from loopconf import coverage
from loopconf import statements as st
from loopconf.checks import SECTIONS

SPEC = os.environ.get("LOOPCONF_SPEC_TEXT", "/work/shared/spec/asyncio-eventloop-3.7.txt")


@pytest.fixture(scope="module")
def catalogue():
    return st.load()


@pytest.fixture(scope="module")
def checks():
    return coverage.collect_checks()


@pytest.fixture(scope="module")
def covers(checks):
    return coverage.check_covers(checks)


def test_catalogue_loads_with_unique_ids_and_known_kinds(catalogue):
    assert len(catalogue) > 300
    for s in catalogue.values():
        assert s.kind in st.KINDS
        assert s.text.strip() and s.docs and s.section in SECTIONS
        assert s.is_promise or s.reason, s.id


def test_every_section_and_every_37_method_has_statements(catalogue):
    assert {s.section for s in catalogue.values()} == set(SECTIONS)
    methods = {s.method for s in catalogue.values() if s.section in st.PAGE_SECTIONS}
    assert len(st.METHODS_37) == 46
    assert set(st.METHODS_37) <= methods
    for method in st.METHODS_37:
        assert any(s.method == method and s.docs == "3.7" for s in catalogue.values()), method


_ONE = 'section = "19.5.1.2"\n[[statement]]\nid = "a.1"\nmethod = "a"\n'


@pytest.mark.parametrize(
    "text, error",
    [
        (_ONE + 'kind = "caller-obligation"\ndocs = "3.7"\ntext = "t"\n', "needs a reason"),
        (
            _ONE + 'kind = "promise"\ndocs = "3.7"\ntext = "t"\n[[statement]]\nid = "a.1"\n'
            'method = "a"\nkind = "promise"\ndocs = "3.7"\ntext = "u"\n',
            "duplicate",
        ),
        (_ONE + 'kind = "promised"\ndocs = "3.7"\ntext = "t"\n', "kind"),
    ],
    ids=["obligation-without-reason", "duplicate-id", "unknown-kind"],
)
def test_malformed_catalogue_is_refused(tmp_path, text, error):
    (tmp_path / "x.toml").write_text(text)
    with pytest.raises(st.CatalogueError, match=error):
        st.load(str(tmp_path))


def test_statements_are_not_quoted_from_the_docs(catalogue):
    if not os.path.exists(SPEC):
        pytest.skip(f"spec text not available at {SPEC} (set LOOPCONF_SPEC_TEXT)")
    with open(SPEC) as f:
        assert st.verbatim_runs(catalogue, f.read()) == []


def test_verbatim_detector_flags_a_copied_sentence():
    fake = {
        "x.1": st.Statement(
            "x.1",
            "19.5.1.2",
            "x",
            "promise",
            "3.7",
            "Each callback will be called exactly once, in the order in which they are registered.",
        )
    }
    assert st.verbatim_runs(fake, "callbacks are called in the order in which they are registered") != []


def test_every_check_declares_covers_that_exist(catalogue, checks, covers):
    assert st.unknown_references(catalogue, covers) == []
    # Only a check that judges loopconf's own hygiene rule (spec note hygiene-loop-wide: the docs do not
    # list the resources a closed loop gives back) may cover no statement of the docs.
    uncovering = [
        check_id
        for check_id, (full, partial) in covers.items()
        if not (full or partial) and checks[check_id].get("note") != "hygiene-loop-wide"
    ]
    assert uncovering == [], "checks without covers=: say which statements they check"


def test_covers_spelling_round_trips():
    full, partial = ["call_soon.3"], ["sendfile.9"]
    assert st.parse_covers(st.covers_entries(full, partial)) == (full, partial)


def test_coverage_ratchet(catalogue, checks, covers):
    """A promise without a (full) check fails unless allow-listed; a listed one that got covered must go."""
    status = coverage.compute(catalogue, checks, covers)
    allow = st.load_allow_list()
    for key in allow:
        assert not set(allow[key]) - set(catalogue), f"allow list {key} names unknown statements"
    uncovered = {s for s, v in status.items() if v["status"] == "uncovered"}
    partial = {s for s, v in status.items() if v["status"] == "partial"}
    assert uncovered - set(allow["uncovered"]) == set(), "new uncovered promises: add checks"
    assert partial - set(allow["partial"]) - set(allow["uncovered"]) == set(), "new partly covered promises"
    stale = (set(allow["uncovered"]) - uncovered - partial) | (set(allow["partial"]) - partial - uncovered)
    assert stale == set(), "now covered: remove these from allow_uncovered.toml"


def test_info_checks_cover_nothing(catalogue):
    checks = {"a": {"level": "INFO"}, "b": {"level": "SHOULD"}}
    status = coverage.compute(catalogue, checks, {"a": (["call_soon.3"], []), "b": ([], ["call_soon.4"])})
    assert status["call_soon.3"]["status"] == "uncovered"
    assert status["call_soon.4"]["status"] == "partial"


def test_coverage_command_json(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "loopconf", "coverage", "--json"], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    page = data["figures"]["totals"]["3.7 page"]
    assert page["promises"] == page["covered"] + page["partial"] + page["uncovered"]
    assert coverage.headline(data["figures"]).startswith("3.7 page: ")


def test_readme_coverage_figure_is_true(catalogue, checks, covers):
    """The README states the measured coverage; it must be what `loopconf coverage` computes."""
    import pathlib
    import re

    readme = (pathlib.Path(__file__).resolve().parent.parent / "README.md").read_text()
    totals = coverage.summarize(catalogue, coverage.compute(catalogue, checks, covers))["totals"]
    flat = re.sub(r"\s+", " ", readme)
    for bucket in ("3.7 page", "later docs"):
        t = totals[bucket]
        want = (
            f"{bucket}: {t['covered']}/{t['promises']} promises covered, "
            f"{t['partial']} partial, {t['uncovered']} uncovered"
        )
        assert want in flat, f"README's coverage figure is stale: write {want!r}"
