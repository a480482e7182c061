"""One forward and backward pass through a validated Network, in numpy float64, with its working.

Like micrograd, each operation keeps its forward value and its local backward rule side by side
(one entry each in registry.py, with the formula a student writes). `solve()` returns a
`Solution`: for every named quantity (see quantities.py) its symbolic formula, the formula with
the numbers substituted (itself a valid pa2cli.expr expression, used as the hint), and the exact
value. Formulas name inputs by their node name, targets `t_<o>`, parameters by their name and
the learning rate `η`. Every gradient is taken at the original parameters. Nothing here prints;
a value that overflows float64 is a UserError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from pa2cli.backprop.quantities import backward_order, teaching_order
from pa2cli.backprop.registry import ACTIVATIONS, LOSSES
from pa2cli.backprop.spec import Network
from pa2cli.errors import UserError

LEARNING_RATE = "η"


@dataclass(frozen=True)
class Step:
    """One quantity: `name = formula = substituted = value`."""

    name: str
    section: str
    description: str
    formula: str
    substituted: str
    value: float


@dataclass(frozen=True)
class Solution:
    network: Network
    steps: dict[str, Step]  # in teaching order
    variables: dict[str, float]  # every symbol a formula may use, with its value

    def values(self) -> dict[str, float]:
        return {name: step.value for name, step in self.steps.items()}


_SYMBOL = re.compile(r"[^\W\d]\w*")


def format_number(value: float) -> str:
    """Ten significant figures: what the solution shows and what hints substitute."""
    text = f"{value:.10g}"
    return "0" if text == "-0" else text


def substitute(formula: str, variables: dict[str, float]) -> str:
    """The formula with each symbol replaced by its value.

    A negative value is put in parentheses unless it opens the formula or a bracket and is not
    raised to a power: `-0.5 - 0.1·(-0.68)`, `tanh(-0.5)`, `(1 - (-0.46)^2)`."""
    def number(match: re.Match) -> str:
        name = match.group(0)
        if name not in variables:
            return name  # a function name such as exp
        text = format_number(variables[name])
        start, end = match.start(), match.end()  # the neighbours, without copying the formula
        while start > 0 and formula[start - 1] == " ":
            start -= 1
        while end < len(formula) and formula[end] == " ":
            end += 1
        before, after = formula[start - 1:start], formula[end:end + 1]
        bare = before in ("", "(", ",") and after != "^"
        return f"({text})" if text.startswith("-") and not bare else text

    return _SYMBOL.sub(number, formula)


def _symbol(network: Network, node: str) -> str:
    return node if node in network.inputs else f"a_{node}"


def solve(network: Network) -> Solution:
    """The forward pass, the loss, the backward pass, the gradients and one update.

    A quantity that overflows float64 is a UserError naming it (a student cannot type inf)."""
    with np.errstate(all="ignore"):  # overflow is reported by record(), not as a warning
        return _solve(network)


def _solve(network: Network) -> Solution:
    env: dict[str, float] = {name: np.float64(v) for name, v in network.inputs.items()}
    env.update({f"t_{o}": np.float64(t) for o, t in network.targets.items()})
    env.update({name: np.float64(v) for name, v in network.parameters().items()})
    env[LEARNING_RATE] = np.float64(network.learning_rate)
    formulas: dict[str, str] = {}
    hints: dict[str, str] = {}  # a formula whose numbers are substituted instead of `formulas`

    def record(name: str, formula: str, value) -> None:
        if not np.isfinite(value):
            raise UserError(f"{name} comes out as {float(value)} in float64 (an overflow)",
                            where=network.label,
                            fix="Use smaller weights, inputs, targets or learning rate.")
        formulas[name] = formula
        env[name] = np.float64(value)

    for node in network.nodes:  # forward: z = Σ w·a_source + Σ b, a = f(z)
        terms = [f"{e.name}*{_symbol(network, e.source)}" for e in network.incoming(node)]
        terms += [b.name for b in network.biases_of(node)]
        z = sum(env[e.name] * env[_symbol(network, e.source)] for e in network.incoming(node))
        z = z + sum((env[b.name] for b in network.biases_of(node)), np.float64(0.0))
        record(f"z_{node}", " + ".join(terms), z)
        act = ACTIVATIONS[network.activations[node]]
        record(f"a_{node}", act.formula.format(z=f"z_{node}"), act.forward(env[f"z_{node}"]))

    loss, n = LOSSES[network.loss], len(network.targets)
    for o in network.targets:
        t, a = env[f"t_{o}"], env[f"a_{o}"]
        record(f"loss_{o}", loss.formula.format(t=f"t_{o}", a=f"a_{o}", n=n), loss.term(t, a, n))
    record("loss", " + ".join(f"loss_{o}" for o in network.targets),
           sum((env[f"loss_{o}"] for o in network.targets), np.float64(0.0)))

    for node in backward_order(network):  # dE/da = local loss slope + Σ w·δ_successor
        terms, slope = [], np.float64(0.0)
        if node in network.targets:
            terms.append(loss.grad_formula.format(t=f"t_{node}", a=f"a_{node}", n=n))
            slope = slope + loss.local_grad(env[f"t_{node}"], env[f"a_{node}"], n)
        for e in network.outgoing(node):
            terms.append(f"{e.name}*delta_{e.target}")
            slope = slope + env[e.name] * env[f"delta_{e.target}"]
        record(f"dE_da_{node}", " + ".join(terms), slope)
        act = ACTIVATIONS[network.activations[node]]
        local = act.grad_formula.format(z=f"z_{node}", a=f"a_{node}")
        # δ with its symbolic factors: (a_out - t_out)*a_out*(1 - a_out), (W11_2*δ_out)*…
        slope_formula = formulas[f"dE_da_{node}"]
        factor = slope_formula if _SYMBOL.fullmatch(slope_formula) else f"({slope_formula})"
        formula = slope_formula if local == "1" else f"{factor}*{local}"
        if " + " in slope_formula:  # a sum of paths: its numbers are ∂E/∂a's value, not the sum
            hints[f"delta_{node}"] = f"dE_da_{node}" if local == "1" else f"dE_da_{node}*{local}"
        record(f"delta_{node}", formula,
               env[f"dE_da_{node}"] * act.local_grad(env[f"z_{node}"], env[f"a_{node}"]))

    for name, edge in network.edges.items():  # dE/dw = δ_to · a_from
        source = _symbol(network, edge.source)
        record(f"grad_{name}", f"delta_{edge.target}*{source}",
               env[f"delta_{edge.target}"] * env[source])
    for name, bias in network.biases.items():  # a shared bias collects every node's δ
        record(f"grad_{name}", " + ".join(f"delta_{n}" for n in bias.nodes),
               sum((env[f"delta_{n}"] for n in bias.nodes), np.float64(0.0)))
    for name in network.parameters():  # p ← p − η·dE/dp
        record(f"new_{name}", f"{name} - {LEARNING_RATE}*grad_{name}",
               env[name] - env[LEARNING_RATE] * env[f"grad_{name}"])

    variables = {name: float(value) for name, value in env.items()}
    steps = {}
    for q in teaching_order(network):
        steps[q.name] = Step(q.name, q.section, q.description, formulas[q.name],
                             substitute(hints.get(q.name, formulas[q.name]), variables),
                             variables[q.name])
    return Solution(network, steps, variables)
