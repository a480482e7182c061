"""pa2: a terminal tutor for a deep-learning assignment (gradients, backprop, weight decay).

This package must stay cheap to import: nothing here may import torch, torchvision or numpy.
In Python (a notebook): `pa2cli.sweep(wd=[1e-4, 1e-3], epochs=5)` runs `pa2 sweep` and returns
its results, `pa2cli.load(folder)` reads a saved sweep (pa2cli/api.py); both are looked up on
first use, so `import pa2cli` loads neither torch nor matplotlib.
"""

__version__ = "0.1.0"

_LAZY = {"load": "pa2cli.api", "SweepResult": "pa2cli.sweep_result"}


def __getattr__(name: str):
    if name == "sweep":  # the subpackage, which is callable: pa2cli.sweep(**options)
        import importlib

        return importlib.import_module("pa2cli.sweep")
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'pa2cli' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "sweep", *_LAZY})
