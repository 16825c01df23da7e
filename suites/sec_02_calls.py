"""19.5.1.2 Calls: call_soon and call_soon_threadsafe."""

from loopconf.checks import check
from loopconf.evidence import expect_equal

SECTION = "19.5.1.2"


@check("calls.call_soon.fifo", section=SECTION, method="call_soon",
       requirement="Callbacks registered with call_soon run in the order they were registered.")
def test_call_soon_fifo(loop):
    order = []
    for i in range(10):
        loop.call_soon(order.append, i)
    loop.call_soon(loop.stop)
    loop.run_forever()
    expect_equal(order, list(range(10)), "call_soon callbacks ran out of registration order")
