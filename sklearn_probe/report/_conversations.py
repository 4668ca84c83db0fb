"""The report's "try it" section for a sweep of conversations: the example
conversations as readable lines, and the command that labels a file of them."""

from ..utils._conversations import conversation_line, is_conversation

# Characters of an example conversation's line in the report.
EXAMPLE_WIDTH = 160


def chat_examples(result):
    """The sweep's example conversations (empty for texts)."""
    examples = list(result.example_texts or [])
    return examples if examples and is_conversation(examples[0]) else []


def chat_try_section(result, command):
    """Lines of the section: the examples, then ``command``."""
    where = " (held out)" if result.n_test else ""
    lines = [
        "## Try conversations of your own",
        "",
        f"One conversation of each class from the data{where}:",
        "",
    ]
    for conversation in chat_examples(result):
        line = conversation_line(conversation, EXAMPLE_WIDTH).replace("`", "'")
        lines.append(f"- `{line}`")
    lines += [
        "",
        "The saved pipeline labels a file of conversations (one JSON line per "
        'conversation, its messages in a list of {"role", "content"} under the '
        "column named): put your own in the data file's place:",
        "",
        "```sh",
        command,
        "```",
        "",
    ]
    return lines
