"""Conversations (lists of ``{"role", "content"}`` messages) as one short
readable line, for reports, pictures and the command's output."""

import numpy as np


def is_conversation(item):
    """Whether ``item`` is a conversation (a list of messages), not a text."""
    return not isinstance(item, str | bytes | dict) and isinstance(
        item, list | tuple | np.ndarray
    )


def conversation_line(conversation, width=None):
    """``"user: Is it good? / assistant: Yes."``: every message as
    ``role: content`` (white space collapsed), joined by `` / ``; cut at
    ``width`` characters with an ellipsis when ``width`` is given."""
    line = " / ".join(
        f"{message['role']}: {' '.join(str(message['content']).split())}"
        for message in conversation
    )
    if width is not None and len(line) > width:
        line = line[: max(width - 1, 1)].rstrip() + "\u2026"
    return line


def readable(item, width=None):
    """A text as it is; a conversation as :func:`conversation_line`."""
    return conversation_line(item, width) if is_conversation(item) else item
