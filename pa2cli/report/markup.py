"""pa2's own lines of report prose as Markdown and as LaTeX.

A line may carry outside strings (a sweep folder's path, a config value from results.json)
marked with `code()`: those are set in code (a Markdown code span nothing inside can end, LaTeX
`\\texttt` through the one-pass escaper `escape_text`), never read as Markdown or as maths.
Everything else is pa2's prose: Markdown-escaped, or typeset by the explain package's
`latex_text` (maths runs, code, a real minus sign, ``quotes'', --options in code). Pure string
work, linear in the length of its input; it reads no file and computes nothing.
"""

from __future__ import annotations

import re

from pa2cli.errors import printable

CODE = "\x1f"  # marks a path in pa2's own lines (printable() keeps control codes out of paths)
CODE_PART = re.compile(r"\x1f([^\x1f]*)\x1f|`([^`]*)`")


def code(text: str) -> str:
    return f"{CODE}{text}{CODE}"


def plain(line: str) -> str:
    """A line for the terminal: the path marks dropped."""
    return line.replace(CODE, "")


def _parts(text: str):
    """(is_code, text) pieces: marked paths and `code` spans, and the prose between."""
    at = 0
    for m in CODE_PART.finditer(text):
        yield False, text[at:m.start()]
        yield True, m[1] if m[1] is not None else m[2]
        at = m.end()
    yield False, text[at:]


MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>&~])")


def code_span(text: str) -> str:
    """`text` as a Markdown code span that nothing inside can end (CommonMark: a fence longer
    than any run of backticks in it); inside a code span no HTML or link is interpreted."""
    text = printable(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def markdown_line(text: str) -> str:
    """A line of pa2's own prose whose `code` parts may hold outside strings (paths)."""
    return "".join(code_span(part) if is_code else markdown_escape(part) for is_code, part in _parts(text))


def markdown_escape(text: str) -> str:
    """Text from a results folder as inert Markdown: no HTML, no link, no code span ends early."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", printable(text)).replace("javascript:", "javascript&#58;")


def demote(markdown: str, levels: int) -> str:
    return re.sub(r"^(#+) ", lambda m: "#" * (len(m[1]) + levels) + " ", markdown, flags=re.M)


def minus_sign(text: str) -> str:
    """A real minus sign (U+2212) before a number: −0.2, not -0.2."""
    return re.sub(r"(?<![\w.\-])-(?=\d)", "\u2212", text)


def latex_line(text: str) -> str:
    """One line of prose as LaTeX: `code` and --options in \texttt (-{}- so no en dash), a real
    minus sign before numbers, "quotes" as ``quotes''; everything else through latex_text."""
    from pa2cli.explain.prose import escape_text, latex_text

    out = []
    for is_code, part in _parts(text):
        if is_code:
            out.append(r"\texttt{" + re.sub(r"(/|\\_)", r"\1\\allowbreak{}", escape_text(part).replace("-", "-{}")) + "}")
            continue
        done = latex_text(part)
        pieces = re.split(r"(\$[^$]*\$)", done)
        for j, piece in enumerate(pieces):
            if j % 2 == 0:
                piece = re.sub(r"(?<![\w-])--([A-Za-z][\w-]*)", lambda m: r"\texttt{-{}-" + m[1].replace("-", "-{}") + "}", piece)
                piece = re.sub(r"(?<![\w.\-{}])-(?=\d)", r"$-$", piece)
                piece = re.sub(r'"([^"\n]*)"', r"``\1''", piece)
            out.append(piece)
    return "".join(out)
