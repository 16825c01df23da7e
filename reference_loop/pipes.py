"""Reference loop: 19.5.1.13 (connect_read_pipe, connect_write_pipe).

Placeholder mixin; its owner replaces it with the implementation.
"""


class PipesMixin:
    pass
