"""`--model FILE.py:Name` / `NOTEBOOK.ipynb:Name`: the student's model class, without their script.

A Colab-exported training script mounts Google Drive, loads data, defines the class and then
trains, all at its top level. `load_file` parses the file with `ast` and runs only what defines
things: top-level imports, class and function definitions, docstrings and constant assignments
(literals, names, arithmetic, `torch.device(...)`). Every other statement (drive mounts, data
loading, training loops, prints, `if __name__ == "__main__":` blocks) is skipped and counted;
an import of a module that is not installed (`from google.colab import drive`) is skipped and
named. A notebook is read with `json`: its code cells in order, `%magic`/`!shell` lines and
`%%cell` magics left out. The file's own folder is on `sys.path` only while its imports run.

When the class needs a name that only a skipped statement defines, `missing_name_error` turns
the `NameError` into one line naming the name and the line that defines it. A class defined
inside a function (`def main(): class Net...`) is defined at the top level when asked for.
`constructor_kwargs` fills `num_classes`, `in_channels` and `input_size` from the data and adds
`--model-args`. Loaded files are cached per (path, size, modification time), so the runs of a
sweep share one load. This module never trains; mistakes are one-line `UserError`s.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import json
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

from pa2cli.errors import UserError, excerpt

MODEL_FIX = ("Use --model path/to/file.py:Name (or notebook.ipynb:Name), where Name is an "
             "nn.Module subclass or a function returning one.")
MAX_SOURCE_BYTES = 20_000_000  # a notebook with outputs can be large; a model file is not
MAX_MODEL_ARGS_CHARS = 10_000
FILLED_FROM_DATA = ("num_classes", "in_channels", "input_size")
# calls allowed in a "constant" assignment: no side effects, common in students' scripts
_PURE_CALLS = {"torch.device", "torch.cuda.is_available", "int", "float", "str", "bool", "tuple", "list", "dict", "range",
               "len", "max", "min", "abs", "round"}


@dataclass
class Skipped:
    """A top-level statement that was not run: where it is, its first line, and why."""

    where: str  # "line 12" or "cell 3, line 2"
    text: str  # its first source line, stripped
    names: tuple[str, ...]  # the names it would have defined
    why: str = ""  # "" (not a definition) or what failed ("module 'google.colab' is not installed")


@dataclass
class LoadedFile:
    path: Path
    module: types.ModuleType
    statements: int = 0  # top-level statements seen
    skipped: list[Skipped] = field(default_factory=list)
    missing_modules: list[str] = field(default_factory=list)
    nested: dict = field(default_factory=dict)  # class name -> (ClassDef node, where, outer)
    sources: dict = field(default_factory=dict)  # compile filename -> source lines

    def summary(self) -> str:
        """The header line: what ran and what did not."""
        ran = self.statements - len(self.skipped)
        text = (f"Model file {self.path.name}: ran {ran} of {self.statements} top-level "
                f"statements (imports, definitions, constants); skipped {len(self.skipped)}")
        if self.missing_modules:
            text += " including the import of " + ", ".join(self.missing_modules) + \
                    " (not installed)"
        return text + "."

    def definer(self, name: str) -> Skipped | None:
        for skipped in self.skipped:
            if name in skipped.names:
                return skipped
        return None


_CACHE: dict[tuple, LoadedFile] = {}


def split_spec(spec: str) -> tuple[Path, str]:
    path_text, sep, name = str(spec).rpartition(":")
    if not sep or not path_text or not name.isidentifier():
        raise UserError(f"{excerpt(spec)} is not of the form path/to/file.py:Name",
                        where="--model", fix=MODEL_FIX)
    return Path(path_text).expanduser(), name


def load_file(path: Path) -> LoadedFile:
    """The definitions of the .py or .ipynb file at `path` (cached while it is unchanged)."""
    where = f"--model {path}"
    try:
        stat = path.stat()
    except OSError:
        stat = None
    if stat is None or not path.is_file():
        raise UserError("file not found", where=where, fix=MODEL_FIX)
    if stat.st_size > MAX_SOURCE_BYTES:
        raise UserError(f"is {stat.st_size:,} bytes, more than a model file holds "
                        f"({MAX_SOURCE_BYTES:,} at most)", where=where,
                        fix="Point at the .py or .ipynb file that defines the model class.")
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key in _CACHE:
        return _CACHE[key]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot be read ({exc.strerror or exc})", where=where,
                        fix="Check the file's permissions.") from None
    module_name = f"pa2_user_model_{abs(hash(key[0]))}"
    module = types.ModuleType(module_name)
    module.__file__ = str(path)
    loaded = LoadedFile(path, module)
    if path.suffix.lower() == ".ipynb":
        units = _notebook_units(raw, where)
    else:
        text = _decode(raw, where)
        units = [(_parse(text, str(path), where), str(path), None, text)]
    sys.modules[module_name] = module  # lets dataclasses and pickling inside the file work
    try:
        for tree, filename, cell, text in units:
            loaded.sources[filename] = text.splitlines()
            if tree is None:  # a notebook cell that is not Python
                loaded.statements += 1
                loaded.skipped.append(Skipped(_where(cell, 1), text.strip().splitlines()[0][:60],
                                              (), "the cell is not Python"))
                continue
            _run_unit(loaded, tree, filename, cell)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    _CACHE[key] = loaded
    return loaded


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


def _where(cell: int | None, line: int) -> str:
    return f"line {line}" if cell is None else f"cell {cell}, line {line}"


def _first_line(loaded: LoadedFile, filename: str, node: ast.stmt) -> str:
    lines = loaded.sources.get(filename, [])
    index = node.lineno - 1
    text = lines[index].strip() if 0 <= index < len(lines) else ""
    return text if len(text) <= 60 else text[:59] + "…"


def _run_unit(loaded: LoadedFile, tree: ast.Module, filename: str, cell: int | None) -> None:
    folder = str(loaded.path.resolve().parent)
    for node in tree.body:
        loaded.statements += 1
        where = _where(cell, node.lineno)
        _note_nested(loaded, node, where)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a docstring: nothing to run, nothing lost
        if not _is_definition(node):
            loaded.skipped.append(Skipped(where, _first_line(loaded, filename, node),
                                          _defined_names(node)))
            continue
        is_import = isinstance(node, (ast.Import, ast.ImportFrom))
        code = compile(ast.Module(body=[node], type_ignores=[]), filename, "exec")
        if is_import:
            sys.path.insert(0, folder)
        try:
            exec(code, loaded.module.__dict__)  # noqa: S102 - definitions only, see above
        except SystemExit as exc:
            raise UserError(f"the model file exited while it was imported (sys.exit("
                            f"{exc.code!r})) at {where}", where=f"--model {loaded.path}",
                            fix="Remove that exit from the imported module.") from None
        except ImportError as exc:
            missing = getattr(exc, "name", None) or _one_line(exc)
            if missing not in loaded.missing_modules:
                loaded.missing_modules.append(missing)
            loaded.skipped.append(Skipped(where, _first_line(loaded, filename, node),
                                          _defined_names(node),
                                          f"module {missing!r} is not installed"
                                          if isinstance(exc, ModuleNotFoundError)
                                          else _one_line(exc)))
        except Exception as exc:  # noqa: BLE001 - a definition that needs something skipped
            loaded.skipped.append(Skipped(where, _first_line(loaded, filename, node),
                                          _defined_names(node), _one_line(exc)))
        finally:
            if is_import:
                try:
                    sys.path.remove(folder)
                except ValueError:
                    pass


def _is_definition(node: ast.stmt) -> bool:
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
    """Literals, names and arithmetic on them, and the side-effect-free calls of _PURE_CALLS."""
    if isinstance(node, ast.Call):
        return _dotted(node.func) in _PURE_CALLS and \
            all(_is_constant(a) for a in node.args) and \
            all(_is_constant(k.value) for k in node.keywords)
    if isinstance(node, (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom,
                         ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        return False
    return all(_is_constant(child) for child in ast.iter_child_nodes(node)
               if isinstance(child, ast.expr))


def _defined_names(node: ast.stmt) -> tuple[str, ...]:
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


def _note_nested(loaded: LoadedFile, node: ast.stmt, where: str) -> None:
    """Remember classes defined inside top-level functions (or blocks) for `find`."""
    if isinstance(node, ast.ClassDef):
        return
    outer = getattr(node, "name", None)
    for child in ast.walk(node):
        if isinstance(child, ast.ClassDef) and child.name not in loaded.nested:
            loaded.nested[child.name] = (child, where, outer)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__


def find(loaded: LoadedFile, name: str, spec: str):
    """The object `name` of the loaded file; a class nested in a skipped function is defined at
    the top level first. UserError when it is not there or could not be defined."""
    where = f"--model {spec}"
    namespace = loaded.module.__dict__
    if name in namespace:
        return namespace[name]
    skipped = loaded.definer(name)
    if skipped is not None:
        raise missing_name_error(loaded, name, spec, needed_by=None) or UserError(
            f"{name} is not defined", where=where, fix=MODEL_FIX)
    if name in loaded.nested:
        node, at, outer = loaded.nested[name]
        code = compile(ast.Module(body=[node], type_ignores=[]), str(loaded.path), "exec")
        try:
            exec(code, namespace)  # noqa: S102 - the class statement alone
        except NameError as exc:
            raise _name_error_line(loaded, exc, spec, name) from None
        except Exception as exc:  # noqa: BLE001
            raise UserError(f"class {name} (inside {outer or 'a block'} at {at}) could not be "
                            f"defined on its own: {_one_line(exc)}", where=where,
                            fix="Move the class to the top level of the file.") from None
        return namespace[name]
    found = sorted(n for n, v in namespace.items()
                   if not n.startswith("_") and (inspect.isfunction(v) or inspect.isclass(v))
                   and getattr(v, "__module__", None) == loaded.module.__name__)
    hint = f"The file defines: {', '.join(found)}." if found else MODEL_FIX
    raise UserError(f"no name {name!r} in {loaded.path.name}", where=where, fix=hint)


def missing_name_error(loaded: LoadedFile, name: str, spec: str,
                       needed_by: str | None) -> UserError | None:
    """One line for a name the model needs that only a skipped statement defines (None when
    no skipped statement defines it)."""
    skipped = loaded.definer(name)
    if skipped is None:
        return None
    why = f" ({skipped.why})" if skipped.why else " (pa2 runs only imports, definitions and " \
                                                  "constants)"
    who = f"{needed_by} needs {name!r}" if needed_by else f"{name!r} is defined only"
    return UserError(f"{who}, which {skipped.where} defines (`{skipped.text}`), a statement "
                     f"that was not run{why}", where=f"--model {spec}",
                     fix=f"Define {name} at the top level of the file as an import, a class, "
                         "a function or a constant.")


def _name_error_line(loaded: LoadedFile, exc: NameError, spec: str, needed_by: str):
    name = getattr(exc, "name", None)
    if name and not hasattr(builtins, name):
        line = missing_name_error(loaded, name, spec, needed_by)
        if line is not None:
            return line
    return UserError(f"{needed_by} failed: {_one_line(exc)}", where=f"--model {spec}",
                     fix=f"Define it at the top level of {loaded.path.name}.")


def explain_failure(spec: str, exc: BaseException, needed_by: str) -> UserError | None:
    """A one-line UserError when `exc` is a NameError for a name a skipped statement defines."""
    if not isinstance(exc, NameError) or not getattr(exc, "name", None):
        return None
    try:
        path, _ = split_spec(spec)
        loaded = load_file(path)
    except UserError:
        return None
    return missing_name_error(loaded, exc.name, spec, needed_by)


def parse_model_args(text: str | None) -> dict:
    """`--model-args '{"num_classes": 33}'` -> a dict of keyword arguments (UserError if not)."""
    if text is None or text == "":
        return {}
    fix = """Give a JSON object of keyword arguments, e.g. --model-args '{"num_classes": 33}'."""
    if len(text) > MAX_MODEL_ARGS_CHARS:
        raise UserError(f"is {len(text):,} characters long (at most {MAX_MODEL_ARGS_CHARS:,})",
                        where="--model-args", fix=fix)
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise UserError(f"{excerpt(text)} is not JSON ({getattr(exc, 'msg', 'too deep')})",
                        where="--model-args", fix=fix) from None
    if not isinstance(value, dict):
        raise UserError(f"{excerpt(text)} is a JSON {type(value).__name__}, not an object",
                        where="--model-args", fix=fix)
    for key in value:
        if not key.isidentifier():
            raise UserError(f"{excerpt(key)} is not a Python argument name",
                            where="--model-args", fix=fix)
    return value


def canonical_model_args(text: str | None) -> str | None:
    """The validated JSON text as saved in the config (sorted keys; None when empty)."""
    args = parse_model_args(text)
    return json.dumps(args, sort_keys=True) if args else None


def constructor_kwargs(factory, data_values: dict, extra: dict, spec: str) -> dict:
    """The keyword arguments for `factory`: those of `data_values` it takes by name (only
    num_classes through **kwargs), then `extra` (--model-args), which must name parameters."""
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        params = {}
    if inspect.isclass(factory) and _inherits_module_init(factory):
        params = {}  # no __init__ of its own: nn.Module's takes no arguments
    var_kw = any(p.kind is p.VAR_KEYWORD for p in params.values())
    named = {n for n, p in params.items()
             if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    kwargs = {k: v for k, v in data_values.items()
              if k in named or (var_kw and k == "num_classes")}
    for key in extra:
        if key not in named and not var_kw:
            takes = ", ".join(sorted(named)) or "no keyword arguments"
            raise UserError(f"{key!r} is not a parameter of {getattr(factory, '__name__', '?')}"
                            f" (it takes: {takes})", where="--model-args",
                            fix="Give only the names its __init__ (or function) takes.")
    kwargs.update(extra)
    return kwargs


def _inherits_module_init(cls: type) -> bool:
    """True when the first __init__ in the class's MRO is torch.nn.Module's own."""
    for klass in cls.__mro__:
        if "__init__" in vars(klass):
            return klass.__name__ == "Module" and klass.__module__.startswith("torch.nn")
    return False


def data_values(num_classes: int, input_shape: tuple[int, int, int]) -> dict:
    """What the data says about the model's constructor: classes, channels, image size."""
    channels, height, width = input_shape
    return {"num_classes": int(num_classes), "in_channels": int(channels),
            "input_size": int(height) if height == width else (int(height), int(width))}


def describe(spec: str | None) -> str | None:
    """The header line for a loaded --model file (None for the default model)."""
    if not spec:
        return None
    try:
        path, _ = split_spec(spec)
        return load_file(path).summary()
    except UserError:
        return None


def clear_cache() -> None:
    """Forget loaded files (tests that rewrite a file within one mtime tick)."""
    for loaded in _CACHE.values():
        sys.modules.pop(loaded.module.__name__, None)
    _CACHE.clear()


__all__ = ["LoadedFile", "MODEL_FIX", "canonical_model_args", "clear_cache", "constructor_kwargs",
           "data_values", "describe", "explain_failure", "find", "load_file",
           "missing_name_error", "parse_model_args", "split_spec"]
