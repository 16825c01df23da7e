"""Broken loops for 19.5.1.8 (loop.sendfile) and 19.5.1.11 (loop.sock_sendfile).

Each breaks one sendfile guarantee. The same policy is applied to ``sendfile`` (the
``...SendfileLoop`` classes) and to ``sock_sendfile`` (the ``...SockSendfileLoop`` classes).
A policy is ``async policy(loop, call, send_bytes, file, offset, count, fallback)`` where
``call(file, offset, count, fallback)`` runs the stock method and ``send_bytes(data)`` writes
raw bytes to the peer.
"""

import asyncio
import io
import os

from tests.broken import breaks


async def _wrong_count(loop, call, send_bytes, file, offset, count, fallback):
    return await call(file, offset, count, fallback) + 1


async def _stale_position(loop, call, send_bytes, file, offset, count, fallback):
    position = file.tell()
    result = await call(file, offset, count, fallback)
    file.seek(position)
    return result


async def _ignores_offset(loop, call, send_bytes, file, offset, count, fallback):
    return await call(file, 0, count, fallback)


async def _short(loop, call, send_bytes, file, offset, count, fallback):
    size = os.fstat(file.fileno()).st_size
    wanted = count if count else size - offset
    sent = await call(file, offset, wanted - 1, fallback)
    file.seek(offset + wanted)
    return sent + 1


async def _never_falls_back(loop, call, send_bytes, file, offset, count, fallback):
    return await call(file, offset, count, False)


async def _wrong_error(loop, call, send_bytes, file, offset, count, fallback):
    try:
        return await call(file, offset, count, fallback)
    except asyncio.SendfileNotAvailableError:
        raise RuntimeError("sendfile is not available") from None


async def _rewinds_on_error(loop, call, send_bytes, file, offset, count, fallback):
    try:
        return await call(file, offset, count, fallback)
    except asyncio.SendfileNotAvailableError:
        file.seek(0)
        raise


async def _accepts_text(loop, call, send_bytes, file, offset, count, fallback):
    if "b" not in getattr(file, "mode", "b"):
        data = file.read().encode()
        await send_bytes(data)
        return len(data)
    return await call(file, offset, count, fallback)


async def _accepts_non_regular(loop, call, send_bytes, file, offset, count, fallback):
    try:
        file.fileno()
    except (AttributeError, io.UnsupportedOperation):
        fallback = True
    return await call(file, offset, count, fallback)


def _transport_loop(name, policy, doc):
    class Loop(asyncio.SelectorEventLoop):
        async def sendfile(self, transport, file, offset=0, count=None, *, fallback=True):
            stock = super().sendfile

            async def send_bytes(data):
                transport.write(data)

            return await policy(
                self,
                lambda f, o, c, fb: stock(transport, f, o, c, fallback=fb),
                send_bytes,
                file,
                offset,
                count,
                fallback,
            )

    Loop.__name__ = Loop.__qualname__ = name
    Loop.__doc__ = "loop.sendfile " + doc
    return Loop


def _socket_loop(name, policy, doc):
    class Loop(asyncio.SelectorEventLoop):
        async def sock_sendfile(self, sock, file, offset=0, count=None, *, fallback=True):
            stock = super().sock_sendfile

            async def send_bytes(data):
                await self.sock_sendall(sock, data)

            return await policy(
                self, lambda f, o, c, fb: stock(sock, f, o, c, fallback=fb), send_bytes, file, offset, count, fallback
            )

    Loop.__name__ = Loop.__qualname__ = name
    Loop.__doc__ = "loop.sock_sendfile " + doc
    return Loop


# policy: (function, what it does, the guarantees it breaks: check names under
# sendfile.sendfile.* and sockets.sock_sendfile.*)
_POLICIES = {
    "WrongCount": (
        _wrong_count,
        "returns one more than the bytes sent.",
        ["returns_total", "offset_and_count", "offset_to_eof"],
    ),
    "StalePosition": (
        _stale_position,
        "restores the file position it found instead of updating it.",
        ["file_position_on_return"],
    ),
    "IgnoresOffset": (
        _ignores_offset,
        "always starts at the beginning of the file.",
        ["offset_and_count", "offset_to_eof"],
    ),
    "Short": (_short, "sends one byte less than asked but reports the full count.", ["peer_receives_file"]),
    "NeverFallsBack": (
        _never_falls_back,
        "ignores fallback=True (raises SendfileNotAvailableError).",
        ["fallback_when_unavailable"],
    ),
    "WrongError": (_wrong_error, "raises RuntimeError instead of SendfileNotAvailableError.", ["no_fallback_raises"]),
    "RewindsOnError": (_rewinds_on_error, "rewinds the file to 0 when it fails.", ["file_position_on_error"]),
    "AcceptsText": (_accepts_text, "sends a text-mode file (encoded) instead of refusing it.", ["text_file_refused"]),
    "AcceptsNonRegular": (
        _accepts_non_regular,
        "falls back for a non-regular file even with fallback=False.",
        ["non_regular_refused_without_fallback"],
    ),
}

for _name, (_policy, _doc, _broken) in _POLICIES.items():
    globals()[f"{_name}SendfileLoop"] = breaks(*(f"sendfile.sendfile.{g}" for g in _broken))(
        _transport_loop(f"{_name}SendfileLoop", _policy, _doc)
    )
    globals()[f"{_name}SockSendfileLoop"] = breaks(*(f"sockets.sock_sendfile.{g}" for g in _broken))(
        _socket_loop(f"{_name}SockSendfileLoop", _policy, _doc)
    )
del _name, _policy, _doc, _broken


@breaks("sockets.sock_sendfile.non_stream_socket_refused")
class DatagramSockSendfileLoop(asyncio.SelectorEventLoop):
    """loop.sock_sendfile pretends to succeed (sends nothing) on a non-SOCK_STREAM socket."""

    async def sock_sendfile(self, sock, file, offset=0, count=None, *, fallback=True):
        import socket

        if sock.type != socket.SOCK_STREAM:
            return 0
        return await super().sock_sendfile(sock, file, offset, count, fallback=fallback)


@breaks(
    "sendfile.sendfile.*",
    "sockets.sock_sendfile.*",
    outcome="missing",
    # calling the method still returns a coroutine; only awaiting it raises NotImplementedError
    keeps=["sendfile.sendfile.is_coroutine", "sockets.sock_sendfile.is_coroutine"],
)
class NoSendfileLoop(asyncio.SelectorEventLoop):
    """loop.sendfile and loop.sock_sendfile are not implemented (raise NotImplementedError).

    Not a broken guarantee: every sendfile check must report it as ``missing``, never as a
    failure caused by the check's own peer-reader thread outliving it (FP-2).
    """

    async def sendfile(self, transport, file, offset=0, count=None, *, fallback=True):
        raise NotImplementedError("sendfile")

    async def sock_sendfile(self, sock, file, offset=0, count=None, *, fallback=True):
        raise NotImplementedError("sock_sendfile")


# -- issue #16 (gapC): os.sendfile in use; position after a failure mid-transfer --------------


@breaks("sendfile.sendfile.uses_os_sendfile", keeps=["sendfile.sendfile.peer_receives_file[unix]"])
class SendfileAlwaysFallbackLoop(asyncio.SelectorEventLoop):
    """sendfile never tries os.sendfile: every transport transfer reads and writes the file."""

    async def _sendfile_native(self, transp, file, offset, count):
        raise asyncio.SendfileNotAvailableError("native sendfile disabled")


@breaks(
    "sendfile.sendfile.file_position_on_midway_error",
    keeps=["sendfile.sendfile.file_position_on_return"],
    platforms=["linux"],
)
class SendfileNoSeekOnErrorLoop(asyncio.SelectorEventLoop):
    """sendfile puts the file position back where it was when the transfer fails."""

    async def sendfile(self, transport, file, *args, **kwargs):
        start = file.tell()
        try:
            return await super().sendfile(transport, file, *args, **kwargs)
        except BaseException:
            file.seek(start)
            raise
