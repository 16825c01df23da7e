"""Each broken loop for 19.5.1.16 (error handling API) is flagged on the intended check."""

import pytest

from tests.support import assert_outcomes, run_checks

B = "tests.broken.errors:"

CASES = [
    ("NoHandleContextLoop", ["errors.context.call_soon_callback", "errors.context.call_later_callback"]),
    ("NoFutureContextLoop", ["errors.context.future_never_retrieved", "errors.context.task_never_retrieved"]),
    ("NoTransportContextLoop", ["errors.context.protocol_data_received"]),
    ("NoAsyncgenContextLoop", ["errors.context.asyncgen_aclose"]),
    ("WrongExceptionContextLoop", ["errors.context.call_soon_callback", "errors.context.future_never_retrieved",
                                   "errors.context.protocol_connection_made"]),
    ("NoneNotRestoringLoop", ["errors.set_exception_handler.none_restores_default"]),
    ("GetHandlerNoneLoop", ["errors.get_exception_handler.returns_handler"]),
    ("AcceptsNonCallableLoop", ["errors.set_exception_handler.rejects_non_callable"]),
    ("WrongLoopArgumentLoop", ["errors.set_exception_handler.called_with_loop_and_context",
                               "errors.call_exception_handler.calls_current_handler"]),
    ("SilentDefaultHandlerLoop", ["errors.default_exception_handler.logs_message",
                                  "errors.call_exception_handler.default_when_unset",
                                  "errors.set_exception_handler.none_restores_default",
                                  "errors.default_exception_handler.asyncio_logger"]),
    ("NoTracebackDefaultHandlerLoop", ["errors.default_exception_handler.logs_traceback"]),
    ("OtherLoggerDefaultHandlerLoop", ["errors.default_exception_handler.asyncio_logger"]),
    ("IgnoresCustomHandlerLoop", ["errors.call_exception_handler.calls_current_handler"]),
    ("HandlerErrorPropagatesLoop", ["errors.set_exception_handler.handler_error_contained"]),
    ("HandlerErrorUnloggedLoop", ["errors.set_exception_handler.handler_error_logged"]),
    ("ReportsNormalCallbacksLoop", ["errors.handler.not_called_for_normal_callbacks"]),
    ("ReportsRetrievedExceptionLoop", ["errors.handler.not_called_for_retrieved_exception"]),
    ("WrongProtocolContextLoop", ["errors.context.protocol_connection_made_keys"]),
]


@pytest.mark.parametrize("loop_name,check_ids", CASES, ids=[c[0] for c in CASES])
def test_broken_loop_is_flagged(loop_name, check_ids):
    assert_outcomes(B + loop_name, check_ids, "fail")


def test_stock_loop_passes_the_same_checks():
    """Control: the checks above pass on the unbroken SelectorEventLoop."""
    assert_outcomes("asyncio:SelectorEventLoop", [cid for _, ids in CASES for cid in ids], "pass")

LOGGING_MUSTS = ["errors.default_exception_handler.logs_message",
                 "errors.default_exception_handler.logs_traceback",
                 "errors.call_exception_handler.default_when_unset",
                 "errors.set_exception_handler.none_restores_default"]


def test_other_logger_passes_the_logging_musts():
    """SF-2: the page names no logger, so logging on another (even non-propagating) logger passes."""
    records = run_checks(B + "OtherLoggerDefaultHandlerLoop", *LOGGING_MUSTS)
    assert {cid: r["outcome"] for cid, r in records.items()} == {cid: "pass" for cid in LOGGING_MUSTS}, \
        {cid: r.get("message") for cid, r in records.items()}
