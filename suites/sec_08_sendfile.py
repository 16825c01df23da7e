"""19.5.1.8 File transferring: loop.sendfile(transport, file, offset, count, *, fallback).

The transport is made by create_connection(sock=...) over one end of a stream pair (UNIX
socketpair or TCP on 127.0.0.1); the other end is drained by a helper thread. The "syscall
unavailable" checks replace os.sendfile with a function failing with ENOSYS, which is what a
system without the syscall reports; they skip for a loop that never calls os.sendfile.
The same scenarios serve loop.sock_sendfile in sec_11_sockets.py (see _support/sendfile.py).
"""

import pytest

from loopconf import checks
from loopconf.checks import LINUX, POSIX, SHOULD

from ._support import sendfile as sf

scope = checks.scope(area="sendfile", section="19.5.1.8")
API = "transport"


@scope.check(
    "sendfile",
    "returns_total",
    requirement="sendfile returns the total number of bytes it sent (the whole file when no offset or count is given).",
    covers=("sendfile.3", "sendfile.1:partial"),
)
def test_sendfile_returns_total(loop):
    sf.returns_total(loop, API)


@pytest.mark.parametrize("kind", ["unix", "tcp"])
@scope.check(
    "sendfile",
    "peer_receives_file",
    requirement="After sendfile returns, the peer receives exactly the file's bytes, in order, with "
    "nothing missing or added.",
    covers=("sendfile.2",),
)
def test_sendfile_peer_receives_file(loop, kind):
    sf.peer_receives_file(loop, API, kind)


@scope.check(
    "sendfile",
    "offset_and_count",
    requirement="With offset and count, sendfile sends exactly count bytes starting at offset and returns count.",
    covers=("sendfile.3", "sendfile.6", "sendfile.7"),
)
def test_sendfile_offset_and_count(loop):
    sf.offset_and_count(loop, API)


@scope.check(
    "sendfile",
    "offset_to_eof",
    requirement="With an offset and no count, sendfile sends from offset until the end of the file.",
    covers=("sendfile.3", "sendfile.6", "sendfile.7"),
)
def test_sendfile_offset_to_eof(loop):
    sf.offset_to_eof(loop, API)


@scope.check(
    "sendfile",
    "file_position_on_return",
    requirement="When sendfile returns, the file position is offset plus the number of bytes sent.",
    covers=("sendfile.8",),
)
def test_sendfile_file_position_on_return(loop):
    sf.file_position_on_return(loop, API)


@scope.check(
    "sendfile",
    "fallback_when_unavailable",
    level=SHOULD,
    note="cpython-sendfile-fallback-buffer-reuse",
    requirement="With fallback=True, sendfile still sends the whole file (reading and sending it "
    "itself) when the sendfile syscall is not supported.",
    covers=("sendfile.10",),
)
def test_sendfile_fallback_when_unavailable(loop):
    sf.fallback_when_unavailable(loop, API)


@scope.check(
    "sendfile",
    "no_fallback_raises",
    requirement="With fallback=False, sendfile raises SendfileNotAvailableError when the sendfile "
    "syscall is not supported.",
    covers=("sendfile.11",),
)
def test_sendfile_no_fallback_raises(loop):
    sf.no_fallback_raises(loop, API)


@scope.check(
    "sendfile",
    "file_position_on_error",
    requirement="When sendfile fails, the file position tells how many bytes were sent (offset plus "
    "the bytes the peer received).",
    covers=("sendfile.9:partial",),
)
def test_sendfile_file_position_on_error(loop):
    sf.file_position_on_error(loop, API)


@scope.check(
    "sendfile",
    "text_file_refused",
    level=SHOULD,
    note="sendfile-caller-obligations",
    requirement="sendfile refuses (raises) a file opened in text mode instead of sending it.",
    covers=("sendfile.5",),
)
def test_sendfile_text_file_refused(loop):
    """The doc states this as the caller's obligation and names no exception, so the check only
    requires a refusal (SHOULD). Stock asyncio 3.10-3.13 raises ValueError.
    """
    sf.text_file_refused(loop, API)


@scope.check(
    "sendfile",
    "non_regular_refused_without_fallback",
    level=SHOULD,
    note="sendfile-caller-obligations",
    requirement="With fallback=False, sendfile refuses (raises) a file that is not a regular file "
    "(an in-memory binary stream).",
    covers=("sendfile.5",),
)
def test_sendfile_non_regular_refused_without_fallback(loop):
    """Caller obligation without a documented exception: SHOULD. Stock asyncio 3.10-3.13 raises
    SendfileNotAvailableError here (and, undocumented, sends the stream when fallback=True,
    which is not checked).
    """
    sf.non_regular_refused_without_fallback(loop, API)


@scope.check(
    "sendfile",
    "uses_os_sendfile",
    level=SHOULD,
    note="sendfile-uses-os-sendfile",
    platforms=POSIX,
    requirement="On a plain stream socket transport with a regular file, sendfile goes through "
    "os.sendfile (the zero-copy path), and the peer receives exactly the file.",
    covers=("sendfile.4",),
)
def test_sendfile_uses_os_sendfile(loop):
    sf.uses_os_sendfile(loop, API)


@scope.check(
    "sendfile",
    "file_position_on_midway_error",
    platforms=LINUX,
    requirement="When a transfer fails part-way (the peer stops receiving), the file position is "
    "offset plus the bytes that actually reached the peer, whether sendfile raises or "
    "returns.",
    covers=("sendfile.9",),
)
def test_sendfile_file_position_on_midway_error(loop):
    """Linux: after the peer's shutdown(SHUT_RD) a UNIX stream socket takes no more data, so the
    bytes the peer drains are exactly the bytes the kernel accepted from the sender."""
    sf.file_position_on_midway_error(loop, API)
