"""A small, safe arithmetic evaluator: typed quiz answers and the checkable forms in content/.

An expression is parsed with `ast` and only a whitelist of nodes is accepted: numbers, names,
+ - * / ** (and ^ as a power, as students write it), unary minus, one comparison, calls of the
functions in `FUNCTIONS`, subscripts and list literals. It never calls `eval`, never reads
attributes and never sees builtins. The same parsed expression can be evaluated with numpy
(the default) or with torch (`torch_backend()`, imported lazily: only tests and
`pa2 explain --verify` use it), so content is checked against autograd with the very text the
user reads.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

MAX_LENGTH = 1000
MAX_DEPTH = 40

# Characters people paste from slides or type on other keyboards, mapped to Python operators.
# `^` becomes `**` before parsing, so it binds like a power (2*3^2 = 18, -2^2 = -4), not like xor.
_TRANSLATE = str.maketrans({"−": "-", "–": "-", "×": "*", "·": "*", "÷": "/", "⋅": "*",
                            "^": "**"})

# The function names an expression may call; each backend supplies all of them.
FUNCTIONS = (
    "exp", "log", "ln", "sqrt", "abs", "sign", "tanh", "sigmoid", "relu", "step",
    "sum", "mean", "dot", "norm", "max", "min", "maximum", "minimum", "where",
    "softmax", "clip",
)
CONSTANTS = {"pi": math.pi, "e": math.e, "nan": math.nan}


class ExprError(ValueError):
    """The text is not an expression this evaluator accepts, or it cannot be evaluated."""


@dataclass(frozen=True)
class Backend:
    """How to evaluate: a function per name in FUNCTIONS, and how to build a list literal."""

    name: str
    functions: Mapping[str, Callable[..., Any]]
    array: Callable[[list], Any]


def _np():
    import numpy as np  # numpy is cheap next to torch, but `pa2 --help` needs neither

    return np


def numpy_backend() -> Backend:
    np = _np()

    def softmax(z):
        z = np.asarray(z, dtype=float)
        shifted = np.exp(z - np.max(z))
        return shifted / np.sum(shifted)

    def reduce_or_pair(reduce, pair):
        return lambda *args: reduce(args[0]) if len(args) == 1 else pair(*args)

    functions = {
        "exp": np.exp, "log": np.log, "ln": np.log, "sqrt": np.sqrt, "abs": np.abs,
        "sign": np.sign, "tanh": np.tanh,
        "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float))),
        "relu": lambda x: np.maximum(x, 0.0),
        "step": lambda x: np.where(np.asarray(x) > 0, 1.0, 0.0),
        "sum": np.sum, "mean": np.mean, "dot": np.dot, "norm": np.linalg.norm,
        "max": reduce_or_pair(np.max, np.maximum), "min": reduce_or_pair(np.min, np.minimum),
        "maximum": np.maximum, "minimum": np.minimum,
        "where": lambda c, a, b: np.where(c, a, b),
        "softmax": softmax, "clip": np.clip,
    }
    return Backend("numpy", functions, lambda items: np.asarray(items, dtype=float))


def torch_backend() -> Backend:
    """Evaluate with torch float64 tensors, so autograd can differentiate content expressions."""
    import torch

    def t(x):
        return x if isinstance(x, torch.Tensor) else torch.as_tensor(x, dtype=torch.float64)

    def pair(fn):
        return lambda a, b: fn(t(a), t(b))

    def reduce_or_pair(reduce, binary):
        return lambda *args: reduce(t(args[0])) if len(args) == 1 else pair(binary)(*args)

    functions = {
        "exp": lambda x: torch.exp(t(x)), "log": lambda x: torch.log(t(x)),
        "ln": lambda x: torch.log(t(x)), "sqrt": lambda x: torch.sqrt(t(x)),
        "abs": lambda x: torch.abs(t(x)), "sign": lambda x: torch.sign(t(x)),
        "tanh": lambda x: torch.tanh(t(x)), "sigmoid": lambda x: torch.sigmoid(t(x)),
        "relu": lambda x: torch.relu(t(x)),
        "step": lambda x: torch.where(t(x) > 0, t(1.0), t(0.0)),
        "sum": lambda x: torch.sum(t(x)), "mean": lambda x: torch.mean(t(x)),
        "dot": pair(torch.dot), "norm": lambda x: torch.linalg.vector_norm(t(x)),
        "max": reduce_or_pair(torch.max, torch.maximum),
        "min": reduce_or_pair(torch.min, torch.minimum),
        "maximum": pair(torch.maximum), "minimum": pair(torch.minimum),
        "where": lambda c, a, b: torch.where(t(c).bool(), t(a), t(b)),
        "softmax": lambda z: torch.softmax(t(z), dim=-1),
        "clip": lambda x, lo, hi: torch.clamp(t(x), lo, hi),
    }
    return Backend("torch", functions, lambda items: torch.stack([t(i) for i in items]))


_BINARY = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a**b,
    ast.MatMult: lambda a, b: a @ b,
}
_UNARY = {ast.USub: lambda a: -a, ast.UAdd: lambda a: +a}
_COMPARE = {
    ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b, ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b,
}


@dataclass(frozen=True)
class Expression:
    """A parsed, validated expression; `names` are the free variables it needs."""

    text: str
    tree: ast.Expression = field(repr=False, compare=False)
    names: frozenset[str] = frozenset()

    def evaluate(self, variables: Mapping[str, Any] | None = None, backend: Backend | None = None):
        backend = backend or _default_backend()
        env = dict(variables or {})
        missing = sorted(n for n in self.names if n not in env and n not in CONSTANTS)
        if missing:
            raise ExprError(f"unknown name {missing[0]!r} in {self.text!r}")
        try:
            if backend.name == "numpy":
                with _np().errstate(all="ignore"):
                    return _eval(self.tree.body, env, backend)
            return _eval(self.tree.body, env, backend)
        except ExprError:
            raise
        except ZeroDivisionError:
            raise ExprError(f"cannot evaluate {self.text!r}: division by zero") from None
        except OverflowError:
            raise ExprError(f"cannot evaluate {self.text!r}: the result is too large") from None
        except (ArithmeticError, ValueError, TypeError, IndexError, RuntimeError) as exc:
            raise ExprError(f"cannot evaluate {self.text!r}: {exc}") from None


_BACKEND: Backend | None = None


def _default_backend() -> Backend:
    global _BACKEND
    if _BACKEND is None:
        _BACKEND = numpy_backend()
    return _BACKEND


def parse(text: str) -> Expression:
    """Parse and validate `text`; raise ExprError naming the first thing that is not allowed."""
    if not isinstance(text, str) or not text.strip():
        raise ExprError("empty expression")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"expression longer than {MAX_LENGTH} characters")
    source = text.strip().translate(_TRANSLATE)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"not a valid expression ({exc.msg})") from None
    names: set[str] = set()
    _check(tree.body, names, depth=0)
    return Expression(text=text.strip(), tree=tree, names=frozenset(names))


def evaluate(text: str, variables: Mapping[str, Any] | None = None, backend: Backend | None = None):
    """Parse and evaluate in one go."""
    return parse(text).evaluate(variables, backend)


def evaluate_number(text: str, variables: Mapping[str, Any] | None = None) -> float:
    """Evaluate to one finite float (a typed answer); raise ExprError otherwise."""
    value = evaluate(text, variables)
    np = _np()
    array = np.asarray(value, dtype=float)
    if array.shape != ():
        raise ExprError(f"{text.strip()!r} is not a single number")
    number = float(array)
    if not math.isfinite(number):
        raise ExprError(f"{text.strip()!r} is not a finite number")
    return number


def _check(node: ast.AST, names: set[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ExprError("expression nested too deeply")
    kind = type(node)
    if kind is ast.Constant:
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExprError(f"only numbers are allowed, not {node.value!r}")
        return
    if kind is ast.Name:
        names.add(node.id)
        return
    if kind is ast.BinOp and type(node.op) in _BINARY:
        children = [node.left, node.right]
    elif kind is ast.UnaryOp and type(node.op) in _UNARY:
        children = [node.operand]
    elif kind is ast.Compare and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
        children = [node.left, *node.comparators]
    elif kind is ast.Call:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
            raise ExprError(f"unknown function {name!r}; allowed: {', '.join(FUNCTIONS)}")
        if node.keywords:
            raise ExprError("keyword arguments are not allowed")
        children = list(node.args)
    elif kind is ast.Subscript:
        children = [node.value, node.slice]
    elif kind is ast.List:
        children = list(node.elts)
    else:
        raise ExprError(f"{ast.unparse(node)!r} is not allowed in an expression")
    for child in children:
        _check(child, names, depth + 1)


def _eval(node: ast.AST, env: dict, backend: Backend):
    kind = type(node)
    if kind is ast.Constant:
        return float(node.value)
    if kind is ast.Name:
        return env[node.id] if node.id in env else CONSTANTS[node.id]
    if kind is ast.BinOp:
        return _BINARY[type(node.op)](_eval(node.left, env, backend), _eval(node.right, env, backend))
    if kind is ast.UnaryOp:
        return _UNARY[type(node.op)](_eval(node.operand, env, backend))
    if kind is ast.Compare:
        left, right = _eval(node.left, env, backend), _eval(node.comparators[0], env, backend)
        return _COMPARE[type(node.ops[0])](left, right)
    if kind is ast.Call:
        args = [_eval(arg, env, backend) for arg in node.args]
        return backend.functions[node.func.id](*args)
    if kind is ast.Subscript:
        index = _eval(node.slice, env, backend)
        return _eval(node.value, env, backend)[int(index)]
    if kind is ast.List:
        return backend.array([_eval(item, env, backend) for item in node.elts])
    raise ExprError(f"{ast.unparse(node)!r} is not allowed")  # unreachable after _check
