"""Each broken loop for 19.5.1.13 is flagged on the intended checks."""

import pytest

from tests.support import run_checks

RP, WP = "pipes.connect_read_pipe", "pipes.connect_write_pipe"
CASES = {
    "NoEofReadPipeLoop": [f"{RP}.eof_received"],
    "DoubleLostReadPipeLoop": [f"{RP}.connection_lost_once", f"{RP}.close"],
    "StopsAfterFirstReadLoop": [f"{RP}.data_received", f"{RP}.subprocess_stdout"],
    "PauseIgnoredReadPipeLoop": [f"{RP}.pause_resume_reading"],
    "CloseIgnoredReadPipeLoop": [f"{RP}.close"],
    "NoPipeExtraInfoLoop": [f"{RP}.extra_info_pipe", f"{WP}.extra_info_pipe"],
    "BlockingPipesLoop": [f"{RP}.sets_non_blocking", f"{WP}.sets_non_blocking"],
    "SwappedPipePairLoop": [f"{RP}.returns_pair", f"{WP}.returns_pair"],
    "CloseAbortsWritePipeLoop": [f"{WP}.delivers_data"],
    "BrokenPipeHiddenLoop": [f"{WP}.broken_pipe_error"],
    "BrokenPipeSwallowedLoop": [f"{WP}.reader_closed_connection_lost"],
}


@pytest.mark.parametrize("loop_name", list(CASES))
def test_broken_pipes_is_flagged(loop_name):
    spec = f"tests.broken.pipes:{loop_name}"
    records = run_checks(spec, *CASES[loop_name])
    for cid in CASES[loop_name]:
        rec = records.get(cid)
        assert rec is not None, f"{cid} did not run against {spec}: {sorted(records)}"
        assert rec["outcome"] == "fail", f"{spec}: {cid} was {rec['outcome']}: {rec['message']}"
        assert not rec["message"].startswith("invariant broken"), f"{spec}: {cid} failed only on "\
            f"an invariant, not on its requirement: {rec['message']}"
