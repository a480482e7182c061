"""Reading a `--model` file: its text as parsed units, and which top-level statements define.

`read_units` turns a .py file into one parsed unit and a notebook (read with `json`) into one
per code cell, in order, with `%magic`/`!shell` lines and `%%cell` magics left out (a cell that
is still not Python has no tree). `is_definition` says whether a top-level statement only
defines things (an import, a class or function definition, an assignment of a constant:
literals, names, arithmetic, the side-effect-free calls of PURE_CALLS such as
`torch.device(...)`) and so runs; `defined_names` names what any statement would bind, for the
line that says which skipped statement a missing name needs. Nothing here runs the file's code.
"""

from __future__ import annotations

import ast
import json

from pa2cli.errors import UserError

MAX_SOURCE_BYTES = 20_000_000  # a notebook with outputs can be large; a model file is not
# calls allowed in a "constant" assignment: no side effects, common in students' scripts
PURE_CALLS = {"torch.device", "torch.cuda.is_available", "int", "float", "str", "bool", "tuple",
              "list", "dict", "range", "len", "max", "min", "abs", "round"}


def read_units(raw: bytes, path, where: str) -> list:
    """[(ast or None, filename, cell number or None, source)] of a .py file or a notebook."""
    if str(path).lower().endswith(".ipynb"):
        return _notebook_units(raw, where)
    text = _decode(raw, where)
    return [(_parse(text, str(path), where), str(path), None, text)]


def _decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"is not UTF-8 text (byte {exc.start})", where=where,
                        fix="Save the model file as UTF-8.") from None


def _parse(text: str, filename: str, where: str, cell: int | None = None):
    try:
        return ast.parse(text, filename=filename)
    except SyntaxError as exc:
        if cell is not None:
            return None
        raise UserError(f"SyntaxError: {exc.msg} (line {exc.lineno})", where=where,
                        fix=f"Fix that line (run `python {filename}` to see it).") from None
    except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, absurd nesting
        raise UserError(f"cannot be parsed as Python ({type(exc).__name__})", where=where,
                        fix="Give a .py file or a notebook.") from None


def _notebook_units(raw: bytes, where: str) -> list:
    """[(ast or None, filename, cell number, source)] for each code cell of a notebook."""
    try:
        notebook = json.loads(_decode(raw, where))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise UserError(f"is not a notebook (not JSON: {type(exc).__name__})", where=where,
                        fix="Give the .ipynb file Jupyter or Colab saved.") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise UserError("is not a notebook (no list of cells)", where=where,
                        fix="Give the .ipynb file Jupyter or Colab saved.")
    units = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if not isinstance(source, str) or not source.strip():
            continue
        if source.lstrip().startswith("%%"):  # a cell magic (%%bash, %%capture): not Python
            continue
        lines = ["" if line.lstrip().startswith(("%", "!")) else line
                 for line in source.splitlines()]
        text = "\n".join(lines) + "\n"
        filename = f"{where.removeprefix('--model ')}[cell {number}]"
        units.append((_parse(text, filename, where, cell=number), filename, number, text))
    return units


def is_definition(node: ast.stmt) -> bool:
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef,
                         ast.ClassDef)):
        return True
    if isinstance(node, ast.Assign):
        return _is_constant(node.value) and all(_is_plain_target(t) for t in node.targets)
    if isinstance(node, ast.AnnAssign):
        return node.value is not None and _is_constant(node.value) and \
            _is_plain_target(node.target)
    return False


def _is_plain_target(target: ast.expr) -> bool:
    if isinstance(target, ast.Name):
        return True
    return isinstance(target, (ast.Tuple, ast.List)) and all(_is_plain_target(e)
                                                             for e in target.elts)


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _is_constant(node: ast.expr) -> bool:
    """Literals, names and arithmetic on them, and the side-effect-free calls of PURE_CALLS."""
    if isinstance(node, ast.Call):
        return _dotted(node.func) in PURE_CALLS and \
            all(_is_constant(a) for a in node.args) and \
            all(_is_constant(k.value) for k in node.keywords)
    if isinstance(node, (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom,
                         ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        return False
    return all(_is_constant(child) for child in ast.iter_child_nodes(node)
               if isinstance(child, ast.expr))


def defined_names(node: ast.stmt) -> tuple[str, ...]:
    """The names a top-level statement binds (assignments, imports, defs, loops, with ... as)."""
    names: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(current.name)
            continue  # what it binds inside is its own
        if isinstance(current, (ast.Import, ast.ImportFrom)):
            for alias in current.names:
                names.append(alias.asname or alias.name.split(".")[0])
            continue
        if isinstance(current, ast.Name) and isinstance(current.ctx, ast.Store):
            names.append(current.id)
        if isinstance(current, ast.Lambda):
            continue
        stack.extend(ast.iter_child_nodes(current))
    return tuple(dict.fromkeys(names))
