"""What every subcommand shares: the one-line error, argument types, common flags."""

import argparse
import re


class UserError(Exception):
    """A mistake in the command line or its inputs: reported in one line."""


def one_line(exc):
    """``exc`` as one line of text (a KeyError names itself)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, KeyError):  # str(KeyError) is the quoted key alone
        text = f"{type(exc).__name__}: {text}"
    return text


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


def positive_int(text):
    """An int >= 0 (argparse type)."""
    return _number(text, int, "an int", lambda v: v >= 0, ">= 0")


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
