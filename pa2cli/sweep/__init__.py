"""Part A: the weight-decay sweep (data, models, training loop, results store, plots, findings).

torch and torchvision are imported lazily, inside this package only. The package is also the
Python API's entry point: `pa2cli.sweep(wd=[1e-4, 1e-3], epochs=5, ...)` calls
`pa2cli.api.sweep`, which runs `pa2 sweep` with those options and returns a `SweepResult`.
"""

import sys as _sys
import types as _types


class _CallableModule(_types.ModuleType):
    def __call__(self, **options):
        __tracebackhide__ = True
        from pa2cli.api import sweep

        return sweep(**options)


_sys.modules[__name__].__class__ = _CallableModule
