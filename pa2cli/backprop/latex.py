"""Typeset the engine's formulas (pa2cli.expr syntax) as LaTeX for `--format latex`.

Only notation: quantity names become symbols (`z_h1` -> `z_{h1}`, `delta_h1` -> `\\delta_{h1}`,
`dE_da_h1` -> `\\frac{\\partial E}{\\partial a_{h1}}`, `new_w5` -> `w_{5}^{+}`), operators
become LaTeX with only the parentheses precedence needs. It never evaluates anything.
"""

from __future__ import annotations

import ast
import re

from pa2cli.backprop.engine import format_number

_FUNCTIONS = {"exp": r"\exp", "tanh": r"\tanh", "max": r"\max", "step": r"\operatorname{step}"}
_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}


def param(name: str) -> str:
    """`w5` -> `w_{5}`, `W11_1` -> `W_{11\\_1}`; a name without digits after its letters stays as
    it is (italic)."""
    match = re.fullmatch(r"([A-Za-z]+?)(\d[\w]*)", name)
    if match:  # W11_1 -> W_{11\_1}: the name as printed, its digits as the subscript
        return f"{match.group(1)}_{{{match.group(2).replace('_', chr(92) + '_')}}}"
    return rf"\mathit{{{name.replace('_', chr(92) + '_')}}}"


def symbol(name: str) -> str:
    """The LaTeX symbol of a quantity, parameter, input or target name."""
    prefixes = [
        ("dE_da_", lambda n: rf"\frac{{\partial E}}{{\partial a_{{{n}}}}}"),
        ("delta_", lambda n: rf"\delta_{{{n}}}"),
        ("grad_", lambda n: rf"\frac{{\partial E}}{{\partial {param(n)}}}"),
        ("new_", lambda n: rf"{param(n)}^{{+}}"),
        ("loss_", lambda n: rf"E_{{{n}}}"),
        ("z_", lambda n: rf"z_{{{n}}}"), ("a_", lambda n: rf"a_{{{n}}}"),
        ("t_", lambda n: rf"t_{{{n}}}"),
    ]
    if name == "loss":
        return "E"
    if name == "η":
        return r"\eta"
    for prefix, make in prefixes:
        if name.startswith(prefix):
            return make(name[len(prefix):])
    return param(name)


def to_latex(text: str, line_width: int | None = None) -> str:
    """LaTeX for one formula in pa2cli.expr syntax (`^` is a power).

    With `line_width`, a sum wider than about that many printed characters is broken between
    terms onto continuation lines of an align* (`&\\quad + …`), so it stays on the page."""
    # A sum is split into its terms as text first, so a node fed by thousands of edges never
    # builds (or recurses through) a thousands-deep tree; each term is parsed on its own.
    chunks = _top_level_terms(text.replace("^", "**"))
    tree = ast.parse(chunks[0][1], mode="eval").body
    terms = [(sign, ast.parse(chunk, mode="eval").body) for sign, chunk in chunks[1:]]
    pieces = [_latex(tree)] + [sign + _wrapped(term, 1 if sign == " + " else 2)
                               for sign, term in terms]
    lines = [""]
    for piece in pieces:
        if lines[-1] and _printed_width(lines[-1] + piece) > (line_width or 0):
            lines.append(r"\quad")
        lines[-1] += piece
    return " \\\\ &".join(lines) if line_width else "".join(pieces)


_SUM_TOKENS = re.compile(r"[()\[\]]| [+-] ")


def _top_level_terms(text: str) -> list[tuple[str, str]]:
    """`a + b*(c - d) - e` -> [("", "a"), (" + ", "b*(c - d)"), (" - ", "e")]: the operands of
    the outermost sum, split where the engine writes " + " or " - " outside any bracket."""
    chunks, depth, start, sign = [], 0, 0, ""
    for match in _SUM_TOKENS.finditer(text):  # jumps from bracket to operator: fast in Python
        token = match.group()
        if token in ("(", "["):
            depth += 1
        elif token in (")", "]"):
            depth -= 1
        elif depth == 0 and match.start() > start:
            chunks.append((sign, text[start:match.start()]))
            sign, start = token, match.end()
    chunks.append((sign, text[start:]))
    return chunks


def _printed_width(latex: str) -> int:
    """Roughly how many characters `latex` prints: commands and braces count as nothing."""
    return len(re.sub(r"\\left|\\right|\\(?:cdot|mathit|frac|exp|tanh|max|operatorname)|[{}]",
                      "", latex))


def number(value: float) -> str:
    """Ten significant figures; `1.5e-05` becomes `1.5 \\times 10^{-5}`."""
    text = format_number(value)
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def _rank(node: ast.AST) -> int:
    if isinstance(node, ast.BinOp):
        return _PRECEDENCE[type(node.op)]
    if isinstance(node, ast.UnaryOp):
        return 3
    return 5


def _wrapped(node: ast.AST, below: int, first: bool = False) -> str:
    """`node`, in parentheses when its precedence is below `below`, or when it is a negation
    that does not open the formula (`a + (-0.3) \\cdot b`, never `a + -0.3 \\cdot b`)."""
    text = _latex(node, first)
    if _rank(node) < below or (isinstance(node, ast.UnaryOp) and not first):
        return rf"\left({_latex(node, True)}\right)"
    return text


def _latex(node: ast.AST, first: bool = True) -> str:
    """LaTeX for `node`; `first` when it opens the formula or a bracket (a bare leading minus)."""
    if isinstance(node, ast.Constant):
        return number(node.value)
    if isinstance(node, ast.Name):
        return symbol(node.id)
    if isinstance(node, ast.UnaryOp):
        return "-" + _wrapped(node.operand, 3)
    if isinstance(node, ast.Call):
        args = ", ".join(_latex(arg) for arg in node.args)
        name = _FUNCTIONS.get(node.func.id, rf"\operatorname{{{node.func.id}}}")
        return rf"{name}\left({args}\right)"
    op = type(node.op)
    if op is ast.Div:
        return rf"\frac{{{_latex(node.left)}}}{{{_latex(node.right)}}}"
    if op is ast.Pow:
        return rf"{{{_wrapped(node.left, 5)}}}^{{{_latex(node.right)}}}"
    rank = _PRECEDENCE[op]
    left = _wrapped(node.left, rank, first)
    # a - (b + c) and a·(b·c), a·(−b) keep their parentheses; a + (b + c) does not need them
    right = _wrapped(node.right, {ast.Add: 1, ast.Sub: 2, ast.Mult: 4}[op])
    symbol_of = {ast.Add: " + ", ast.Sub: " - ", ast.Mult: r" \cdot "}[op]
    return left + symbol_of + right
