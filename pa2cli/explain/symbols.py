"""How names from a topic file are written for a reader: a variable by its optional `symbol`
(`yhat` -> ŷ), a function by the symbol on the left of its defining text (`L_sum(ŷ, y) = …` ->
L_sum), and a gradient as ∂L/∂ŷ (d… for a scalar variable).

Plain text only, for every renderer (terminal, Markdown, LaTeX, plot): no maths, no numpy, no
printing, and no knowledge of any particular topic.
"""

from __future__ import annotations

from pa2cli.content import Check, Topic


def defined_symbol(text: str, fallback: str, longest: int = 8) -> str:
    """The symbol a line defines: the left side of its first '=', before any '(' ("σ(x) = …" -> σ)."""
    if "=" not in text:
        return fallback
    left = text.split("=", 1)[0].strip().split("(", 1)[0].strip()
    return left if 0 < len(left) <= longest and " " not in left else fallback


def variable_symbols(topic: Topic) -> dict[str, str]:
    return {v.name: v.symbol or v.name for v in topic.variables}


def function_symbols(topic: Topic) -> dict[str, str]:
    return {f.id: defined_symbol(f.text, f.id) for f in topic.functions}


def check_label(topic: Topic, check: Check) -> str:
    """∂L/∂ŷ for a gradient (d… when the variable is a scalar), L for a value."""
    function = function_symbols(topic)[check.function]
    if check.wrt is None:
        return function
    d = "∂" if topic.variable(check.wrt).shape else "d"
    space = " " if d == "d" and len(function) > 1 and function.isascii() and function.isalpha() else ""
    return f"{d}{space}{function}/{d}{variable_symbols(topic)[check.wrt]}"
