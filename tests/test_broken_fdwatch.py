"""Each broken loop for 19.5.1.10 is flagged on the intended checks."""

import pytest

from tests.support import run_checks

CASES = {
    "RemoveReaderReturnsNoneLoop": ["fdwatch.remove_reader.returns_true", "fdwatch.remove_reader.returns_false"],
    "RemoveWriterReturnsNoneLoop": ["fdwatch.remove_writer.returns_true", "fdwatch.remove_writer.returns_false"],
    "RemoveReaderAlwaysTrueLoop": ["fdwatch.remove_reader.returns_false"],
    "RemoveWriterAlwaysTrueLoop": ["fdwatch.remove_writer.returns_false"],
    "AddReaderKeepsOldLoop": ["fdwatch.add_reader.replaces_callback"],
    "AddWriterKeepsOldLoop": ["fdwatch.add_writer.replaces_callback"],
    "RemoveReaderNoopLoop": ["fdwatch.remove_reader.stops_callbacks"],
    "RemoveWriterNoopLoop": ["fdwatch.remove_writer.stops_callbacks"],
    "RemoveReaderDropsWriterLoop": ["fdwatch.remove_reader.keeps_writer"],
    "RemoveWriterDropsReaderLoop": ["fdwatch.remove_writer.keeps_reader"],
    "DropsCallbackArgsLoop": ["fdwatch.add_reader.calls_with_args", "fdwatch.add_writer.calls_with_args"],
}


@pytest.mark.parametrize("loop_name", list(CASES))
def test_broken_fdwatch_is_flagged(loop_name):
    spec = f"tests.broken.fdwatch:{loop_name}"
    records = run_checks(spec, *CASES[loop_name])
    for cid in CASES[loop_name]:
        matching = {k: r for k, r in records.items() if k.split("[")[0] == cid}
        assert matching, f"{cid} did not run against {spec}"
        for key, rec in matching.items():
            assert rec["outcome"] == "fail", f"{spec}: {key} was {rec['outcome']}: {rec['message']}"
            assert not rec["message"].startswith("invariant broken"), f"{spec}: {key} failed only on "\
                f"an invariant, not on its requirement: {rec['message']}"
