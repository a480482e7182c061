"""The one table of activations and losses a network file may choose (micrograd's op table).

Each entry holds everything every reader needs, side by side:

- the maths: `forward` and `local_grad` on numpy float64 (the engine),
- the formulas a student writes, in pa2cli.expr syntax (`formula`, `grad_formula`; the quiz
  shows them, the hints substitute numbers into them, the LaTeX writer typesets them),
- `latex` (and for a loss `text`): the definition, for the head of a written solution
  (derivation.py), with the slope as it is written there (`slope_text`, `slope_latex`) and,
  for a loss, `why` it has the form it has,
- `torch`: the oracle the tests compare with, as a callable that imports torch only when it is
  called, so `pa2 backprop` never imports torch.

Validation (spec.py) takes its choices from here, `--help` and `--template` list them from here,
and the tests parametrize over them: adding an activation or a loss is one entry below.
This module computes nothing at import time and prints nothing; numpy is imported on first
use, so `pa2 backprop --help` (which lists the entries) does not pay for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


class _Numpy:
    """`np.tanh` and the like, with numpy imported when the maths first runs."""

    def __getattr__(self, name: str) -> Any:
        import numpy

        return getattr(numpy, name)


np = _Numpy()


@dataclass(frozen=True)
class Activation:
    """a = f(z) and its local derivative da/dz written in terms of z and a."""

    name: str
    forward: Callable[[float], float]  # on numpy float64
    local_grad: Callable[[float, float], float]  # (z, a) -> da/dz
    formula: str  # a in terms of {z}
    grad_formula: str  # da/dz in terms of {z} and {a}; "1" for the identity
    latex: str  # the definition, e.g. a = \sigma(z) = ...
    torch: Callable[[Any], Any]  # the oracle: a torch tensor z -> a (imports torch on call)
    slope_text: str  # ∂a/∂z as a worked solution writes it, with the node's own a and z
    smooth: bool = True  # False: a kink (relu at 0), where finite differences do not apply

    def describe(self) -> str:
        return f"{self.name}: a = {self.formula.format(z='z')}"


@dataclass(frozen=True)
class Loss:
    """One target's loss term E_o(t, a; n targets) and its local derivative dE_o/da."""

    name: str
    term: Callable[[float, float, int], float]  # (t, a, n) on numpy float64
    local_grad: Callable[[float, float, int], float]
    formula: str  # in {t}, {a}, {n}
    grad_formula: str
    latex: str  # E = Σ_o ... as LaTeX
    torch: Callable[[Any, Any, int], Any]  # the oracle: (t, a tensors, n) -> the term
    text: str  # E = … in Unicode, for the terminal
    slope_text: str  # ∂E/∂a_o with {t} and {a} (str.format fields), Unicode
    slope_latex: str  # the same in LaTeX
    why: str  # one sentence on the form of the loss (the ½, the mean)
    title: str  # what the loss is, in words ("half the sum of squared errors")

    def describe(self) -> str:
        return f"{self.name}: E = Σ_o {self.formula.format(t='t_o', a='a_o', n='n')}"


def _sigmoid(z):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def _torch_function(path: str) -> Callable[..., Any]:
    """`torch.sigmoid` and the like, looked up when first called (torch is imported then)."""
    def call(*args):
        import importlib

        module_name, _, attribute = path.rpartition(".")
        return getattr(importlib.import_module(module_name), attribute)(*args)

    call.__name__ = path
    return call


def _mse_term(t, a, n):
    """torch's own mean-squared-error of one target, scaled so the n terms sum to the mean."""
    from torch.nn import functional

    return functional.mse_loss(a, t.expand_as(a), reduction="sum") / n


ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (
    Activation("sigmoid", _sigmoid, lambda z, a: a * (1.0 - a),
               "1/(1 + exp(-{z}))", "{a}*(1 - {a})",
               r"a = \sigma(z) = \frac{1}{1 + e^{-z}}, \quad \frac{da}{dz} = a\,(1 - a)",
               _torch_function("torch.sigmoid"), slope_text="a(1 − a)"),
    Activation("tanh", lambda z: np.tanh(z), lambda z, a: 1.0 - a * a, "tanh({z})", "(1 - {a}^2)",
               r"a = \tanh(z), \quad \frac{da}{dz} = 1 - a^{2}",
               _torch_function("torch.tanh"), slope_text="1 − a²"),
    Activation("relu", lambda z: np.maximum(z, 0.0), lambda z, a: np.float64(z > 0),
               "max(0, {z})", "step({z})",
               r"a = \max(0, z), \quad \frac{da}{dz} = \operatorname{step}(z) = \mathbf{1}[z > 0]",
               _torch_function("torch.relu"), slope_text="1 if z > 0, else 0", smooth=False),
    Activation("linear", lambda z: z, lambda z, a: np.float64(1.0), "{z}", "1",
               r"a = z, \quad \frac{da}{dz} = 1",
               _torch_function("torch.positive"), slope_text="1"),
)}

LOSSES: dict[str, Loss] = {loss.name: loss for loss in (
    Loss("half_sse", lambda t, a, n: 0.5 * (t - a) ** 2, lambda t, a, n: a - t,
         "1/2*({t} - {a})^2", "{a} - {t}", r"E = \tfrac12 \sum_{o} (t_o - a_o)^2",
         lambda t, a, n: 0.5 * _mse_term(t, a, 1),
         text="E = ½ Σₒ (tₒ − aₒ)²", slope_text="{a} − {t}", slope_latex=r"{a} - {t}",
         why="The ½ is there for convenience: it cancels the 2 that the power rule brings down, "
             "so the output error signal is just aₒ − tₒ. It halves E and every gradient, "
             "and moves no minimum.",
         title="half the sum of squared errors"),
    Loss("sse", lambda t, a, n: (t - a) ** 2, lambda t, a, n: 2.0 * (a - t),
         "({t} - {a})^2", "2*({a} - {t})", r"E = \sum_{o} (t_o - a_o)^2",
         lambda t, a, n: _mse_term(t, a, 1),
         text="E = Σₒ (tₒ − aₒ)²", slope_text="2({a} − {t})", slope_latex=r"2({a} - {t})",
         why="Without a ½ the power rule's 2 stays in every gradient.",
         title="the sum of squared errors"),
    Loss("mse", lambda t, a, n: (t - a) ** 2 / n, lambda t, a, n: 2.0 * (a - t) / n,
         "({t} - {a})^2/{n}", "2*({a} - {t})/{n}", r"E = \frac{1}{n} \sum_{o} (t_o - a_o)^2",
         _mse_term,
         text="E = (1/n) Σₒ (tₒ − aₒ)²", slope_text="2({a} − {t})/n",
         slope_latex=r"\frac{{2}}{{n}}({a} - {t})",
         why="The mean divides the sum, and so every gradient, by n, the number of targets.",
         title="the mean of squared errors"),
)}

# How pa2 reads the course's "L2 loss" (Figure 1's objective), and what the other losses change.
L2_READING = ('pa2 reads the course\'s "L2 loss" as E = ½(target − out)² for each target, summed '
              'over the targets (loss "half_sse", the default). With "sse" (no ½) E and every '
              'gradient double; with "mse" the sum is divided by n, the number of targets, so '
              'every gradient is 2/n times half_sse\'s (with one target, as Figure 1 has, mse '
              'equals sse).')

DEFAULT_ACTIVATION = "sigmoid"
DEFAULT_LOSS = "half_sse"


def choices_help() -> str:
    """The activations and losses with their formulas, for `--help` and `--template`."""
    acts = "; ".join(a.describe() for a in ACTIVATIONS.values())
    losses = "; ".join(loss.describe() for loss in LOSSES.values())
    return f"Activations: {acts}. Losses: {losses}."
