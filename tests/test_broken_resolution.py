"""Each broken loop for 19.5.1.12 is flagged on the intended checks."""

import pytest

from tests.support import run_checks

CASES = {
    "SyncGetaddrinfoLoop": ["resolution.getaddrinfo.does_not_block"],
    "SyncGetnameinfoLoop": ["resolution.getnameinfo.does_not_block"],
    "FutureResolverLoop": ["resolution.getaddrinfo.is_coroutine", "resolution.getnameinfo.is_coroutine"],
    "ReversedGetaddrinfoLoop": ["resolution.getaddrinfo.matches_socket[localhost]"],
    "NumericGetnameinfoLoop": ["resolution.getnameinfo.matches_socket[ipv4]"],
    "OSErrorResolverLoop": ["resolution.getaddrinfo.raises_gaierror", "resolution.getnameinfo.raises_gaierror"],
}


@pytest.mark.parametrize("loop_name", list(CASES))
def test_broken_resolution_is_flagged(loop_name):
    spec = f"tests.broken.resolution:{loop_name}"
    # a literal "[" in a check-ID glob is written "[[]"
    records = run_checks(spec, *(cid.replace("[", "[[]") for cid in CASES[loop_name]))
    for cid in CASES[loop_name]:
        rec = records.get(cid)
        assert rec is not None, f"{cid} did not run against {spec}: {sorted(records)}"
        assert rec["outcome"] == "fail", f"{spec}: {cid} was {rec['outcome']}: {rec['message']}"
        assert not rec["message"].startswith("invariant broken"), f"{spec}: {cid} failed only on "\
            f"an invariant, not on its requirement: {rec['message']}"
