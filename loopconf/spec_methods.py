"""The 46 loop methods documented in the spec (Python 3.7 docs, sections 19.5.1.1-19.5.1.16).

Kept in the repository so the catalogue test (every documented method has checks) runs on every
clone. Listed by section in the order the docs give them; names only, no documentation text.
"""

#: section -> documented methods, in documentation order.
METHODS_BY_SECTION = {
    "19.5.1.1": ("run_forever", "run_until_complete", "is_running", "stop", "is_closed", "close", "shutdown_asyncgens"),
    "19.5.1.2": ("call_soon", "call_soon_threadsafe"),
    "19.5.1.3": ("call_later", "call_at", "time"),
    "19.5.1.4": ("create_future",),
    "19.5.1.5": ("create_task", "set_task_factory", "get_task_factory"),
    "19.5.1.6": ("create_connection", "create_datagram_endpoint", "create_unix_connection"),
    "19.5.1.7": ("create_server", "create_unix_server", "connect_accepted_socket"),
    "19.5.1.8": ("sendfile",),
    "19.5.1.9": ("start_tls",),
    "19.5.1.10": ("add_reader", "remove_reader", "add_writer", "remove_writer"),
    "19.5.1.11": ("sock_recv", "sock_recv_into", "sock_sendall", "sock_connect", "sock_accept", "sock_sendfile"),
    "19.5.1.12": ("getaddrinfo", "getnameinfo"),
    "19.5.1.13": ("connect_read_pipe", "connect_write_pipe"),
    "19.5.1.14": ("add_signal_handler", "remove_signal_handler"),
    "19.5.1.15": ("run_in_executor", "set_default_executor"),
    "19.5.1.16": (
        "set_exception_handler",
        "get_exception_handler",
        "default_exception_handler",
        "call_exception_handler",
    ),
}

#: All documented methods.
METHODS = tuple(m for methods in METHODS_BY_SECTION.values() for m in methods)
