"""Each broken loop for the TLS suites (19.5.1.6-9) is flagged on the check for the guarantee it
breaks, while a check it does not break still passes on it (the breakage is targeted)."""

import sys

import pytest

from tests.support import run_checks


def glob_of(check_id):
    """--loopconf-check takes globs: escape the '[' of parameter IDs."""
    return check_id.replace("[", "[[]")


B = "tests.broken.tls:"
CC = "tls.create_connection."
ST = "tls.start_tls."

CASES = {
    # loop: (checks that must fail, checks that must still pass)
    "AbortOnCloseLoop": ([CC + "close_notify", ST + "close_notify", "tls.create_server.ssl_context",
                          "tls.create_unix_server.ssl", "tls.connect_accepted_socket.ssl"],
                         [CC + "peer_close_notify_lost_once"]),
    "DoubleLostTlsLoop": ([CC + "peer_close_notify_lost_once", "tls.create_server.peer_close_notify",
                           ST + "peer_close_notify"],
                          [CC + "extra_info"]),
    "ClientIgnoresSslLoop": ([CC + "ssl_context"], ["tls.create_server.ssl_context"]),
    "ServerIgnoresSslLoop": (["tls.create_server.ssl_context"], [CC + "ssl_context"]),
    "UnixConnectionIgnoresSslLoop": (["tls.create_unix_connection.ssl"], ["tls.create_unix_server.ssl"]),
    "UnixServerIgnoresSslLoop": (["tls.create_unix_server.ssl"], ["tls.create_unix_connection.ssl"]),
    "AcceptedIgnoresSslLoop": (["tls.connect_accepted_socket.ssl"], [CC + "ssl_context"]),
    "SslTrueNoVerifyLoop": ([CC + "ssl_true_verifies"], [CC + "ssl_true_default_context"]),
    "NoTlsExtraInfoLoop": ([CC + "extra_info"], [CC + "ssl_context"]),
    "ServerIgnoresClientCertLoop": (["tls.create_server.mutual_tls_refuses", "tls.create_server.mutual_tls_accepts"],
                                    ["tls.create_server.ssl_context"]),
    "NoHostnameCheckLoop": ([CC + "server_hostname_mismatch", CC + "server_hostname_defaults_to_host",
                             ST + "server_hostname_mismatch"],
                            [CC + "server_hostname_override", ST + "server_hostname_match"]),
    "HostNotUsedLoop": ([CC + "server_hostname_defaults_to_host"], [CC + "server_hostname_override"]),
    "ServerHostnameIgnoredLoop": ([CC + "server_hostname_override"], [CC + "server_hostname_defaults_to_host"]),
    "EmptyServerHostnameLoop": ([CC + "server_hostname_empty"], [CC + "server_hostname_override"]),
    "NoServerHostnameRequiredLoop": ([CC + "server_hostname_required",
                                      "tls.create_unix_connection.server_hostname_required"],
                                     [CC + "ssl_context"]),
    "ServerHostnameWithoutSslLoop": ([CC + "server_hostname_requires_ssl"], [CC + "handshake_timeout_requires_ssl"]),
    "IgnoreHandshakeTimeoutLoop": ([CC + "handshake_timeout", "tls.create_server.handshake_timeout",
                                    "tls.connect_accepted_socket.handshake_timeout", ST + "handshake_timeout",
                                    ST + "server_side_handshake_timeout"],
                                   [CC + "handshake_timeout_default"]),
    "EarlyHandshakeTimeoutLoop": ([CC + "handshake_timeout", "tls.create_server.handshake_timeout",
                                   "tls.connect_accepted_socket.handshake_timeout", ST + "handshake_timeout",
                                   ST + "server_side_handshake_timeout"],
                                  [CC + "handshake_timeout_default"]),
    "HandshakeTimeoutWithoutSslLoop": ([CC + "handshake_timeout_requires_ssl",
                                        "tls.create_server.handshake_timeout_requires_ssl",
                                        "tls.connect_accepted_socket.handshake_timeout_requires_ssl"],
                                       [CC + "handshake_timeout"]),
    "NoTimeoutValidationLoop": ([CC + "handshake_timeout_positive[zero]", CC + "handshake_timeout_positive[negative]",
                                 ST + "handshake_timeout_positive[zero]", ST + "handshake_timeout_positive[negative]"],
                                [CC + "handshake_timeout"]),
    "StartTlsReturnsOldLoop": ([ST + "returns_new_transport"], [ST + "sslcontext_type"]),
    "StartTlsPlainAfterLoop": ([ST + "encrypted_after_upgrade"], [ST + "handshake_timeout"]),
    "StartTlsWrongProtocolLoop": ([ST + "protocol_continues"], [ST + "handshake_failure_closes"]),
    "StartTlsServerSideIgnoredLoop": ([ST + "server_side"], [ST + "returns_new_transport"]),
    "StartTlsBadContextAcceptedLoop": ([ST + "sslcontext_type"], [ST + "returns_new_transport"]),
    "DeferredPlainWriteLoop": ([ST + "plaintext_before_upgrade"], [ST + "sslcontext_type"]),
    "NoCloseOnFailureLoop": ([ST + "server_hostname_mismatch", ST + "handshake_failure_closes"],
                             [ST + "sslcontext_type"]),
    "TlsSendfileShortLoop": (["tls.sendfile.fallback_over_tls"], ["tls.sendfile.no_fallback_refused"]),
    "TlsSendfileNoFallbackSendsLoop": (["tls.sendfile.no_fallback_refused"], ["tls.sendfile.fallback_over_tls"]),
}
if sys.version_info >= (3, 11):
    CASES["NoEofReceivedTlsLoop"] = ([CC + "peer_close_notify_eof_received"], [CC + "peer_close_notify_lost_once"])
    CASES["IgnoreShutdownTimeoutLoop"] = ([CC + "ssl_shutdown_timeout"], [CC + "close_notify"])


@pytest.mark.parametrize("loop_name", list(CASES))
def test_broken_tls_loop_is_flagged(loop_name):
    failing, passing = CASES[loop_name]
    records = run_checks(B + loop_name, *(glob_of(c) for c in failing + passing))
    for cid in failing:
        assert cid in records, f"{cid} did not run on {loop_name}"
        assert records[cid]["outcome"] == "fail", (cid, records[cid]["outcome"], records[cid].get("message"))
    for cid in passing:
        assert cid in records, f"{cid} did not run on {loop_name}"
        assert records[cid]["outcome"] == "pass", (cid, records[cid]["outcome"], records[cid].get("message"))
