"""Reference loop: 19.5.1.6-7, 19.5.1.8, 19.5.1.11-12 (connections, servers, sendfile, socket operations, resolution).

Placeholder mixin; its owner replaces it with the implementation.
"""


class NetworkMixin:
    pass
