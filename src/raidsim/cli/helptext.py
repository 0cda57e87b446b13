"""Help that reads well at 80 columns: each command's help text tidied once it is built.

Typer's Rich help keeps the single line breaks of a docstring's later paragraphs (so a
docstring wrapped at 88 characters prints ragged at 80), reads ``[channels]`` in a help
string as Rich markup (and drops it), and cuts a long default without spaces with an
ellipsis (``final_drive,tyre_pressur…``). :func:`tidy_command` fixes all three on the
click command, so the commands' sources keep their natural docstrings:

* a paragraph's lines are joined (list items, indented lines and ``\\b`` paragraphs,
  which click keeps as written, stay as they are) and Rich markup is escaped;
* every option's help is escaped;
* a default longer than :data:`LONG_DEFAULT` characters is written into the help text,
  with a space after each comma so it wraps, instead of Typer's default column.
"""

from __future__ import annotations

import re
from typing import Any

from rich.markup import escape

__all__ = ["LONG_DEFAULT", "reflow", "tidy_command"]

#: defaults longer than this are written into the help text, where they can wrap
LONG_DEFAULT = 24
_KEEP_LINE = re.compile(r"^(\s+|[-*•] |\d+[.)] )")


def reflow(text: str) -> str:
    """``text`` with the single line breaks inside each paragraph joined."""
    paragraphs = []
    for para in text.strip().split("\n\n"):
        if para.startswith("\b"):
            paragraphs.append(para)
            continue
        lines: list[str] = []
        for line in para.split("\n"):
            if lines and not _KEEP_LINE.match(line):
                lines[-1] = f"{lines[-1].rstrip()} {line.strip()}"
            else:
                lines.append(line.rstrip())
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def _default_text(default: Any) -> str | None:
    if isinstance(default, str):
        return default
    if isinstance(default, list | tuple) and default and all(isinstance(x, str) for x in default):
        return ", ".join(default)
    return None


def tidy_command(command: Any) -> Any:
    """Tidy ``command``'s help (a click command built by Typer) in place; returns it."""
    if command.help:
        command.help = escape(reflow(command.help))
    if getattr(command, "short_help", None):
        command.short_help = escape(reflow(command.short_help))
    for param in getattr(command, "params", []):
        help_text = getattr(param, "help", None)
        if help_text:
            param.help = escape(reflow(help_text).replace("\n", " "))
        text = _default_text(getattr(param, "default", None))
        if text is not None and len(text) > LONG_DEFAULT and param.show_default is not False:
            spaced = re.sub(r",(?=\S)", ", ", text)
            param.help = f"{param.help or ''} {escape(f'[default: {spaced}]')}".strip()
            param.show_default = False
    return command
