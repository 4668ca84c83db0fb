"""What a sweep read besides the model and its layers: the site, the tokens
and the probe, in the report's title and settings.

A sweep's ``settings`` name the site of the model it read (``"site"``:
``"residual"``, ``"attention"``, ``"mlp"``, ...), the tokens it pooled over
(``"tokens"``: ``"all"``, ``"assistant"``, ...) and its probe (``"probe"``).
:func:`probed` lists those that differ from the defaults (the residual
stream, every token, the linear probe), so a report of the default sweep reads
as before and any other names what it probed; a result saved without these
keys has nothing to add.
"""

#: The value of each setting that the report leaves unsaid.
DEFAULTS = {"site": ("residual",), "tokens": ("all", None), "probe": ("linear",)}


def probed(settings):
    """``[(name, words)]`` of the site, tokens and probe that ``settings``
    hold and that are not the defaults, in that order."""
    found = []
    for key, defaults in DEFAULTS.items():
        value = settings.get(key)
        if key not in settings or _plain(value) in defaults:
            continue
        words = _words(value)
        if key == "site" and settings.get("head") is not None:
            words += f", head {_words(settings['head'])}"
        found.append((key, words))
    return found


def probed_title(settings):
    """``" (site: attention; tokens: assistant)"`` for the report's title, or
    ``""`` when the sweep read the defaults."""
    found = probed(settings)
    if not found:
        return ""
    return (
        " ("
        + "; ".join(f"{_plural(key, settings)}: {words}" for key, words in found)
        + ")"
    )


def _plural(key, settings):
    """``"sites"`` for a sweep over several sites; the key as it is otherwise."""
    value = settings.get(key)
    several = isinstance(value, list | tuple) and len(value) > 1
    return f"{key}s" if several and not key.endswith("s") else key


def _plain(value):
    """A one-value list as its value, so that ``["residual"]`` is the default."""
    if isinstance(value, list | tuple) and len(value) == 1:
        return _plain(value[0])
    return value if isinstance(value, str) or value is None else repr(value)


def _words(value):
    """A setting as the report writes it: a list comma-separated, a mapping as
    ``key=value`` pairs."""
    if isinstance(value, dict):
        return ", ".join(f"{k}={_words(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_words(v) for v in value)
    return str(value)
