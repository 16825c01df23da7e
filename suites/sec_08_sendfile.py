"""19.5.1.8 File transferring: loop.sendfile(transport, file, offset, count, *, fallback).

The transport is made by create_connection(sock=...) over one end of a stream pair (UNIX
socketpair or TCP on 127.0.0.1); the other end is drained by a helper thread. The "syscall
unavailable" checks replace os.sendfile with a function failing with ENOSYS, which is what a
system without the syscall reports; they skip for a loop that never calls os.sendfile.
The same scenarios serve loop.sock_sendfile in sec_11_sockets.py (see _support/sendfile.py).
"""

import pytest

from loopconf.checks import SHOULD, check

from ._support import sendfile as sf

SECTION = "19.5.1.8"
M = "sendfile"
API = "transport"


@check("sendfile.sendfile.returns_total", section=SECTION, method=M,
       requirement="sendfile returns the total number of bytes it sent (the whole file when no "
                   "offset or count is given).")
def test_sendfile_returns_total(loop):
    """19.5.1.8 sendfile: the return value is the total number of bytes sent."""
    sf.returns_total(loop, API)


@pytest.mark.parametrize("kind", ["unix", "tcp"])
@check("sendfile.sendfile.peer_receives_file", section=SECTION, method=M,
       requirement="After sendfile returns, the peer receives exactly the file's bytes, in order, "
                   "with nothing missing or added.")
def test_sendfile_peer_receives_file(loop, kind):
    """19.5.1.8 sendfile: the file is sent to the transport (UNIX and TCP streams)."""
    sf.peer_receives_file(loop, API, kind)


@check("sendfile.sendfile.offset_and_count", section=SECTION, method=M,
       requirement="With offset and count, sendfile sends exactly count bytes starting at offset "
                   "and returns count.")
def test_sendfile_offset_and_count(loop):
    """19.5.1.8 sendfile: offset is where reading starts; count is the total to transmit."""
    sf.offset_and_count(loop, API)


@check("sendfile.sendfile.offset_to_eof", section=SECTION, method=M,
       requirement="With an offset and no count, sendfile sends from offset until the end of the file.")
def test_sendfile_offset_to_eof(loop):
    """19.5.1.8 sendfile: without count the file is sent until EOF."""
    sf.offset_to_eof(loop, API)


@check("sendfile.sendfile.file_position_on_return", section=SECTION, method=M,
       requirement="When sendfile returns, the file position is offset plus the number of bytes sent.")
def test_sendfile_file_position_on_return(loop):
    """19.5.1.8 sendfile: the file position is updated on return."""
    sf.file_position_on_return(loop, API)


@check("sendfile.sendfile.fallback_when_unavailable", section=SECTION, method=M, level=SHOULD,
       note="cpython-sendfile-fallback-buffer-reuse",
       requirement="With fallback=True, sendfile still sends the whole file (reading and sending it "
                   "itself) when the sendfile syscall is not supported.")
def test_sendfile_fallback_when_unavailable(loop):
    """19.5.1.8 sendfile: fallback=True reads and sends the file manually without the syscall."""
    sf.fallback_when_unavailable(loop, API)


@check("sendfile.sendfile.no_fallback_raises", section=SECTION, method=M,
       requirement="With fallback=False, sendfile raises SendfileNotAvailableError when the sendfile "
                   "syscall is not supported.")
def test_sendfile_no_fallback_raises(loop):
    """19.5.1.8 sendfile: SendfileNotAvailableError when the syscall is missing and fallback is False."""
    sf.no_fallback_raises(loop, API)


@check("sendfile.sendfile.file_position_on_error", section=SECTION, method=M,
       requirement="When sendfile fails, the file position tells how many bytes were sent "
                   "(offset plus the bytes the peer received).")
def test_sendfile_file_position_on_error(loop):
    """19.5.1.8 sendfile: the file position is updated in case of error too."""
    sf.file_position_on_error(loop, API)


@check("sendfile.sendfile.text_file_refused", section=SECTION, method=M,
       level=SHOULD, note=sf.CALLER_NOTE,
       requirement="sendfile refuses (raises) a file opened in text mode instead of sending it.")
def test_sendfile_text_file_refused(loop):
    """19.5.1.8 sendfile: the file must be opened in binary mode.

    The doc states this as the caller's obligation and names no exception, so the check only
    requires a refusal (SHOULD). Stock asyncio 3.10-3.13 raises ValueError.
    """
    sf.text_file_refused(loop, API)


@check("sendfile.sendfile.non_regular_refused_without_fallback", section=SECTION, method=M,
       level=SHOULD, note=sf.CALLER_NOTE,
       requirement="With fallback=False, sendfile refuses (raises) a file that is not a regular file "
                   "(an in-memory binary stream).")
def test_sendfile_non_regular_refused_without_fallback(loop):
    """19.5.1.8 sendfile: the file must be a regular file.

    Caller obligation without a documented exception: SHOULD. Stock asyncio 3.10-3.13 raises
    SendfileNotAvailableError here (and, undocumented, sends the stream when fallback=True,
    which is not checked).
    """
    sf.non_regular_refused_without_fallback(loop, API)
