"""Reference loop: subprocess_exec / subprocess_shell (subprocess page, referenced by 19.5.1.13).

Placeholder mixin; its owner replaces it with the implementation.
"""


class SubprocessMixin:
    pass
