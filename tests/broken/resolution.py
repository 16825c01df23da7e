"""Broken loops for 19.5.1.12 (resolve host name); each breaks one guarantee."""

import asyncio
import socket

from tests.broken import breaks


@breaks("resolution.getaddrinfo.does_not_block")
class SyncGetaddrinfoLoop(asyncio.SelectorEventLoop):
    """getaddrinfo resolves on the loop thread, blocking the loop meanwhile."""

    async def getaddrinfo(self, host, port, *, family=0, type=0, proto=0, flags=0):
        return socket.getaddrinfo(host, port, family, type, proto, flags)


@breaks("resolution.getnameinfo.does_not_block")
class SyncGetnameinfoLoop(asyncio.SelectorEventLoop):
    """getnameinfo resolves on the loop thread, blocking the loop meanwhile."""

    async def getnameinfo(self, sockaddr, flags=0):
        return socket.getnameinfo(sockaddr, flags)


@breaks("resolution.getaddrinfo.is_coroutine", "resolution.getnameinfo.is_coroutine")
class FutureResolverLoop(asyncio.SelectorEventLoop):
    """getaddrinfo and getnameinfo return Futures (the pre-3.7 behaviour), not coroutines."""

    def getaddrinfo(self, host, port, *, family=0, type=0, proto=0, flags=0):
        return self.run_in_executor(None, socket.getaddrinfo, host, port, family, type, proto, flags)

    def getnameinfo(self, sockaddr, flags=0):
        return self.run_in_executor(None, socket.getnameinfo, sockaddr, flags)


@breaks(
    "resolution.getaddrinfo.matches_socket_order[localhost]", keeps=["resolution.getaddrinfo.matches_socket[localhost]"]
)
class ReversedGetaddrinfoLoop(asyncio.SelectorEventLoop):
    """getaddrinfo returns socket.getaddrinfo's entries in reverse order."""

    async def getaddrinfo(self, *args, **kwargs):
        return list(reversed(await super().getaddrinfo(*args, **kwargs)))


@breaks("resolution.getnameinfo.matches_socket[ipv4]")
class NumericGetnameinfoLoop(asyncio.SelectorEventLoop):
    """getnameinfo always answers numerically (adds NI_NUMERICHOST | NI_NUMERICSERV)."""

    async def getnameinfo(self, sockaddr, flags=0):
        return await super().getnameinfo(sockaddr, flags | socket.NI_NUMERICHOST | socket.NI_NUMERICSERV)


@breaks("resolution.getaddrinfo.raises_gaierror", "resolution.getnameinfo.raises_gaierror")
class OSErrorResolverLoop(asyncio.SelectorEventLoop):
    """Resolution failures surface as plain OSError instead of socket.gaierror."""

    async def getaddrinfo(self, *args, **kwargs):
        try:
            return await super().getaddrinfo(*args, **kwargs)
        except socket.gaierror as exc:
            raise OSError(exc.errno, str(exc)) from None

    async def getnameinfo(self, *args, **kwargs):
        try:
            return await super().getnameinfo(*args, **kwargs)
        except socket.gaierror as exc:
            raise OSError(exc.errno, str(exc)) from None


@breaks(
    "resolution.getaddrinfo.matches_socket[localhost]",
    "resolution.getaddrinfo.matches_socket_order[localhost]",
    keeps=["resolution.getaddrinfo.matches_socket[ipv4-stream]"],
)
class FirstEntryGetaddrinfoLoop(asyncio.SelectorEventLoop):
    """getaddrinfo returns only the first of socket.getaddrinfo's entries."""

    async def getaddrinfo(self, *args, **kwargs):
        return (await super().getaddrinfo(*args, **kwargs))[:1]
