"""FP-2: the sendfile scenarios join their peer-reader thread as soon as the loop raises (no race
with the fixture's thread check). Uses tests.broken.sendfile:NoSendfileLoop directly."""

import threading

import pytest


@pytest.mark.parametrize("api", ["transport", "socket"])
def test_sender_joins_peer_reader_when_loop_raises(api):
    from suites._support import sendfile as scenarios
    from tests.broken.sendfile import NoSendfileLoop

    loop = NoSendfileLoop()
    try:
        for scenario in (
            scenarios.returns_total,
            scenarios.no_fallback_raises,
            scenarios.text_file_refused,
            scenarios.non_regular_refused_without_fallback,
        ):
            with pytest.raises(NotImplementedError):
                scenario(loop, api)
            alive = [t for t in threading.enumerate() if t.name == "loopconf-peer-reader"]
            assert alive == [], f"{scenario.__name__} ({api}) left its peer reader running"
    finally:
        loop.close()
