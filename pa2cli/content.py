"""Strict loader of the `content/` data: the index and the `pa2 explain` topic files.

It reads TOML with `tomllib` into frozen dataclasses and rejects, as one-line `UserError`s that
name the file and the key: a wrong `format_version`, an unknown key, a missing or empty field,
a value of the wrong type or shape, an expression the safe evaluator does not accept, and a
name an expression uses that the topic does not define. The format is described in the README
("Content format"). This module only reads and validates: it never evaluates maths, never
imports numpy or torch, and never prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pa2cli.content_model import (
    Check,
    ContentIndex,
    Decomposition,
    Function,
    Kink,
    Plot,
    Stage,
    Step,
    Topic,
    Value,
    Variable,
)
from pa2cli.content_fields import check_kind_value, expr_field, range_field, unique, value_field
from pa2cli.errors import UserError
from pa2cli.expr import CONSTANTS, Expression
from pa2cli.paths import content_dir
from pa2cli.strict_toml import Table, read_toml

__all__ = ["Check", "ContentIndex", "Decomposition", "Function", "Kink", "Plot", "Stage", "Step",
           "Topic", "Value", "Variable", "FORMAT_VERSION", "GROUPS", "KINDS", "load_index",
           "load_topic", "load_topics"]

FORMAT_VERSION = 1
GROUPS = ("activation", "loss")
KINDS = ("real", "positive", "onehot", "simplex", "sign", "constant")
DEFAULT_RANGE = (-3.0, 3.0)
_CHECK = re.compile(r"^(?:d(?P<f>\w+)/d(?P<x>\w+)|(?P<value>\w+))$")
_ALIAS = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _check_version(table: Table) -> None:
    version = table.raw("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise UserError(f"unsupported format_version {version!r}", where=table.at("format_version"),
                        fix=f"This pa2 reads format_version = {FORMAT_VERSION}")


# ----------------------------------------------------------------------------- index
def load_index(root: Path | None = None) -> ContentIndex:
    """Read `index.toml` under `root` (default: the shipped content)."""
    root = Path(root) if root is not None else content_dir()
    table = Table(read_toml(root / "index.toml", "index.toml"), "", "index.toml")
    _check_version(table)
    topics = table.strings("topics")
    notation = table.strings("notation") if table.has("notation") else ()
    beyond = table.strings("beyond_assignment", allow_empty=True) if table.has("beyond_assignment") else ()
    for rel in beyond:
        if rel not in topics:
            raise UserError(f"{rel!r} is not in topics", where=table.at("beyond_assignment"),
                            fix="List it under `topics` too")
    networks_table = table.table("networks", required=False)
    networks: tuple[tuple[str, str], ...] = ()
    if networks_table is not None:
        for name, value in networks_table.data.items():
            networks_table.string(name)
        networks = tuple((name, str(value)) for name, value in networks_table.data.items())
        networks_table.done()
    table.done()
    return ContentIndex(topics=topics, networks=networks, root=root, notation=notation, beyond=beyond)


# ----------------------------------------------------------------------------- topics
def load_topic(path: Path, shown: str | None = None) -> Topic:
    """Read and validate one topic file; `shown` is the name used in messages."""
    path = Path(path)
    shown = shown or path.name
    table = Table(read_toml(path, shown), "", shown)
    _check_version(table)
    topic_id = table.string("id")
    if topic_id != path.stem:
        raise UserError(f"id {topic_id!r} differs from the file name", where=table.at("id"),
                        fix=f"Rename the file to {topic_id}.toml or set id = {path.stem!r}")
    title, summary = table.string("title"), table.string("summary")
    group = table.string("group")
    if group not in GROUPS:
        raise UserError(f"unknown group {group!r}", where=table.at("group"), fix=f"Use one of {', '.join(GROUPS)}")
    aliases = table.strings("aliases", allow_empty=True)
    for alias in aliases:
        if not _ALIAS.match(alias):
            raise UserError(f"alias {alias!r} is not lowercase letters, digits and '-'", where=table.at("aliases"))
    definition = table.strings("definition")
    variables = _variables(table.table("variables"))
    names = {v.name for v in variables}
    functions = tuple(_function(t, variables) for t in table.tables("functions"))
    unique([f.id for f in functions], table.at("functions"), "function id")
    ctx = _Context(variables, functions)
    derivation = tuple(_step(t, ctx, names) for t in table.tables("derivation"))
    decomposition = _decomposition(table.table("decomposition"), ctx)
    final = tuple(_step(t, ctx, names, rule=False) for t in table.tables("final"))
    kinks = tuple(_kink(t, ctx) for t in table.tables("kinks", allow_empty=True))
    smooth = table.string("smooth", required=bool(not kinks))
    check_points = tuple(_point(t, ctx) for t in table.tables("check_points"))
    drill_points = tuple(_point(t, ctx) for t in table.tables("drill_points", allow_empty=True))
    plot_table = table.table("plot", required=False)
    plot = _plot(plot_table, ctx) if plot_table is not None else None
    table.done()
    return Topic(id=topic_id, title=title, group=group, summary=summary, aliases=aliases,
                 definition=definition, variables=variables, functions=functions,
                 derivation=derivation, decomposition=decomposition, final=final, kinks=kinks,
                 smooth=smooth, check_points=check_points, plot=plot, path=shown, drill_points=drill_points)


def load_topics(root: Path | None = None) -> tuple[Topic, ...]:
    """Every topic listed in the index, in index order."""
    index = load_index(root)
    return tuple(load_topic(index.root / rel, rel) for rel in index.topics)


@dataclass(frozen=True)
class _Context:
    variables: tuple[Variable, ...]
    functions: tuple[Function, ...]

    def variable(self, name: str) -> Variable | None:
        return next((v for v in self.variables if v.name == name), None)

    def function(self, function_id: str) -> Function | None:
        return next((f for f in self.functions if f.id == function_id), None)






def _variables(table: Table) -> tuple[Variable, ...]:
    if not table.data:
        raise UserError("no variables", where=table.loc(), fix="Add a [variables.<name>] table")
    result = []
    for name in list(table.data):
        sub = table.table(name)
        result.append(_variable(name, sub))
    table.done()
    return tuple(result)


def _variable(name: str, table: Table) -> Variable:
    if not name.isidentifier():
        raise UserError(f"variable name {name!r} is not an identifier", where=table.loc())
    description = table.string("description")
    kind = table.string("kind")
    if kind not in KINDS:
        raise UserError(f"unknown kind {kind!r}", where=table.at("kind"), fix=f"Use one of {', '.join(KINDS)}")
    shape_raw = table.raw("shape")
    if (not isinstance(shape_raw, list) or len(shape_raw) > 1
            or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in shape_raw)):
        raise UserError("shape must be [] (a scalar) or [n] with n > 0", where=table.at("shape"))
    shape = tuple(shape_raw)
    if kind in ("onehot", "simplex") and not shape:
        raise UserError(f"a {kind} variable needs shape = [n]", where=table.at("shape"))
    lo, hi = DEFAULT_RANGE
    if table.has("range"):
        lo, hi = range_field(table, "range")
    if kind == "positive" and lo <= 0:
        raise UserError("a positive variable needs a range above 0", where=table.at("range"))
    sample = value_field(table.raw("sample"), shape, table.at("sample"))
    check_kind_value(kind, sample, table.at("sample"))
    symbol = table.string("symbol", required=False)
    choices: tuple[float, ...] = ()
    if table.has("choices"):
        if kind != "constant" or shape:
            raise UserError("only a scalar constant has choices", where=table.at("choices"))
        raw = table.raw("choices")
        if not isinstance(raw, list) or not raw:
            raise UserError("choices must be a list of numbers", where=table.at("choices"))
        choices = tuple(value_field(v, (), table.at("choices")) for v in raw)
        check_kind_value("positive", choices, table.at("choices"))
    table.done()
    return Variable(name, description, kind, shape, (lo, hi), sample, symbol, choices)








def _check(table: Table, key: str, ctx: _Context, *, gradient_only: bool = False) -> Check:
    text = table.string(key)
    match = _CHECK.match(text)
    function_ids = ", ".join(f.id for f in ctx.functions)
    if not match:
        raise UserError(f"check {text!r} is not 'f' or 'df/dx'", where=table.at(key),
                        fix=f"Functions: {function_ids}")
    if match["value"]:
        if gradient_only:
            raise UserError(f"check {text!r} must be a gradient 'df/dx'", where=table.at(key))
        if ctx.function(match["value"]) is None:
            raise UserError(f"check {text!r} names no function", where=table.at(key), fix=f"Functions: {function_ids}")
        return Check(match["value"], None)
    function = ctx.function(match["f"])
    if function is None:
        raise UserError(f"check {text!r} names no function", where=table.at(key), fix=f"Functions: {function_ids}")
    if match["x"] not in function.wrt:
        raise UserError(f"check {text!r}: {function.id} is not differentiated with respect to {match['x']!r}",
                        where=table.at(key), fix=f"Add it to the function's wrt ({', '.join(function.wrt)})")
    return Check(function.id, match["x"])


def _function(table: Table, variables: tuple[Variable, ...]) -> Function:
    names = {v.name for v in variables}
    function_id = table.string("id")
    if not function_id.isidentifier():
        raise UserError(f"function id {function_id!r} is not an identifier", where=table.at("id"))
    wrt = table.strings("wrt")
    for name in wrt:
        variable = next((v for v in variables if v.name == name), None)
        if variable is None:
            raise UserError(f"wrt names unknown variable {name!r}", where=table.at("wrt"))
        if variable.kind == "constant":
            raise UserError(f"{name!r} is a constant and is never differentiated", where=table.at("wrt"))
    result = Function(function_id, table.string("text"), table.string("latex"), expr_field(table, "expr", names), wrt)
    table.done()
    return result


def _step(table: Table, ctx: _Context, names: set[str], *, rule: bool = True) -> Step:
    text, latex = table.string("text"), table.string("latex")
    rule_text = table.string("rule") if rule else ""
    check = _check(table, "check", ctx)
    expr = expr_field(table, "expr", names)
    note = table.string("note", required=False)
    table.done()
    return Step(text, latex, rule_text, check, expr, note)


def _function_and_wrt(table: Table, ctx: _Context) -> tuple[str, str]:
    """The `function` and `wrt` keys of a table: a known function and one of its variables."""
    function_id = table.string("function")
    function = ctx.function(function_id)
    if function is None:
        raise UserError(f"unknown function {function_id!r}", where=table.at("function"))
    wrt = table.string("wrt")
    if wrt not in function.wrt:
        raise UserError(f"{function_id} is not differentiated with respect to {wrt!r}", where=table.at("wrt"))
    return function_id, wrt


def _decomposition(table: Table, ctx: _Context) -> Decomposition:
    function_id, wrt = _function_and_wrt(table, ctx)
    variables = {v.name for v in ctx.variables}
    stage_tables = table.tables("stages")
    all_names = variables | {t.data.get("name", "") for t in stage_tables}
    stages: list[Stage] = []
    for sub in stage_tables:
        name = sub.string("name")
        if not name.isidentifier() or name in variables or name in {s.name for s in stages}:
            raise UserError(f"stage name {name!r} must be a new identifier", where=sub.at("name"))
        if name in CONSTANTS:
            raise UserError(f"stage name {name!r} is a constant in expressions ({', '.join(sorted(CONSTANTS))})",
                            where=sub.at("name"), fix="Choose another letter (v for an exponential, say)")
        before = variables | {s.name for s in stages}
        op, text, latex = sub.string("op"), sub.string("text"), sub.string("latex")
        expr = expr_field(sub, "expr", before)
        local_table = sub.table("local")
        local = []
        for source in local_table.data:
            if source not in expr.names:
                raise UserError(f"local derivative with respect to {source!r}, which {expr.text!r} does not use",
                                where=local_table.at(source))
            local.append((source, expr_field(local_table, source, all_names)))
        local_table.done()
        if not local:
            raise UserError("empty local table", where=sub.at("local"),
                            fix="Give the derivative with respect to each input that depends on wrt")
        adjoint = expr_field(sub, "adjoint", all_names)
        local_latex = _local_latex(sub, [source for source, _ in local])
        adjoint_latex = sub.string("adjoint_latex", required=False)
        sub.done()
        stages.append(Stage(name, op, text, latex, expr, tuple(local), adjoint, local_latex, adjoint_latex))
    chain = tuple(_step(t, ctx, all_names) for t in table.tables("chain"))
    table.done()
    return Decomposition(function_id, wrt, tuple(stages), chain)


def _local_latex(stage: Table, sources: list[str]) -> tuple[tuple[str, str], ...]:
    """`local_latex`, optional: the LaTeX of each local derivative, keyed like `local`."""
    table = stage.table("local_latex", required=False)
    if table is None:
        return ()
    result = []
    for source in sources:
        if source not in table.data:
            raise UserError(f"no LaTeX for the local derivative with respect to {source!r}",
                            where=table.at(source), fix="Give one entry per key of `local`")
        result.append((source, table.string(source)))
    table.done()
    return tuple(result)


def _assignments(table: Table, ctx: _Context) -> tuple[tuple[str, Value], ...]:
    result = []
    for name in table.data:
        variable = ctx.variable(name)
        if variable is None:
            raise UserError(f"unknown variable {name!r}", where=table.at(name),
                            fix=f"Variables: {', '.join(v.name for v in ctx.variables)}")
        value = value_field(table.raw(name), variable.shape, table.at(name))
        check_kind_value(variable.kind, value, table.at(name))
        result.append((name, value))
    table.done()
    return tuple(result)


def _kink(table: Table, ctx: _Context) -> Kink:
    at_table = table.table("at")
    at = _assignments(at_table, ctx)
    if not at:
        raise UserError("empty point", where=table.at("at"), fix="Give the variables' values at the kink")
    text = table.string("text")
    latex = table.string("latex", required=False)
    check = _check(table, "check", ctx, gradient_only=True)
    names = {v.name for v in ctx.variables}
    torch = expr_field(table, "torch", names)
    base, along = None, ()
    sub = table.table("subgradients", required=False)
    if sub is not None:
        base = expr_field(sub, "from", names)
        along = tuple(expr_field(sub, "along", names, text) for text in sub.strings("along"))
        sub.done()
    table.done()
    return Kink(at, text, latex, check, torch, base, along)


def _point(table: Table, ctx: _Context) -> tuple[tuple[str, Value], ...]:
    return _assignments(table, ctx)


def _plot(table: Table, ctx: _Context) -> Plot:
    param = table.string("param")
    if not param.isidentifier():
        raise UserError(f"param {param!r} is not an identifier", where=table.at("param"))
    lo_hi = range_field(table, "range")
    function_id, wrt = _function_and_wrt(table, ctx)
    variables = {v.name for v in ctx.variables}
    bind: list[tuple[str, Expression]] = []
    bind_table = table.table("bind", required=False)
    if bind_table is not None:
        for name in bind_table.data:
            if name not in variables:
                raise UserError(f"unknown variable {name!r}", where=bind_table.at(name))
            bind.append((name, expr_field(bind_table, name, variables | {param})))
        bind_table.done()
    if param not in variables and not bind:
        raise UserError(f"param {param!r} is not a variable", where=table.at("param"),
                        fix="Name a scalar variable or bind variables to expressions of it")
    if param in variables and ctx.variable(param).shape:
        raise UserError(f"param {param!r} must be a scalar", where=table.at("param"))
    component = None
    if table.has("component"):
        raw = table.raw("component")
        shape = ctx.variable(wrt).shape
        if not isinstance(raw, int) or isinstance(raw, bool) or not shape or not 0 <= raw < shape[0]:
            raise UserError("component must be an index into the vector wrt", where=table.at("component"))
        component = raw
    elif ctx.variable(wrt).shape:
        raise UserError(f"{wrt!r} is a vector: say which component of the gradient to draw",
                        where=table.at("component"), fix="Add component = 0")
    xlabel = table.string("xlabel", required=False)
    table.done()
    return Plot(param, lo_hi, function_id, wrt, tuple(bind), component, xlabel)
