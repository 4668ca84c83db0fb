"""Conversations rendered with the tokenizer's chat template, and where each
message's content lands in the rendered text (for ``tokens=`` selections of a
role or a message, :mod:`._tokens`)."""

import re

# Placeholders of message contents when the chat template is rendered to find
# where each content lands (Unicode private-use characters: no text has them
# by accident, and no template changes them).
_OPEN, _CLOSE = "\ue000", "\ue001"
_MARK = re.compile(f"{_OPEN}(\\d+){_CLOSE}")


def check_chat_template(tokenizer):
    """A clear error when ``tokenizer`` cannot render conversations."""
    if getattr(tokenizer, "chat_template", None):
        return
    name = getattr(tokenizer, "name_or_path", "") or type(tokenizer).__name__
    raise ValueError(
        f"X holds conversations, but the tokenizer of {name!r} has no chat "
        "template to render them. Give it one and save it with the model "
        "(tokenizer.chat_template = '<jinja template>'; "
        "tokenizer.save_pretrained(path)), use a chat model's checkpoint, or pass "
        "the conversations as plain texts."
    )


def render(tokenizer, conversation):
    """``(text, spans)``: ``conversation`` rendered with the chat template, and
    ``(role, start, end)`` of every message's content in that text.

    The template is rendered twice: with the real contents, and with numbered
    placeholders in their place, whose positions say where each content lands
    (a template that trims contents is allowed for).
    """
    messages = [dict(m) for m in conversation]
    text = tokenizer.apply_chat_template(messages, tokenize=False)
    marked = [dict(m, content=f"{_OPEN}{i}{_CLOSE}") for i, m in enumerate(messages)]
    parts = _MARK.split(tokenizer.apply_chat_template(marked, tokenize=False))
    order = [int(i) for i in parts[1::2]]
    if order != list(range(len(messages))):
        raise ValueError(
            "The chat template does not write each message once, in order (it "
            f"wrote messages {order} of {len(messages)}), so the tokens of a "
            "message cannot be located. Use a template that writes every message "
            "(some templates drop or merge a system message), or tokens='all'."
        )
    for form in (lambda c: c, str.strip):
        pieces, spans, at = [], [], 0
        for index, between in enumerate(parts[0::2]):
            pieces.append(between)
            at += len(between)
            if index < len(messages):
                content = form(messages[index]["content"])
                spans.append((messages[index]["role"], at, at + len(content)))
                pieces.append(content)
                at += len(content)
        if "".join(pieces) == text:
            return text, spans
    raise ValueError(
        "The chat template changes the text of the messages (beyond trimming "
        "whitespace), so the tokens of a message cannot be located in the "
        "rendered conversation. Use tokens='all' or 'regex:<pattern>', or a "
        "template that writes the contents as they are."
    )
