"""One answer to "is this argument a local path or a hub name?"."""

import os

_LOCAL_PREFIXES = ("./", "../", "~", ".\\", "..\\")


def looks_like_path(source):
    """True when ``source`` is clearly meant as a local path, not a hub name.

    A path-like object, an absolute path, one starting with ``./``, ``../`` or
    ``~``, or anything that exists on disk. Hub names (``owner/name``) are none
    of these, so a missing local path can be reported at once instead of being
    looked up on the hub.
    """
    text = os.fspath(source)
    return (
        isinstance(source, os.PathLike)
        or os.path.isabs(text)
        or text.startswith(_LOCAL_PREFIXES)
        or os.path.exists(os.path.expanduser(text))
    )
