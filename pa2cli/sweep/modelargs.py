"""The constructor arguments of a `--model` class: from the data and from `--model-args`.

`data_values` is what the data says (`num_classes`, `in_channels`, `input_size`);
`constructor_kwargs` passes those the class or factory takes by name (only `num_classes`
through `**kwargs`) and adds `--model-args`, parsed and checked by `parse_model_args` (a JSON
object of argument names; `canonical_model_args` is the form saved in the config). Mistakes
are one-line `UserError`s naming --model-args.
"""

from __future__ import annotations

import inspect
import json

from pa2cli.errors import UserError, excerpt

MAX_MODEL_ARGS_CHARS = 10_000
FILLED_FROM_DATA = ("num_classes", "in_channels", "input_size")


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
