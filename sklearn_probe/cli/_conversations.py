"""Conversations from the command: ``sweep --messages-column`` and
``predict --jsonl``, their checks, and one readable line per conversation."""

from ..hidden import parse_tokens
from ._common import UserError

EXAMPLE_ROW = (
    '{"messages": [{"role": "user", "content": "Is it good?"}, '
    '{"role": "assistant", "content": "Yes."}], "label": 1}'
)


def check_conversation_arguments(args):
    """``--tokens`` of a role or a message needs ``--messages-column``, which
    needs text samples: a clear error before any model loads."""
    messages = getattr(args, "messages_column", None)
    if messages is not None and args.unit != "text":
        raise UserError(
            f"--messages-column reads conversations, which are text samples; "
            f"--unit {args.unit} reads sentences split into words. Drop one."
        )
    chat = [t for t in args.tokens if parse_tokens(t).needs_conversations]
    if chat and messages is None:
        raise UserError(
            f"--tokens {' '.join(chat)} selects the tokens of a role or a message "
            "of a conversation, but the data are plain texts. Give a .jsonl (or "
            ".json, .parquet) file whose column holds each row's messages and "
            "name it with --messages-column, e.g. one line: " + EXAMPLE_ROW + " "
            "with --messages-column messages; or use --tokens all, first, last, "
            "first:N, last:N or regex:PATTERN for plain texts."
        )


def is_chat_data(texts):
    """Whether a sweep's samples are conversations."""
    from ..utils._conversations import is_conversation

    texts = list(texts[:1]) if hasattr(texts, "__getitem__") else list(texts)
    return bool(texts) and is_conversation(texts[0])


def _reads_conversations(pipeline):
    """Whether the pipeline's text step selects a role's or a message's tokens."""
    from ..hidden import HiddenStateTransformer

    steps = getattr(pipeline, "steps", [(None, pipeline)])
    for _, step in steps:
        if isinstance(step, HiddenStateTransformer):
            return parse_tokens(step.tokens).needs_conversations
    return False


def check_takes_sentences(pipeline, args):
    """A pipeline that reads a role's tokens labels conversations: lines of
    text are refused with the way to give it conversations."""
    if _reads_conversations(pipeline):
        raise UserError(
            f"The pipeline {args.pipeline!r} reads the tokens of a role or a "
            "message of conversations; sentences have none. Give it "
            "conversations: --jsonl FILE, one JSON line per conversation, e.g. "
            + EXAMPLE_ROW
        )


def read_conversation_file(args):
    """The conversations of ``--jsonl`` (its ``--messages-column``), checked
    row by row; arguments, --file and standard input are not read with it."""
    from ..datasets import load_text_file

    if args.sentences or args.file:
        raise UserError(
            "--jsonl labels the conversations of a file; sentences (arguments "
            "or --file) cannot be labelled in the same call. Drop one."
        )
    try:
        frame = load_text_file(
            args.jsonl, label_column=None, messages_column=args.messages_column
        )
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    return frame["text"].tolist()


def add_jsonl_arguments(predict):
    """``predict --jsonl FILE --messages-column NAME``."""
    predict.add_argument(
        "--jsonl",
        metavar="FILE",
        help="label conversations instead: a .jsonl (or .json, .parquet) file "
        'whose --messages-column holds each row\'s list of {"role", "content"} '
        "messages, as 'sklearn-probe sweep --messages-column' reads them",
    )
    predict.add_argument(
        "--messages-column",
        default="messages",
        help="the column of --jsonl that holds the messages",
    )
