"""A small, safe arithmetic evaluator: typed quiz answers and the checkable forms in content/.

An expression is parsed with `ast` and only a whitelist of nodes is accepted: numbers, names,
+ - * / ** (and ^ as a power, as students write it), unary minus, one comparison, calls of the
functions in `FUNCTIONS`, subscripts and list literals. It never calls `eval`, never reads
attributes and never sees builtins. The same parsed expression can be evaluated with numpy
(the default) or with torch (`torch_backend()`, imported lazily: only tests and
`pa2 explain --verify` use it), so content is checked against autograd with the very text the
user reads.

Work is bounded before it is done: the length limit applies before anything else looks at the
text, the nesting depth before evaluation, a call's number of arguments at parse time, and the
shape of every intermediate array is worked out from its operands' shapes *before* numpy
allocates it (at most `MAX_ELEMENTS` elements: answers are scalars or short vectors). Every
failure is an ExprError with a plain reason; user text is only ever quoted via `excerpt()`.
"""

from __future__ import annotations

import ast
import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from pa2cli.errors import excerpt

MAX_LENGTH = 1000
MAX_DEPTH = 40
MAX_ELEMENTS = 10_000  # the largest array any step may produce

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
# How many arguments each function takes (its usage, for the message when that is wrong).
ARITY = {name: ((1,), f"{name}(x)") for name in FUNCTIONS}
ARITY.update({
    "dot": ((2,), "dot(a, b)"), "maximum": ((2,), "maximum(a, b)"),
    "minimum": ((2,), "minimum(a, b)"), "max": ((1, 2), "max(x) or max(a, b)"),
    "min": ((1, 2), "min(x) or min(a, b)"), "where": ((3,), "where(condition, a, b)"),
    "clip": ((3,), "clip(x, low, high)"),
})
NEGATIVE_POWER = "a negative number to a fractional power has no real value"


class ExprError(ValueError):
    """The text is not an expression this evaluator accepts, or it cannot be evaluated."""


class UnknownName(ExprError):
    """A name the expression uses has no value: `name` is the first such, in reading order."""

    def __init__(self, message: str, name: str):
        super().__init__(message)
        self.name = name


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
    """A parsed, validated expression; `names` are the free variables it needs, `order` the
    same names in the order they are first read (left to right)."""

    text: str
    tree: ast.Expression = field(repr=False, compare=False)
    names: frozenset[str] = frozenset()
    order: tuple[str, ...] = ()

    def evaluate(self, variables: Mapping[str, Any] | None = None, backend: Backend | None = None):
        backend = backend or _default_backend()
        env = variables if variables is not None else {}  # read only: never copied
        missing = [n for n in self.order if n not in env and n not in CONSTANTS]
        if missing:  # the first one as the text reads, not the first in the alphabet
            raise UnknownName(f"unknown name {excerpt(missing[0])} in {excerpt(self.text)}",
                              missing[0])
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # numpy's "Mean of empty slice" -> a reason
                if backend.name == "numpy":
                    with _np().errstate(all="ignore"):
                        return _eval(self.tree.body, env, backend)
                return _eval(self.tree.body, env, backend)
        except ExprError:
            raise
        except ZeroDivisionError:
            raise ExprError(f"cannot evaluate {excerpt(self.text)}: division by zero") from None
        except OverflowError:
            raise ExprError(f"cannot evaluate {excerpt(self.text)}: the result is too large") \
                from None
        except MemoryError:
            raise ExprError(f"cannot evaluate {excerpt(self.text)}: too large to compute") \
                from None
        except (ArithmeticError, ValueError, TypeError, IndexError, RuntimeError,
                Warning) as exc:
            raise ExprError(f"cannot evaluate {excerpt(self.text)}: {_reason(exc)}") from None


def _reason(exc: BaseException) -> str:
    """The library's own message as a plain reason: its first line, short, with no file paths."""
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else ""
    if not text or "/" in text or "\\" in text or "numpy" in text.lower() or len(text) > 160:
        return f"the numbers do not fit together ({type(exc).__name__})"
    return text


_BACKEND: Backend | None = None


def _default_backend() -> Backend:
    global _BACKEND
    if _BACKEND is None:
        _BACKEND = numpy_backend()
    return _BACKEND


def parse(text: str) -> Expression:
    """Parse and validate `text`; raise ExprError naming the first thing that is not allowed."""
    if not isinstance(text, str):
        raise ExprError("empty expression")
    if len(text) > MAX_LENGTH:  # first: nothing below may cost more than a short text does
        raise ExprError(f"expression longer than {MAX_LENGTH} characters ({len(text)})")
    if not text.strip():
        raise ExprError("empty expression")
    if "\x00" in text or "\ufffd" in text:
        raise ExprError("the text is not UTF-8 (it has NUL bytes or undecodable bytes); save "
                        "or type it as UTF-8")
    source = text.strip().translate(_TRANSLATE)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"not a valid expression ({exc.msg})") from None
    except UnicodeError:  # a lone surrogate (from a JSON "\\udfff"): a ValueError, not depth
        raise ExprError("not a valid expression (it holds a lone surrogate, which is not a "
                        "character)") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExprError("expression nested too deeply") from None
    names: dict[str, None] = {}  # an ordered set: first use first
    _check(tree.body, names, depth=0)
    return Expression(text=text.strip(), tree=tree, names=frozenset(names), order=tuple(names))


def evaluate(text: str, variables: Mapping[str, Any] | None = None, backend: Backend | None = None):
    """Parse and evaluate in one go."""
    return parse(text).evaluate(variables, backend)


def evaluate_number(text: str, variables: Mapping[str, Any] | None = None) -> float:
    """Evaluate to one finite float (a typed answer); raise ExprError otherwise."""
    value = evaluate(text, variables)
    np = _np()
    array = np.asarray(value)
    if array.shape != ():
        raise ExprError(f"{excerpt(text.strip())} is not a single number")
    if np.iscomplexobj(array):
        raise ExprError(f"{excerpt(text.strip())}: {NEGATIVE_POWER}")
    number = float(array)
    if math.isnan(number):
        raise ExprError(f"{excerpt(text.strip())} has no real value (e.g. the square root or the "
                        "log of a negative number)")
    if not math.isfinite(number):
        raise ExprError(f"{excerpt(text.strip())} is not a finite number")
    return number


def _check(node: ast.AST, names: dict[str, None], depth: int) -> None:
    """Refuse what is not allowed; note each name in `names` (children in reading order)."""
    if depth > MAX_DEPTH:
        raise ExprError("expression nested too deeply")
    kind = type(node)
    if kind is ast.Constant:
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExprError(f"only numbers are allowed, not {excerpt(repr(node.value))}")
        return
    if kind is ast.Name:
        names.setdefault(node.id)
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
            raise ExprError(f"unknown function {excerpt(name)}; allowed: {', '.join(FUNCTIONS)}")
        if node.keywords:
            raise ExprError("keyword arguments are not allowed")
        counts, usage = ARITY[node.func.id]
        if len(node.args) not in counts:
            raise ExprError(f"{node.func.id} takes {' or '.join(map(str, counts))} argument"
                            f"{'' if counts == (1,) else 's'}, as in {usage}; got {len(node.args)}")
        children = list(node.args)
    elif kind is ast.Subscript:
        children = [node.value, node.slice]
    elif kind is ast.List:
        if not node.elts:
            raise ExprError("an empty list [] has no value")
        children = list(node.elts)
    else:
        raise ExprError(f"{excerpt(ast.unparse(node))} is not allowed in an expression")
    for child in children:
        _check(child, names, depth + 1)


def _shape(value) -> tuple[int, ...]:
    return tuple(getattr(value, "shape", ()))


def _size(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


def _ensure_small(shape: tuple[int, ...]) -> None:
    if _size(shape) > MAX_ELEMENTS:
        dims = " x ".join(map(str, shape))
        raise ExprError(f"a step would build an array of {dims} = {_size(shape)} numbers; at most "
                        f"{MAX_ELEMENTS} are allowed (answers are single numbers or short lists)")


def _broadcast(*values) -> None:
    """Refuse an elementwise operation whose result would be too large, before it is computed."""
    shapes = [_shape(v) for v in values]
    if all(len(s) <= 1 for s in shapes) and all(_size(s) <= MAX_ELEMENTS for s in shapes):
        return  # scalars and vectors: the result is no larger than the largest operand
    try:
        shape = _np().broadcast_shapes(*shapes)
    except ValueError:
        return  # the operation itself will say the shapes do not fit
    _ensure_small(tuple(shape))


def _product_shape(a, b) -> tuple[int, ...]:
    """The shape of dot(a, b) / a @ b, from the shapes alone (numpy's rules for 2-D and less)."""
    sa, sb = _shape(a), _shape(b)
    if len(sa) > 2 or len(sb) > 2:
        raise ExprError("dot and @ take numbers, lists or tables of numbers (at most 2-D)")
    if not sa or not sb:
        return sa or sb
    return sa[:-1] + sb[1:] if len(sb) == 2 else sa[:-1]


def _power(a, b, backend: Backend):
    _broadcast(a, b)
    if backend.name == "numpy":
        np = _np()
        base, exponent = np.asarray(a), np.asarray(b)
        if np.any((base < 0) & (exponent != np.round(exponent))):
            raise ExprError(NEGATIVE_POWER)
    return a**b


def _call(name: str, args: list, backend: Backend):
    if name in ("dot",):
        _ensure_small(_product_shape(*args))
    elif len(args) > 1:
        _broadcast(*args)
    return backend.functions[name](*args)


def _list(items: list, backend: Backend):
    shapes = {_shape(item) for item in items}
    if len(shapes) > 1:
        raise ExprError("the items of a list must have the same shape (all numbers, or all "
                        "lists of the same length)")
    _ensure_small((len(items), *next(iter(shapes))))
    return backend.array(items)


def _item(value, index):
    shape = _shape(value)
    if not shape:
        raise ExprError("only a list can be indexed, as in [1, 2][0]")
    if _shape(index) or not float(index).is_integer():
        raise ExprError("an index must be a whole number, as in [1, 2][0]")
    position = int(index)
    if not -shape[0] <= position < shape[0]:
        raise ExprError(f"index {float(index):g} is outside a list of {shape[0]} (the first is 0)")
    return value[position]


def _eval(node: ast.AST, env: dict, backend: Backend):
    kind = type(node)
    if kind is ast.Constant:
        return float(node.value)
    if kind is ast.Name:
        return env[node.id] if node.id in env else CONSTANTS[node.id]
    if kind is ast.BinOp:
        left, right = _eval(node.left, env, backend), _eval(node.right, env, backend)
        op = type(node.op)
        if op is ast.Pow:
            return _power(left, right, backend)
        if op is ast.MatMult:
            _ensure_small(_product_shape(left, right))
        else:
            _broadcast(left, right)
        return _BINARY[op](left, right)
    if kind is ast.UnaryOp:
        return _UNARY[type(node.op)](_eval(node.operand, env, backend))
    if kind is ast.Compare:
        left, right = _eval(node.left, env, backend), _eval(node.comparators[0], env, backend)
        _broadcast(left, right)
        return _COMPARE[type(node.ops[0])](left, right)
    if kind is ast.Call:
        return _call(node.func.id, [_eval(arg, env, backend) for arg in node.args], backend)
    if kind is ast.Subscript:
        index = _eval(node.slice, env, backend)
        value = _eval(node.value, env, backend)
        return _item(value, index)
    if kind is ast.List:
        return _list([_eval(item, env, backend) for item in node.elts], backend)
    raise ExprError(f"{excerpt(ast.unparse(node))} is not allowed")  # unreachable after _check
