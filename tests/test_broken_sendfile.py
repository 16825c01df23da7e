"""Each broken loop for 19.5.1.8 sendfile (and the shared sock_sendfile scenarios) is flagged."""

import threading

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


@pytest.mark.parametrize("prefix", ["sendfile.sendfile", "sockets.sock_sendfile"])
def test_unimplemented_sendfile_is_missing(prefix):
    """FP-2: a loop without sendfile gets ``missing`` on every scenario, never a leaked-thread fail."""
    suffixes = sorted({s for names in CASES.values() for s in names})
    ids = [f"{prefix}.{s}" for s in suffixes]
    records = run_checks("tests.broken.sendfile:NoSendfileLoop", *ids)
    for cid in ids:
        matching = {k: r for k, r in records.items() if k.split("[")[0] == cid}
        assert matching, f"{cid} did not run"
        for key, rec in matching.items():
            assert rec["outcome"] == "missing", f"{key} was {rec['outcome']}: {rec['message']}"


@pytest.mark.parametrize("api", ["transport", "socket"])
def test_sender_joins_peer_reader_when_loop_raises(api):
    """FP-2: the scenario's peer-reader thread is gone as soon as the scenario raises (no race
    with the fixture's thread check)."""
    from suites._support import sendfile as scenarios
    from tests.broken.sendfile import NoSendfileLoop

    loop = NoSendfileLoop()
    try:
        for scenario in (scenarios.returns_total, scenarios.no_fallback_raises,
                         scenarios.text_file_refused, scenarios.non_regular_refused_without_fallback):
            with pytest.raises(NotImplementedError):
                scenario(loop, api)
            alive = [t for t in threading.enumerate() if t.name == "loopconf-peer-reader"]
            assert alive == [], f"{scenario.__name__} ({api}) left its peer reader running"
    finally:
        loop.close()
