"""Each broken loop for 19.5.1.8 sendfile (and the shared sock_sendfile scenarios) is flagged."""

import pytest

from tests.support import run_checks

# broken policy -> the checks (suffix after sendfile.sendfile. / sockets.sock_sendfile.) it must fail
CASES = {
    "WrongCount": ["returns_total", "offset_and_count", "offset_to_eof"],
    "StalePosition": ["file_position_on_return"],
    "IgnoresOffset": ["offset_and_count", "offset_to_eof"],
    "Short": ["peer_receives_file"],
    "NeverFallsBack": ["fallback_when_unavailable"],
    "WrongError": ["no_fallback_raises"],
    "RewindsOnError": ["file_position_on_error"],
    "AcceptsText": ["text_file_refused"],
    "AcceptsNonRegular": ["non_regular_refused_without_fallback"],
}


def _assert_flagged(spec, prefix, suffixes):
    ids = [f"{prefix}.{s}" for s in suffixes]
    records = run_checks(spec, *ids)
    for cid in ids:
        matching = {k: r for k, r in records.items() if k.split("[")[0] == cid}
        assert matching, f"{cid} did not run against {spec}"
        for key, rec in matching.items():
            assert rec["outcome"] == "fail", f"{spec}: {key} was {rec['outcome']}: {rec['message']}"
            assert not rec["message"].startswith("invariant broken"), f"{spec}: {key} failed only on "\
                f"an invariant, not on its requirement: {rec['message']}"


@pytest.mark.parametrize("policy", list(CASES))
def test_broken_sendfile_is_flagged(policy):
    _assert_flagged(f"tests.broken.sendfile:{policy}SendfileLoop", "sendfile.sendfile", CASES[policy])


@pytest.mark.parametrize("policy", list(CASES))
def test_broken_sock_sendfile_is_flagged(policy):
    _assert_flagged(f"tests.broken.sendfile:{policy}SockSendfileLoop", "sockets.sock_sendfile", CASES[policy])


def test_datagram_sock_sendfile_is_flagged():
    _assert_flagged("tests.broken.sendfile:DatagramSockSendfileLoop", "sockets.sock_sendfile",
                    ["non_stream_socket_refused"])
