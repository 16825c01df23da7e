"""Spec notes: places where we grade a check SHOULD or INFO instead of MUST, and why.

Each note names the clause, what the documentation says (in our words), what stock CPython
does, and the grading decision. Checks refer to a note by its ID (``@check(..., note=ID)``);
every report lists the notes of the checks it contains, so users see where even CPython
differs from its docs, or where the docs leave a behaviour open.
"""

from __future__ import annotations

NOTES: dict = {}


def note(id: str, *, clause: str, doc: str, cpython: str, decision: str) -> None:
    NOTES[id] = {"id": id, "clause": clause, "doc": doc, "cpython": cpython, "decision": decision}


note(
    "after-close-runtimeerror",
    clause="19.5.1.1 close (asyncio.AbstractEventLoop.close)",
    doc="After close() the caller should call no other method; the page names no error for a call made anyway.",
    cpython="Raises RuntimeError('Event loop is closed') from every scheduling method of a closed loop.",
    decision="Checks that a closed loop refuses work with RuntimeError are SHOULD: the refusal is the common, "
    "expected behaviour, but the documented contract is the caller's obligation.",
)


# -- 19.5.1.6-7 and Server objects (networking suites) -------------------------------------
note(
    "extra-info-socket-wrapper",
    clause="19.5.1.6 create_connection (transport get_extra_info('socket'), transports page)",
    doc="The 'socket' extra info of a socket transport is documented as a socket.socket instance.",
    cpython="Since 3.8 it is an asyncio.trsock.TransportSocket wrapper, not a socket.socket.",
    decision="connections.create_connection.extra_info_socket is SHOULD and accepts any object with the socket "
    "interface (family, type, fileno, addresses) matching the connection.",
)
note(
    "server-sockets-after-close",
    clause="page.server Server.close (asyncio.Server.close)",
    doc="close() stops listening and sets the server's sockets attribute to None.",
    cpython="sockets becomes an empty sequence (a list in 3.7, a tuple since 3.8), never None.",
    decision="server.close.sockets_cleared is SHOULD and accepts None or an empty sequence.",
)
note(
    "datagram-reuse-address",
    clause="19.5.1.6 create_datagram_endpoint, reuse_address",
    doc="The 3.7 text says reuse_address defaults to True on UNIX; the 3.8.1 docs withdraw the option for "
    "security (reuse_address=True raises) and the 3.11 docs remove the parameter.",
    cpython="3.8.1+ never sets SO_REUSEADDR on datagram endpoints; 3.8.1-3.10 raise ValueError for "
    "reuse_address=True, 3.11+ raise TypeError for any reuse_address argument.",
    decision="Version-gated checks, each judged by its own docs: reuse_address_default (<3.8.1, docs 3.7), "
    "no_reuse_address (>=3.8.1), reuse_address_rejected (3.8.1-3.10), reuse_address_removed (>=3.11).",
)
note(
    "sock-exclusive-caller-obligation",
    clause="19.5.1.6 create_connection / create_datagram_endpoint, sock (also create_server, 19.5.1.7)",
    doc="When sock is given the caller is told not to pass the address arguments (host/port, local_addr/"
    "remote_addr); the page names no exception for a caller who does.",
    cpython="Raises ValueError for the combination.",
    decision="The *.sock_exclusive checks are SHOULD: refusing is the expected, safe behaviour, but the clause "
    "is the caller's obligation.",
)
note(
    "unix-path-required-valueerror",
    clause="19.5.1.6 create_unix_connection, path (also create_unix_server, 19.5.1.7)",
    doc="path is required unless sock is given; the page names no exception for a call with neither.",
    cpython="Raises ValueError.",
    decision="The *.path_required checks are SHOULD (caller obligation, no documented error).",
)
note(
    "server-hostname-caller-obligation",
    clause="19.5.1.6 create_connection / create_unix_connection, server_hostname",
    doc="server_hostname is meant only with ssl, and must be supplied when there is no host to default to "
    "(sock=, or a UNIX path); the page names no exception for breaking either rule.",
    cpython="Raises ValueError in both cases.",
    decision="tls.create_connection.server_hostname_required / .server_hostname_requires_ssl and "
    "tls.create_unix_connection.server_hostname_required are SHOULD.",
)
note(
    "handshake-timeout-without-ssl",
    clause="19.5.1.6-7 ssl_handshake_timeout (and ssl_shutdown_timeout, 3.11) of every entry point",
    doc="The TLS timeouts are documented for TLS connections; the page names no error when one is passed without ssl.",
    cpython="Raises ValueError.",
    decision="The *.handshake_timeout_requires_ssl and *.ssl_shutdown_timeout_requires_ssl checks are SHOULD.",
)
note(
    "ssl-shutdown-timeout-bound",
    clause="19.5.1.6 create_connection / create_unix_connection, ssl_shutdown_timeout (3.11)",
    doc="ssl_shutdown_timeout is how long to wait for the TLS shutdown to complete before aborting the "
    "connection: it bounds the wait; it does not oblige the loop to wait for the peer's close_notify.",
    cpython="Sends close_notify, waits up to the timeout for the peer's, then aborts.",
    decision="MUST: close_notify is sent and a silent peer is cut off within the timeout (late-side slack). "
    "SHOULD: the loop waits the full timeout first (.ssl_shutdown_timeout_waits). The 30 s default itself is "
    "not measured.",
)
note(
    "tls-cert-error-class",
    clause="19.5.1.6 create_connection, ssl / server_hostname (certificate verification)",
    doc="The page says the certificate is verified and matched; it does not name the exception of a failed "
    "verification.",
    cpython="Raises ssl.SSLCertVerificationError (an ssl.SSLError, hence OSError).",
    decision="MUST: the connection fails with an OSError (ssl.SSLError included) and no protocol callback "
    "runs. SHOULD: the class is ssl.SSLCertVerificationError (tls.create_connection.cert_error_class).",
)
note(
    "tls-handshake-timeout-default",
    clause="19.5.1.6 create_connection / create_unix_connection, ssl_handshake_timeout",
    doc="None (the default) means a 60-second handshake limit.",
    cpython="Uses 60 s.",
    decision="Waiting 60 s per check is not affordable: the checks hold the handshake back for a short probe "
    "(0.25 s, DEFAULT_PROBE in suites/_support/limits.py) and require that it still completes (catches a "
    "tiny or zero default). The statement stays partial: an exact 60 s is "
    "not measured.",
)
note(
    "datagram-error-received-undocumented",
    clause="19.5.1.6 create_datagram_endpoint (DatagramProtocol.error_received, protocols page)",
    doc="The loop page promises nothing about ICMP errors; the protocol page says error_received is called "
    "when a send or receive raises OSError.",
    cpython="On Linux a connected endpoint gets error_received(ConnectionRefusedError) after an ICMP "
    "port-unreachable, and stays open.",
    decision="connections.create_datagram_endpoint.error_received is SHOULD and Linux-only.",
)


# -- signals, executor, error handling (sec_14/15/16) -------------------------------------------
note(
    "signals-uncatchable-runtimeerror",
    clause="19.5.1.14 add_signal_handler (asyncio.AbstractEventLoop.add_signal_handler)",
    doc="A signal number that is invalid or cannot be caught is refused with ValueError; RuntimeError is "
    "for problems setting the handler up.",
    cpython="3.10-3.13 raise ValueError only for invalid numbers; SIGKILL and SIGSTOP fail in "
    "signal.signal with EINVAL, which asyncio turns into RuntimeError('sig N cannot be caught').",
    decision="signals.add_signal_handler.uncatchable is MUST that the signal is refused (ValueError or "
    "RuntimeError accepted) and nothing stays registered; the documented ValueError itself cannot be "
    "required while stock CPython raises RuntimeError. The catalogue therefore splits the clause: "
    "add_signal_handler.3 (refused, nothing installed) is a promise this check covers; the exact class is "
    "add_signal_handler.8, kind undefined.",
)
note(
    "errors-connection-made-context",
    clause="19.5.1.16 call_exception_handler (asyncio.AbstractEventLoop.call_exception_handler)",
    doc="The context may carry 'transport' and 'protocol' for errors related to a transport and protocol.",
    cpython="An exception in connection_made of a stream transport is reported like any failing callback "
    "('message', 'exception', 'handle'), without 'transport' or 'protocol'; data_received failures do "
    "carry both.",
    decision="protocol_connection_made requires only 'message' and 'exception' (MUST); the optional keys "
    "are checked for correct values when present (SHOULD, protocol_connection_made_keys, graded like every "
    "other optional key: see errors-optional-context-keys); their presence is not asked, since CPython "
    "reports this failure as a plain callback error.",
)
note(
    "errors-optional-context-keys",
    clause="19.5.1.16 call_exception_handler (asyncio.AbstractEventLoop.call_exception_handler)",
    doc="The context always has 'message'; 'exception', 'future', 'task', 'handle', 'protocol', 'transport', "
    "'socket', 'asyncgen' (and, in later docs, 'source_traceback' and 'handle_traceback') may be present.",
    cpython="Adds 'exception' wherever an exception is reported, 'handle' for failing callbacks and timers, "
    "'future' for unretrieved future/task exceptions, 'transport'/'protocol' for protocol callbacks other "
    "than connection_made, 'asyncgen' for async generator finalisation, 'socket' (the listening socket, in "
    "a TransportSocket wrapper from 3.8) when a server's accept() fails for want of resources (EMFILE, "
    "ENFILE, ENOBUFS, ENOMEM); source/handle tracebacks in debug mode only.",
    decision="One grade for every optional key: its presence is SHOULD at most (the context checks for "
    "'handle', 'future', 'transport'/'protocol', 'asyncgen', 'socket' (accept_out_of_resources, judged by "
    "the listening socket's descriptor and address since a wrapper may stand for it), connection_made's keys). "
    "'message' and 'exception' for an exception that was raised are MUST "
    "(errors.context.message_and_exception), and so is the value of an optional key when present: a key "
    "that names the wrong object misleads the handler. A loop that does not report a server's accept() "
    "failure at all (uvloop 0.23 lets libuv drop the waiting connections silently) fails the 'socket' "
    "check as a SHOULD deviation: the page does not promise that such failures are reported.",
)
note(
    "exception-handler-raises",
    clause="19.5.1.16 set_exception_handler (asyncio.AbstractEventLoop.set_exception_handler)",
    doc="Says how a handler is installed and called; nothing about a handler that raises.",
    cpython="Catches the handler's exception, logs it (with the original context) on the 'asyncio' logger "
    "and carries on.",
    decision="errors.set_exception_handler.handler_error_contained is SHOULD (was MUST): the behaviour is "
    "what applications rely on, but no text promises it.",
)
note(
    "close-removes-signal-handlers",
    clause="19.5.1.1 close / 19.5.1.14 add_signal_handler",
    doc="close() discards pending callbacks and shuts the default executor down; the page says nothing about "
    "signal handlers installed with add_signal_handler.",
    cpython="The Unix loop's close() removes every signal handler it installed, restoring the default dispositions.",
    decision="signals.close.removes_handlers is SHOULD (was MUST): a loop that leaks handlers past close() "
    "breaks applications, but the docs do not promise the clean-up.",
)
note(
    "executor-must-be-thread-pool",
    clause="19.5.1.15 set_default_executor (asyncio.loop.set_default_executor)",
    doc="The executor given should be a ThreadPoolExecutor (a caller obligation); 3.8 deprecated other "
    "executors and 3.11 makes them an error.",
    cpython="3.8-3.10 warn (DeprecationWarning) and accept; 3.11+ raise TypeError.",
    decision="executor.set_default_executor.rejects_non_thread_pool is SHOULD (was MUST), from 3.11: the "
    "docs state what the caller must pass, so refusing is recommended rather than promised.",
)
note(
    "debug-slow-callback-logging",
    clause="page.debug (debug mode; loop.slow_callback_duration)",
    doc="In debug mode, callbacks that take longer than slow_callback_duration (100 ms by default) are "
    "logged; the attribute is documented on the loop page.",
    cpython="Logs a WARNING on the 'asyncio' logger naming the slow handle and its duration.",
    decision="debug.slow_callback.logged is SHOULD (was INFO): a documented debug-mode promise, but about "
    "diagnostics (a log record), not about how the loop runs code; the check lowers the threshold when "
    "the loop has the attribute and otherwise uses the documented 100 ms default.",
)
note(
    "executor-shutdown-timeout-3.12.1",
    clause="shutdown_default_executor (asyncio.loop.shutdown_default_executor, 3.12 docs, timeout parameter)",
    doc="With a timeout, the default executor gets at most that long to join; then a RuntimeWarning is "
    "emitted and the executor is shut down without waiting.",
    cpython="3.12.0 and 3.12.1 wait for the executor's shutdown to finish before applying the timeout, so "
    "the call blocks until every running job ends; fixed in a later 3.12 release and in 3.13.",
    decision="executor.shutdown_default_executor.timeout applies from 3.12.2 (versions='>=3.12.2').",
)


# -- 19.5.1.10 fd watching -------------------------------------------------------------------
note(
    "fdwatch-level-triggered",
    clause="19.5.1.10 add_reader, add_writer",
    doc="Monitoring starts with add_reader/add_writer and lasts until remove_reader/remove_writer; the "
    "callback runs once the fd is available. The page does not say whether an fd that simply stays "
    "available (unread data, room in the send buffer) is reported again.",
    cpython="The selector loops are level-triggered: the callback runs on every poll while the fd stays "
    "ready, in 3.10-3.13.",
    decision="fdwatch.add_*.persists (a fresh readiness each time) is MUST; fdwatch.add_*.repeats_while_* "
    "(readiness that never went away) is SHOULD: an edge-triggered loop keeps the letter of the page "
    "but breaks callers written against the selector loops.",
)

# -- 19.5.1.12 resolution --------------------------------------------------------------------
note(
    "getaddrinfo-order",
    clause="19.5.1.12 getaddrinfo, getnameinfo",
    doc="Each is the asynchronous version of the socket module function of the same name; the page says "
    "nothing about the order of getaddrinfo's entries or the errno of a failure.",
    cpython="Both run the socket function in the default executor, so the answer, its order and the "
    "errno are the system resolver's, in 3.10-3.13.",
    decision="resolution.*.matches_socket (MUST) compare the entries as a set and a failure by class; "
    "resolution.getaddrinfo.matches_socket_order (SHOULD) asks for the same order and errno: callers "
    "rely on the system's address ranking, but a resolver of its own may rank differently.",
)

# -- 19.5.1.8 sendfile, 19.5.1.11 sockets, 19.5.1.13 pipes -------------------------------------
note(
    "sockets-nonblocking-debug-only",
    clause="19.5.1.11 sock_recv, sock_recv_into, sock_sendall, sock_connect, sock_accept, sock_sendfile",
    doc="With SelectorEventLoop the socket passed in must be non-blocking: an obligation of the caller; "
    "the page names no error for a blocking socket.",
    cpython="3.10-3.13 refuse a blocking socket with ValueError only in debug mode; otherwise they accept "
    "it and the loop blocks in the socket call.",
    decision="sockets.<method>.blocking_socket_refused_in_debug are INFO (debug mode only); no check "
    "outside debug mode.",
)
note(
    "pipes-nonblocking-selector-only",
    clause="19.5.1.13 connect_read_pipe, connect_write_pipe",
    doc="The pipe is switched to non-blocking mode, a promise made for SelectorEventLoop only.",
    cpython="The selector loop (the default on UNIX) sets O_NONBLOCK on the pipe in 3.10-3.13.",
    decision="pipes.connect_*_pipe.sets_non_blocking are SHOULD: other loops (proactor, native loops) "
    "are not bound by the clause.",
)
note(
    "sendfile-caller-obligations",
    clause="19.5.1.8 sendfile and 19.5.1.11 sock_sendfile (file and sock arguments)",
    doc="The file must be a regular file opened in binary mode, and sock_sendfile's socket a SOCK_STREAM "
    "socket: obligations of the caller; no exception is named for a violation.",
    cpython="3.10-3.13 raise ValueError for a text-mode file or a non-stream socket, and "
    "SendfileNotAvailableError for a non-regular file with fallback=False; with fallback=True an in-memory "
    "binary stream is silently sent through the fallback.",
    decision="The refusal checks are SHOULD, accept any exception, and cover the non-regular file only "
    "with fallback=False.",
)
note(
    "sock-sendfile-uses-os-sendfile",
    clause="19.5.1.11 sock_sendfile",
    doc="sock_sendfile uses the high-performance os.sendfile when possible.",
    cpython="The UNIX selector loop calls os.sendfile for a regular file over a stream socket in 3.10-3.13.",
    decision="sockets.sock_sendfile.uses_os_sendfile is SHOULD: the clause names a mechanism, not an "
    "observable result, and a loop written in C may call the sendfile syscall without os.sendfile "
    "(indistinguishable from the read-and-send fallback from Python).",
)
note(
    "sendfile-fallback-position",
    clause="19.5.1.8 sendfile and 19.5.1.11 sock_sendfile (file position on error)",
    doc="When the call raises, the file position still reflects the bytes actually sent.",
    cpython="The read-and-send fallback of 3.10-3.13 reads blocks of 256 KiB and advances the position "
    "only by blocks sock_sendall finished: when the peer goes away in the middle of a block, the bytes "
    "of that block already sent are not counted (os.sendfile path: exact).",
    decision="sockets.sock_sendfile.file_position_after_midway_failure (the loop's own path) asks for the "
    "exact position; sockets.sock_sendfile.fallback_position_after_midway_failure asks only that the position "
    "moved and stays within the bytes sent (an untouched position, the end of the file, or bytes read but "
    "not sent fail): stock asyncio departs from the exact reading there.",
)
note(
    "subprocess-text-args",
    clause="subprocess page: loop.subprocess_exec / loop.subprocess_shell (other parameters)",
    doc="shell, universal_newlines/text, bufsize, encoding and errors should not be given (the streams are "
    "bytes, unbuffered), and subprocess_shell's cmd is one string: obligations of the caller; no "
    "exception is named for a violation.",
    cpython="3.10-3.13 raise ValueError for each of them and for a list passed to subprocess_shell.",
    decision="subprocess.subprocess_*.rejects_arguments and subprocess.subprocess_shell.rejects_non_string "
    "are SHOULD (ValueError, as stock asyncio).",
)
note(
    "pipes-write-error-argument",
    clause="19.5.1.13 connect_write_pipe (WriteTransport interface, BaseProtocol.connection_lost)",
    doc="The loop page says nothing about a write to a pipe whose reader is gone; the protocol interface "
    "passes an exception to connection_lost when the connection ends for another reason than EOF or a "
    "local close.",
    cpython="A write that fails with EPIPE ends the transport with connection_lost(BrokenPipeError); if "
    "the loop notices the closed reader before any write, connection_lost(None).",
    decision="connection_lost exactly once is MUST (reader_closed_connection_lost); the error argument is "
    "SHOULD (broken_pipe_error), checked only for a write made before the loop could notice.",
)


# -- TLS (19.5.1.6-9; suites/sec_09_tls.py, suites/sec_09_tls_options.py) -------------------
note(
    "tls-handshake-timeout-validation",
    clause="19.5.1.6 create_connection and 19.5.1.9 start_tls, ssl_handshake_timeout",
    doc="ssl_handshake_timeout is a time in seconds; the docs name no error for a zero or negative value.",
    cpython="3.10-3.13 raise ValueError for a value <= 0 in create_connection and start_tls (create_server "
    "accepts it and only fails per connection, so that is not checked).",
    decision="The handshake_timeout_positive checks are SHOULD: refusing a meaningless timeout up front is "
    "the expected behaviour, but it is not a documented guarantee.",
)
note(
    "tls-close-notify-eof-received",
    clause="19.5.1.6 create_connection, ssl (Protocol.eof_received, protocols page)",
    doc="eof_received is called when the other end signals it will send no more data.",
    cpython="Since 3.11 a peer's close_notify calls eof_received before connection_lost; 3.10's SSL "
    "protocol skips eof_received (and does not answer the close_notify).",
    decision="tls.create_connection.peer_close_notify_eof_received applies to Python 3.11+ only; "
    "connection_lost-once after a close_notify is checked on every version.",
)
note(
    "tls-sendfile-no-fallback-runtimeerror",
    clause="19.5.1.8 sendfile, fallback",
    doc="With fallback=False, sendfile raises SendfileNotAvailableError when the sendfile syscall cannot be "
    "used (the docs give an SSL socket as such a case).",
    cpython="3.10-3.13 raise a plain RuntimeError (the base class of SendfileNotAvailableError) for a TLS transport.",
    decision="tls.sendfile.no_fallback_refused is SHOULD and accepts any RuntimeError, provided nothing is sent.",
)

note(
    "tls-start-tls-argument-types",
    clause="19.5.1.9 start_tls, sslcontext",
    doc="sslcontext must be a configured SSLContext: an obligation of the caller; no error is named.",
    cpython="3.10-3.13 raise TypeError before touching the connection.",
    decision="tls.start_tls.sslcontext_type is SHOULD: an up-front TypeError is the expected refusal, but "
    "not a documented guarantee.",
)

# -- 19.5.1.1-19.5.1.5 and Handle (scheduling suites) ---------------------------------------
note(
    "running-reentry-undocumented",
    clause="19.5.1.1 run_forever / run_until_complete",
    doc="The page does not say what happens when either is called while the loop is already running.",
    cpython="Both raise RuntimeError('This event loop is already running') and the outer run goes on.",
    decision="running.run_forever.reentrant_raises is INFO: recorded, not gating.",
)
note(
    "close-while-running-runtimeerror",
    clause="19.5.1.1 close",
    doc="The loop must not be running when close() is called: an obligation of the caller; no error is named.",
    cpython="Raises RuntimeError('Cannot close a running event loop') and leaves the loop open and running.",
    decision="running.close.while_running_raises is SHOULD: refusing with RuntimeError is the expected "
    "behaviour, not a documented guarantee.",
)
note(
    "run-until-complete-task-factory",
    clause="19.5.1.1 run_until_complete (coroutine argument wrapped by ensure_future())",
    doc="A coroutine argument is wrapped by ensure_future(); the page does not say that this wrapping goes "
    "through create_task() and hence the task factory.",
    cpython="ensure_future(coro, loop=loop) calls loop.create_task(), so a task factory set on the loop is used.",
    decision="running.run_until_complete.coroutine_uses_task_factory is SHOULD.",
)
note(
    "asyncgen-warning-category",
    clause="19.5.1.1 shutdown_asyncgens",
    doc="After shutdown_asyncgens() the loop issues a warning whenever a new asynchronous generator is iterated.",
    cpython="The warning is a ResourceWarning, which the default warning filters hide.",
    decision="running.shutdown_asyncgens.warns_after accepts a warning of any category, recorded with all "
    "warnings enabled.",
)
note(
    "call-soon-context-copy",
    clause="19.5.1.2 call_soon / 19.5.1.3 call_later, call_at (context argument, PEP 567)",
    doc="Without a context argument the current context is used; the page refers to PEP 567 for details.",
    cpython="The callback runs in a copy of the context current at scheduling time (PEP 567): later changes "
    "by the caller are not seen, and the callback's changes do not leak back.",
    decision="calls.call_soon.current_context and delayed.*.current_context are MUST with the PEP 567 (copy) "
    "reading, which the page cites.",
)
note(
    "handle-cancel-after-run",
    clause="page.handle Handle.cancel / Handle.cancelled",
    doc="Cancelling a callback that already ran or was already cancelled has no effect.",
    cpython="Handle.cancel() on a handle whose callback already ran still marks it cancelled: cancelled() "
    "becomes True.",
    decision="handle.cancel.no_effect_after_run checks only what the loop does (no error, no second run); "
    "the cancelled() flag after a late cancel is not checked.",
)
note(
    "timer-clock-resolution",
    clause="19.5.1.3 call_later / call_at",
    doc="The callback is called after the delay (at the deadline): never before it.",
    cpython="A timer is run when its deadline is within the clock resolution of now (1 ns on Linux), so it "
    "can run that much before its deadline.",
    decision="The not_early checks (and the scheduling model) allow 1 microsecond of early-side slack; any "
    "real early firing is still a failure.",
)
note(
    "timerhandle-when-type",
    clause="page.handle TimerHandle.when (3.7)",
    doc="when() returns the scheduled time as a float number of seconds.",
    cpython="Returns the deadline exactly as given to call_at, so an int deadline comes back as an int.",
    decision="delayed.call_at.when compares values only, not the type.",
)
note(
    "timer-due-undocumented",
    clause="19.5.1.3 call_later / call_at",
    doc="Deadlines in the past (negative delays), and how an already-due timer is ordered against callbacks "
    "queued with call_soon, are not described.",
    cpython="A past deadline runs at the next loop iteration, after the callbacks already queued with call_soon.",
    decision="delayed.*.past_deadline and delayed.*.due_after_ready are INFO.",
)
note(
    "task-factory-non-callable-typeerror",
    clause="19.5.1.5 set_task_factory",
    doc="The factory is None or a callable: an obligation of the caller; no error is named.",
    cpython="3.10-3.13 raise TypeError('task factory must be a callable or None') and keep the old factory.",
    decision="tasks.set_task_factory.rejects_non_callable is SHOULD.",
)

note(
    "loop-clock-real-time",
    clause="19.5.1.3 call_later / call_at / time",
    doc="Delays and deadlines are measured by the loop's own internal clock (ideally monotonic); time() "
    "reads that clock. The page does not tie the clock to wall-clock or real time.",
    cpython="The loop's clock is time.monotonic(), so timers and time() follow real time.",
    decision="The checks judged by loop.time() stay MUST; delayed.*.real_time_not_early and "
    "delayed.time.advances (real-time pace) are SHOULD: a virtual-time loop is legitimate.",
)
note(
    "default-handler-logger",
    clause="19.5.1.16 default_exception_handler / call_exception_handler",
    doc="The default exception handler reports (logs) the error; no logger is named.",
    cpython="Logs through logging.getLogger('asyncio') at ERROR level, traceback included.",
    decision="The MUST checks accept the record on any logger; "
    "errors.default_exception_handler.asyncio_logger (SHOULD) asks for the 'asyncio' logger.",
)
note(
    "close-releases-resources",
    clause="19.5.1.1 close",
    doc="close() clears the queues and shuts the executor down; releasing OS resources (file "
    "descriptors) is not stated.",
    cpython="close() closes the selector and the self-pipe at once.",
    decision="running.close.releases_resources is SHOULD: a loop that keeps its fds until it is "
    "garbage-collected leaks them in long-running programs.",
)


def notes_for(note_ids) -> list:
    """The notes named by the given IDs, in a stable order; unknown IDs get a placeholder."""
    out = []
    for nid in sorted(set(n for n in note_ids if n)):
        out.append(
            NOTES.get(
                nid,
                {
                    "id": nid,
                    "clause": "",
                    "doc": "",
                    "cpython": "",
                    "decision": "(note text missing: a bug in loopconf)",
                },
            )
        )
    return out


note(
    "cpython-sendfile-fallback-buffer-reuse",
    clause="19.5.1.8 sendfile (asyncio.AbstractEventLoop.sendfile), fallback=True",
    doc="With fallback=True the loop reads the file and sends it itself when the syscall cannot be used; "
    "the peer receives the file.",
    cpython="3.12 and 3.13 read each chunk into one reused buffer and pass a view of it to transport.write(), "
    "which since 3.12 keeps that view when the socket cannot take everything at once; the next read then "
    "overwrites bytes not yet sent, so the peer can receive corrupted data (seen on 3.12.1; timing-dependent). "
    "3.11 copies the data and is not affected.",
    decision="SHOULD: the check stays strict about the bytes received, but a stock CPython bug must not fail "
    "the gate; the failure shows as non-strict.",
)


# -- hygiene probes (suites/hygiene.py, loopconf.attribution) ----------------------------------
note(
    "hygiene-loop-wide",
    clause="19.5.1.1 close (asyncio.AbstractEventLoop.close)",
    doc="close() clears the queues, shuts the executor down without waiting for it, and is irreversible; "
    "the page does not list the operating-system resources (threads, descriptors, processes) a closed loop "
    "must have given back.",
    cpython="After create, run and close, a selector loop holds no descriptor, thread or child process of its "
    "own (the executor's threads end soon after close()).",
    decision="The hygiene probes releases_fds, stops_threads and reaps_children are SHOULD. They own what the "
    "minimal lifecycle leaves behind: in attributed mode the same leak seen after other checks is reported "
    "once, on the probe, instead of failing each of those checks.",
)


# -- 19.5.1.7-9 gaps (issue #16): server-side caller obligations, default TLS timeouts ----------
note(
    "server-sock-exclusive-caller-obligation",
    clause="19.5.1.7 create_server, sock",
    doc="A caller passing sock= has to leave host and port unset; the page names no exception for a call "
    "that passes both.",
    cpython="Raises ValueError('host/port and sock can not be specified at the same time').",
    decision="servers.create_server.sock_exclusive is SHOULD: refusing the ambiguous call with ValueError is "
    "the expected behaviour, but the documented contract is the caller's obligation.",
)
note(
    "unix-server-path-required-caller-obligation",
    clause="19.5.1.7 create_unix_server, path",
    doc="The caller has to give path unless sock is given; no exception is named for a call with neither.",
    cpython="Raises ValueError('path was not specified, and no sock specified').",
    decision="servers.create_unix_server.path_required is SHOULD (a caller obligation, not a loop promise).",
)
note(
    "server-handshake-timeout-without-ssl",
    clause="19.5.1.7 create_server / connect_accepted_socket, ssl_handshake_timeout",
    doc="ssl_handshake_timeout is described for TLS servers and connections only; the page does not say what "
    "a loop does when it is given without ssl.",
    cpython="Raises ValueError('ssl_handshake_timeout is only meaningful with ssl').",
    decision="tls.create_server.handshake_timeout_requires_ssl and "
    "tls.connect_accepted_socket.handshake_timeout_requires_ssl are SHOULD: a refusal is expected, but the "
    "docs only describe the caller's use of the option.",
)
note(
    "tls-default-timeouts-lower-bound",
    clause="19.5.1.6-9 create_connection / create_unix_connection / create_server / connect_accepted_socket / "
    "start_tls: ssl_handshake_timeout=None (60 s), "
    "ssl_shutdown_timeout=None (30 s, 3.11 docs)",
    doc="None, the default, stands for a 60-second handshake limit and (3.11+) a 30-second TLS shutdown limit.",
    cpython="Uses 60.0 and 30.0 seconds.",
    decision="The *_default checks are MUST but one-sided: with the default, a stalled handshake (or an "
    "unanswered close_notify) is still pending after a short probe (0.25 s, DEFAULT_PROBE), which catches a "
    "loop that treats None as 0 or as a tiny limit. Waiting the full 60 s / 30 s per entry point to prove the "
    "upper side is out of a check's budget and is not measured; the explicit-timeout checks prove the limit is "
    "enforced at all.",
)
note(
    "sendfile-uses-os-sendfile",
    clause="19.5.1.8 sendfile (asyncio.AbstractEventLoop.sendfile)",
    doc="sendfile uses the high-performance os.sendfile where the platform and transport allow it, and "
    "otherwise falls back (when allowed) to reading and sending the file.",
    cpython="Selector loops call os.sendfile for plain socket transports with a regular file.",
    decision="sendfile.sendfile.uses_os_sendfile is SHOULD: the promise is about the mechanism, which is only "
    "observable for a loop that goes through the os module (a loop with its own zero-copy path, e.g. in C, "
    "cannot be observed); the bytes the peer receives are checked at MUST level elsewhere.",
)

note(
    "ssl-check-hostname-needs-server-hostname",
    clause="19.5.1.6 create_connection server_hostname (asyncio.loop.create_connection); changed in 3.13.16, "
    "3.14.8 and 3.15",
    doc="Since the 3.7 page, server_hostname='' turns hostname matching off. The 3.13.16, 3.14.8 and 3.15 "
    "docs add that a context with check_hostname on and no server_hostname is refused with ValueError; the "
    "'' sentence is still on the page, so '' now disables matching only for a context with check_hostname off.",
    cpython="The change is in the ssl module, not asyncio: SSLContext.wrap_bio (used by asyncio's SSLProtocol, "
    "which turns '' into None) now refuses check_hostname without a name, as wrap_socket always did. "
    "3.14.0-3.14.7 and 3.13.0-3.13.15 still accept it (chain verified, no name matched).",
    decision="tls.create_connection.server_hostname_empty (check_hostname context, '' accepted) applies to "
    "'<3.13.16 || >=3.14,<3.14.8'; tls.create_connection.server_hostname_empty_refused (ValueError) to "
    "'>=3.13.16,<3.14 || >=3.14.8'; tls.create_connection.server_hostname_empty_no_check_hostname (check_hostname "
    "off, '' accepted, chain still verified) applies everywhere. 3.12 is taken as unchanged (no 3.12 docs note).",
)
note(
    "py314-removed-watchers-policies",
    clause="subprocess and policy pages, 3.14 (child watchers removed; event-loop policies deprecated for 3.16)",
    doc="3.14 drops the child-watcher classes and functions and the sentence that spawning with an inactive "
    "watcher raises RuntimeError; policies and get/set_event_loop_policy are deprecated, and asyncio.run "
    "takes a loop_factory instead.",
    cpython="3.14.10 and 3.15.2 have no child-watcher names at all; get_event_loop_policy and "
    "set_event_loop_policy warn DeprecationWarning.",
    decision="No check requires or imports a child watcher or a policy on any Python; loops are built from "
    "the factory given to --loop (never a policy). Subprocess checks need no watcher set-up on any version.",
)
