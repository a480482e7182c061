"""Typeset the engine's formulas (pa2cli.expr syntax) as LaTeX for `--format latex`.

Only notation: quantity names become symbols (`z_h1` -> `z_{h1}`, `delta_h1` -> `\\delta_{h1}`,
`dE_da_h1` -> `\\frac{\\partial E}{\\partial a_{h1}}`, `new_w5` -> `w_{5}^{+}`), operators
become LaTeX with only the parentheses precedence needs. It never evaluates anything.
"""

from __future__ import annotations

import ast
import re

_FUNCTIONS = {"exp": r"\exp", "tanh": r"\tanh", "max": r"\max", "step": r"\operatorname{step}"}
_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}


def param(name: str) -> str:
    """`w5` -> `w_{5}`; a name without trailing digits stays as it is (italic)."""
    match = re.fullmatch(r"([A-Za-z]+?)(\d+)", name)
    return f"{match.group(1)}_{{{match.group(2)}}}" if match else rf"\mathit{{{name}}}"


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


def to_latex(text: str) -> str:
    """LaTeX for one formula in pa2cli.expr syntax (`^` is a power)."""
    tree = ast.parse(text.replace("^", "**"), mode="eval")
    return _latex(tree.body)


def number(value: float) -> str:
    """Ten significant figures; `1.5e-05` becomes `1.5 \\times 10^{-5}`."""
    text = f"{value:.10g}"
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


def _wrapped(node: ast.AST, below: int) -> str:
    text = _latex(node)
    return rf"\left({text}\right)" if _rank(node) < below else text


def _latex(node: ast.AST) -> str:
    if isinstance(node, ast.Constant):
        return number(node.value)
    if isinstance(node, ast.Name):
        return symbol(node.id)
    if isinstance(node, ast.UnaryOp):
        return "-" + _wrapped(node.operand, 3)
    if isinstance(node, ast.Call):
        args = ", ".join(_latex(arg) for arg in node.args)
        return rf"{_FUNCTIONS.get(node.func.id, node.func.id)}\left({args}\right)"
    op = type(node.op)
    if op is ast.Div:
        return rf"\frac{{{_latex(node.left)}}}{{{_latex(node.right)}}}"
    if op is ast.Pow:
        return rf"{{{_wrapped(node.left, 5)}}}^{{{_latex(node.right)}}}"
    rank = _PRECEDENCE[op]
    left = _wrapped(node.left, rank)
    # a - (b + c) and a·(b·c), a·(−b) keep their parentheses; a + (b + c) does not need them
    right = _wrapped(node.right, {ast.Add: 1, ast.Sub: 2, ast.Mult: 4}[op])
    symbol_of = {ast.Add: " + ", ast.Sub: " - ", ast.Mult: r" \cdot "}[op]
    return left + symbol_of + right
