"""Reference loop: 19.5.1.9 and the ssl options of 19.5.1.6-7 (TLS over ssl.MemoryBIO, start_tls).

Placeholder mixin; its owner replaces it with the implementation.
"""


class TLSMixin:
    pass
