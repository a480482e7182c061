"""The reasoning of a worked backpropagation, generated from the network graph: the loss written
out (and why a ½), δ defined, every ∂E/∂a, δ and gradient as its chain-rule factorisation (a
hidden node's ∂E/∂a through every path to the outputs, a shared bias as a sum of deltas), the
update rule, how the course's "L2 loss" is read, the network's own note (the published
example's fixed biases) and the Given block (every number the solution starts from).

Every line comes in two forms, `text` (Unicode, the terminal) and `latex`, and is built from the
network's edges, biases, activations and loss only: there is no branch for a particular network.
How each loss and activation is written comes from their entries in registry.py.
Nothing here computes a number (engine.py does) or prints (solution.py does).
"""

from __future__ import annotations

from dataclasses import dataclass

from pa2cli.backprop.latex import param
from pa2cli.backprop.quantities import backward_order
from pa2cli.backprop.registry import ACTIVATIONS, L2_READING, LOSSES
from pa2cli.backprop.spec import Network


@dataclass(frozen=True)
class Line:
    text: str
    latex: str  # maths when `maths`, else LaTeX text


def _a(network: Network, node: str) -> tuple[str, str]:
    """(text, LaTeX) of a node's output: an input's own name, else a_node."""
    if node in network.inputs:
        return node, param(node)
    return f"a_{node}", f"a_{{{node}}}"


def _d(top: str, bottom: str) -> tuple[str, str]:
    """∂top/∂bottom from (text, LaTeX) names."""
    return f"∂{top[0]}/∂{bottom[0]}", rf"\frac{{\partial {top[1]}}}{{\partial {bottom[1]}}}"


def _join(parts: list[tuple[str, str]], text_sep: str = " · ", latex_sep: str = r" \, ") -> tuple[str, str]:
    return text_sep.join(p[0] for p in parts), latex_sep.join(p[1] for p in parts)


def _names(network: Network, node: str):
    E = ("E", "E")
    z = (f"z_{node}", f"z_{{{node}}}")
    return E, z, _a(network, node)


def dE_da(network: Network, node: str) -> Line:
    """∂E/∂a_n: the loss's slope at an output; the sum over every outgoing path at a hidden node."""
    E, _, a = _names(network, node)
    parts = []
    if node in network.targets:
        parts.append(_d(E, a))
    for edge in network.outgoing(node):
        z_next = (f"z_{edge.target}", f"z_{{{edge.target}}}")
        parts.append(_join([_d(E, z_next), _d(z_next, a)]))
    left = _d(E, a)
    if node in network.targets and len(parts) == 1:
        form = LOSSES[network.loss]
        return Line(f"{left[0]} = " + form.slope_text.format(t=f"t_{node}", a=f"a_{node}"),
                    rf"{left[1]} = " + form.slope_latex.format(t=f"t_{{{node}}}", a=f"a_{{{node}}}"))
    text = " + ".join(p[0] for p in parts)
    latex = " + ".join(p[1] for p in parts)
    outgoing = [rf"{param(e.name)} \, \delta_{{{e.target}}}" for e in network.outgoing(node)]
    outgoing_text = [f"{e.name} · δ_{e.target}" for e in network.outgoing(node)]
    return Line(f"{left[0]} = {text} = {' + '.join(outgoing_text)}",
                rf"{left[1]} = {latex} = {' + '.join(outgoing)}")


def delta(network: Network, node: str) -> Line:
    E, z, a = _names(network, node)
    return Line(f"δ_{node} = ∂E/∂z_{node} = {_d(E, a)[0]} · {_d(a, z)[0]}",
                rf"\delta_{{{node}}} = {_d(E, z)[1]} = {_d(E, a)[1]} \, {_d(a, z)[1]}")


def gradient(network: Network, name: str) -> Line:
    """∂E/∂p as its chain rule: through the node an edge feeds, or the sum over a bias's nodes."""
    p = (name, param(name))
    E = ("E", "E")
    if name in network.edges:
        edge = network.edges[name]
        node = edge.target
        _, z, a = _names(network, node)
        chain = _join([_d(E, a), _d(a, z), _d(z, p)])
        if node not in network.targets and network.outgoing(node):
            paths = [_join([_d(E, (f"z_{e.target}", f"z_{{{e.target}}}")),
                            _d((f"z_{e.target}", f"z_{{{e.target}}}"), a)]) for e in network.outgoing(node)]
            chain = ("(" + " + ".join(q[0] for q in paths) + ") · " + _join([_d(a, z), _d(z, p)])[0],
                     r"\Bigl(" + " + ".join(q[1] for q in paths) + r"\Bigr) \, " + _join([_d(a, z), _d(z, p)])[1])
        source = _a(network, edge.source)
        return Line(f"{_d(E, p)[0]} = {chain[0]} = δ_{node} · {source[0]}",
                    rf"{_d(E, p)[1]} = {chain[1]} = \delta_{{{node}}} \, {source[1]}")
    nodes = network.biases[name].nodes
    terms = [_join([_d(E, (f"z_{n}", f"z_{{{n}}}")), _d((f"z_{n}", f"z_{{{n}}}"), p)]) for n in nodes]
    return Line(f"{_d(E, p)[0]} = " + " + ".join(t[0] for t in terms) + " = " + " + ".join(f"δ_{n}" for n in nodes),
                rf"{_d(E, p)[1]} = " + " + ".join(t[1] for t in terms) + " = "
                + " + ".join(rf"\delta_{{{n}}}" for n in nodes))


def factorisations(network: Network) -> dict[str, Line]:
    """The chain-rule line of each backward quantity and gradient, by quantity name."""
    lines: dict[str, Line] = {}
    for node in backward_order(network):
        lines[f"dE_da_{node}"] = dE_da(network, node)
        lines[f"delta_{node}"] = delta(network, node)
    for name in network.parameters():
        lines[f"grad_{name}"] = gradient(network, name)
    return lines


def preamble(network: Network) -> list[tuple[str, Line]]:
    """("maths" | "prose", line) pairs that open a worked solution."""
    form = LOSSES[network.loss]
    targets = ", ".join(network.targets)
    n = len(network.targets)
    out = [("prose", Line(f"The loss sums over the targets o ∈ {{{targets}}} (n = {n}):",
                          rf"The loss sums over the targets $o \in \{{{targets}\}}$ ($n = {n}$):")),
           ("maths", Line(form.text, form.latex)),
           ("maths", Line("∂E/∂aₒ = " + form.slope_text.format(t="tₒ", a="aₒ"),
                          r"\frac{\partial E}{\partial a_o} = " + form.slope_latex.format(t="t_o", a="a_o"))),
           ("prose", Line(form.why, "")),
           *(("maths", Line(f"{name}: a = {ACTIVATIONS[name].formula.format(z='z')}, "
                            f"∂a/∂z = {ACTIVATIONS[name].slope_text}", ACTIVATIONS[name].latex))
             for name in sorted(set(network.activations.values()))),
           ("prose", Line("Each computed node n has a net input z_n (the weighted sum of its inputs plus its "
                          "biases) and an output a_n = f(z_n). Its error signal is δ_n = ∂E/∂z_n = ∂E/∂a_n · "
                          "∂a_n/∂z_n, where ∂a/∂z is " + _slopes_text(network) + ".", ""))]
    out.append(("prose", Line("A weight w from node s into node n enters E only through z_n, so ∂E/∂w = δ_n · a_s; "
                              "a hidden node's ∂E/∂a adds the paths through every node it feeds"
                              + ("; a bias shared by several nodes adds their deltas" if network.biases else "")
                              + ". Every gradient is taken at the original parameters, then each parameter "
                              "takes one step p⁺ = p − η · ∂E/∂p.", "")))
    out.append(("prose", Line(L2_READING, "")))
    if network.note:
        out.append(("prose", Line("Note: " + network.note, "")))
    return out


def given(network: Network) -> list[tuple[str, list[tuple[str, str]]]]:
    """The Given block: (heading, [(name, value text)]) for the inputs, the targets, the weights,
    the biases, the learning rate, the activation and the loss. Values as format_number writes
    them; the renderers typeset the names."""
    from pa2cli.backprop.engine import format_number

    def values(items) -> list[tuple[str, str]]:
        return [(name, format_number(value)) for name, value in items]

    acts = sorted(set(network.activations.values()))
    activation = ", ".join(f"{name} (a = {ACTIVATIONS[name].formula.format(z='z')})"
                           for name in acts)
    where = "every unit" if len(acts) == 1 else "per node, as in the file"
    loss = LOSSES[network.loss]
    return [
        ("inputs", values(network.inputs.items())),
        ("targets", values((f"t_{o}", t) for o, t in network.targets.items())),
        ("weights", values((e.name, e.value) for e in network.edges.values())),
        ("biases", values((b.name, b.value) for b in network.biases.values())),
        ("learning rate", [("η", format_number(network.learning_rate))]),
        ("activation", [("", f"{activation} in {where}")]),
        ("loss", [("", f"{network.loss}: {loss.text}")]),
    ]


def _slopes_text(network: Network) -> str:
    used = sorted(set(network.activations.values()))
    return "; ".join(f"{ACTIVATIONS[name].slope_text} for {name}" for name in used)
