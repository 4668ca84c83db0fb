"""What every subcommand shares: the one-line error, argument types, common flags."""

import argparse
import re
import textwrap

# Parameters of the Python API whose flag has another name.
API_ALIASES = {"random_state": "--seed"}


class UserError(Exception):
    """A mistake in the command line or its inputs: reported in one line."""


def one_line(exc):
    """``exc`` as one line of text (a KeyError names itself)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, KeyError):  # str(KeyError) is the quoted key alone
        text = f"{type(exc).__name__}: {text}"
    return text


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """``--help`` text: each option's default, unless it is None or empty or the
    help already says what it is; indented paragraphs of a description or an
    epilog (the examples) kept as written."""

    def _get_help_string(self, action):
        text = action.help or ""
        default = action.default
        if (
            default in (None, [], False, argparse.SUPPRESS)
            or not action.option_strings
            or "default" in text.lower()
        ):
            return text
        if isinstance(default, list | tuple):
            default = " ".join(map(str, default))
        return f"{text} (default: {default})".replace("%", "%%")

    def _fill_text(self, text, width, indent):
        paragraphs = []
        for paragraph in text.split("\n\n"):
            if paragraph.startswith("  "):
                paragraphs.append(textwrap.indent(paragraph, indent))
            else:
                paragraphs.append(super()._fill_text(paragraph, width, indent))
        return "\n\n".join(paragraphs)


def examples(*lines):
    """An epilog of example command lines, one per line."""
    return "examples:\n\n" + "\n".join(f"  {line}" for line in lines)


def flag_names(parser):
    """``{parameter: flag}`` for the long options of ``parser`` (``max_length``:
    ``--max-length``), and the API's parameters that another flag sets."""
    names = dict(API_ALIASES)
    for action in parser._actions:
        long = [o for o in action.option_strings if o.startswith("--")]
        if long:
            names[action.dest] = long[0]
    return names


def speak_flags(message, flags):
    """A message of the Python API in the command's words: ``max_length=128``
    becomes ``--max-length 128``, ``text_column=`` ``--text-column``, ``model=
    'minilm'`` ``--model minilm``, ``name=True`` the flag alone, and a bare
    parameter name with an underscore (``raise max_length``) its flag. A
    parameter whose flag the message names already is left as it is (the
    message speaks to both)."""
    flags = {name: flag for name, flag in flags.items() if flag not in message}
    if not flags:
        return message
    names = "|".join(sorted(map(re.escape, flags), key=len, reverse=True))

    def keyword(match):
        value = match[2].strip("'\"")
        return (
            f"{flags[match[1]]} {value}"
            if value not in ("", "True")
            else (flags[match[1]])
        )

    message = re.sub(
        rf"(?<![\w./'(-])({names})=('[^']*'|\"[^\"]*\"|[^\s,;:)'\"]*)",
        keyword,
        message,
    )
    snake = "|".join(re.escape(n) for n in flags if "_" in n)
    if not snake:
        return message
    return re.sub(rf"(?<![\w./'(-])({snake})(?![\w'=])", lambda m: flags[m[1]], message)


def add_common_flags(parser):
    """-q, -v and --debug, which every subcommand takes."""
    flags = parser.add_argument_group("messages")
    flags.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bars or messages"
    )
    flags.add_argument(
        "-v", "--verbose", action="store_true", help="log what happens (INFO)"
    )
    flags.add_argument("--debug", action="store_true", help="show tracebacks of errors")


def _number(text, convert, noun, accept, rule):
    """``convert(text)`` when ``accept`` takes it, else argparse's error naming
    ``noun`` (what it is not) or ``rule`` (what it must be)."""
    try:
        value = convert(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None
    if not accept(value):
        raise argparse.ArgumentTypeError(f"{text!r} must be {rule}")
    return value


def count(text):
    """An int >= 0 (argparse type): a number of things where 0 means all."""
    return _number(text, int, "an int", lambda v: v >= 0, ">= 0")


def positive_int(text):
    """An int >= 1 (argparse type)."""
    return _number(text, int, "an int", lambda v: v >= 1, "at least 1")


def folds(text):
    """A number of cross-validation folds, an int >= 2 (argparse type)."""
    return _number(text, int, "an int", lambda v: v >= 2, "at least 2 (folds)")


def positive_float(text):
    """A number > 0 (argparse type)."""
    return _number(text, float, "a number", lambda v: v > 0, "> 0")


def fraction(text):
    """A number in [0, 1) (argparse type)."""
    return _number(text, float, "a number", lambda v: 0 <= v < 1, "in [0, 1)")


def layers(text):
    """'all', '3', '-1', '0,2,4', '1-4', '0,3-5' -> 'all' or a list of ints."""
    text = text.strip()
    if text == "all":
        return "all"
    found = []
    for part in text.split(","):
        part = part.strip()
        if re.fullmatch(r"-?\d+", part):
            found.append(int(part))
        elif m := re.fullmatch(r"(\d+)-(\d+)", part):
            low, high = int(m[1]), int(m[2])
            if low > high:
                raise argparse.ArgumentTypeError(f"empty range {part!r}")
            found.extend(range(low, high + 1))
        else:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not 'all' or a list of layers such as '0,2,4' or '1-4'"
            )
    return found


def sizes(text):
    """'linear' / '0' / '' -> (); '256' -> (256,); '256,64' or '256x64' -> (256, 64)."""
    text = text.strip().lower()
    if text in ("linear", "0", "", "()"):
        return ()
    try:
        widths = tuple(int(p) for p in re.split(r"[,x]", text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not 'linear' or layer widths such as '256' or '256,64'"
        ) from None
    if any(s < 1 for s in widths):
        raise argparse.ArgumentTypeError(f"{text!r}: widths must be >= 1")
    return widths


def say(text=""):
    """Print one line to standard output, flushed.

    When the reader has gone (``sklearn-probe sweep | head``), the rest of the
    output is discarded quietly, as Unix tools do, and the command carries on
    (a sweep still writes its report): standard output is pointed at the null
    device so that neither this nor the flush at exit raises again.
    """
    import os
    import sys

    try:
        print(text, flush=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def default_max_length(unit):
    """The ``max_length`` default of the transformer that ``unit`` uses
    (``HiddenStateTransformer`` for texts, ``WordHiddenStateTransformer`` for
    words and arcs): the command's default is the API's."""
    import inspect

    from ..hidden import HiddenStateTransformer, WordHiddenStateTransformer

    kind = HiddenStateTransformer if unit == "text" else WordHiddenStateTransformer
    return inspect.signature(kind).parameters["max_length"].default
