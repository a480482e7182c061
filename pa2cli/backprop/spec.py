"""The network file (JSON) -> a validated `Network`; each mistake is a UserError naming a JSON path.

Holds the file format, a public contract documented in the README:

    inputs        {name: number}                       required
    targets       {computed node: number}              required
    edges         {name: {"from": node, "to": node, "value": number}}   required
    biases        {name: {"to": node or [nodes], "value": number}}      optional (shared biases)
    activation    "sigmoid" | "tanh" | "relu" | "linear" (registry.py)  optional, default sigmoid
    activations   {computed node: activation}           optional per-node overrides
    loss          "half_sse" | "sse" | "mse" (registry.py)  optional, default half_sse
    learning_rate positive number                       optional, default 0.5
    about         a string (a note for whoever fills in the file; ignored)   optional

Names are a letter then letters, digits or `_` (Figure 1's `W11_1`, `B1_2`, `inp1`); a name may
not begin like a quantity name (`z_`, `a_`, `t_`, `loss_`, `dE_da_`, `delta_`, `grad_`, `new_`).

Nodes are named by the edges: inputs have values, every node an edge points to is computed.
The graph must be acyclic and every computed node must lie on a path to a target.
Limits (each exits 2 naming it): at most `MAX_NODES` nodes, `MAX_EDGES` edges, `MAX_BIASES`
biases, and the file limits of jsonfile.py (size, nesting). Validation and the Network's
adjacency are linear in the size of the file: every edge is looked at a fixed number of times.
This module computes no activations or gradients and prints nothing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from pa2cli.backprop import registry
from pa2cli.backprop.jsonfile import decode_json, describe, duplicates_of, read_json
from pa2cli.errors import UserError, excerpt, printable
from pa2cli.expr import CONSTANTS, FUNCTIONS

ACTIVATIONS = tuple(registry.ACTIVATIONS)  # the choices: one entry each in registry.py
LOSSES = tuple(registry.LOSSES)
DEFAULTS = {"activation": registry.DEFAULT_ACTIVATION, "loss": registry.DEFAULT_LOSS,
            "learning_rate": 0.5}
TOP_KEYS = ("inputs", "targets", "edges", "biases", "activation", "activations", "loss",
            "learning_rate", "about")
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}\Z")
# Quantity names (quantities.py) begin with these; a node or parameter may not, so that answers
# and formulas can use every name of the network without two meaning the same text.
QUANTITY_PREFIXES = ("z_", "a_", "t_", "loss_", "dE_da_", "delta_", "grad_", "new_")
MAX_ABOUT = 2000
# Names that formulas use for functions, constants and the total loss; nodes may not take them.
RESERVED = frozenset(FUNCTIONS) | frozenset(CONSTANTS) | {"loss"}
MAX_NODES = 10_000  # inputs and computed nodes together
MAX_EDGES = 50_000
MAX_BIASES = 10_000


@dataclass(frozen=True)
class Edge:
    name: str
    source: str
    target: str
    value: float


@dataclass(frozen=True)
class Bias:
    name: str
    nodes: tuple[str, ...]
    value: float


@dataclass(frozen=True)
class Network:
    """A validated network. `nodes` lists the computed nodes in forward (teaching) order."""

    inputs: dict[str, float]
    targets: dict[str, float]
    edges: dict[str, Edge]
    biases: dict[str, Bias]
    activation: str
    activations: dict[str, str]  # every computed node -> its activation
    loss: str
    learning_rate: float
    nodes: tuple[str, ...]
    layers: dict[str, int]  # computed node -> longest path from the inputs (1 = first layer)
    label: str = "network"
    note: str = ""  # printed with the solution and the quiz (the built-in examples' notes)

    def incoming(self, node: str) -> list[Edge]:
        return self._adjacency[0].get(node, [])

    def outgoing(self, node: str) -> list[Edge]:
        return self._adjacency[1].get(node, [])

    def biases_of(self, node: str) -> list[Bias]:
        return self._adjacency[2].get(node, [])

    @cached_property
    def _adjacency(self) -> tuple[dict[str, list[Edge]], dict[str, list[Edge]], dict[str, list[Bias]]]:
        """Edges into and out of each node and the biases of each node, in file order: built
        once, so a pass over the network is linear in its size (not nodes x edges)."""
        into: dict[str, list[Edge]] = {}
        out: dict[str, list[Edge]] = {}
        fed: dict[str, list[Bias]] = {}
        for edge in self.edges.values():
            into.setdefault(edge.target, []).append(edge)
            out.setdefault(edge.source, []).append(edge)
        for bias in self.biases.values():
            for node in bias.nodes:
                fed.setdefault(node, []).append(bias)
        return into, out, fed

    def parameters(self) -> dict[str, float]:
        values = {name: edge.value for name, edge in self.edges.items()}
        values.update({name: bias.value for name, bias in self.biases.items()})
        return values

    def to_json_dict(self) -> dict[str, Any]:
        """The file this network was read from, with every optional key written out."""
        return {
            "inputs": dict(self.inputs),
            "targets": dict(self.targets),
            "edges": {e.name: {"from": e.source, "to": e.target, "value": e.value}
                      for e in self.edges.values()},
            "biases": {b.name: {"to": list(b.nodes), "value": b.value}
                       for b in self.biases.values()},
            "activation": self.activation,
            "activations": {n: a for n, a in self.activations.items() if a != self.activation},
            "loss": self.loss,
            "learning_rate": self.learning_rate,
        }


START_FIX = "Run `pa2 backprop --template` for a starter file."


def read_network(path: str | Path) -> Network:
    """Read and validate a network file."""
    # The label is shown in titles and documents: a file name with terminal control codes or
    # bidirectional overrides is shown escaped (printable), never raw.
    return validate(read_json(path, START_FIX), printable(str(path)))


def parse_network(text: str, label: str = "network") -> Network:
    """Parse and validate the JSON text of a network file; `label` names it in messages."""
    return validate(decode_json(text, label, START_FIX), label)


def _fail(where: str, problem: str, fix: str | None = None):
    raise UserError(problem, where=where, fix=fix)


def _path(where: str, key: str) -> str:
    """The JSON path of `key` inside `where`; a key that is empty or has spaces is quoted."""
    shown = key if key and key.strip() == key and " " not in key else excerpt(key, as_json=True)
    return f"{where}.{shown}" if where else shown


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(where, f"expected a number, got {describe(value)}", "Write a number such as 0.15.")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond float64
        number = math.inf
    if not math.isfinite(number):
        _fail(where, f"expected a finite number, got {excerpt(value)}", "Write a number such as 0.15.")
    return number


def _object(value: Any, where: str, *, required: bool = True) -> dict:
    if not isinstance(value, dict):
        _fail(where, f"expected a JSON object {{...}}, got {describe(value)}")
    for key in duplicates_of(value):
        _fail(_path(where, key), f"the name {excerpt(key)} is used twice",
              "Give each entry its own name.")
    if required and not value:
        _fail(where, "is empty", "List at least one entry.")
    return value


def _keys(obj: dict, where: str, allowed: tuple[str, ...], required: tuple[str, ...]) -> None:
    for key in obj:
        if key not in allowed:
            _fail(_path(where, key), f"unknown key {excerpt(key)}",
                  f"Expected one of: {', '.join(allowed)}.")
    for key in required:
        if key not in obj:
            _fail(_path(where, key), "is missing",
                  "Run `pa2 backprop --template` to see a complete file.")


def _name(name: Any, where: str) -> str:
    if not isinstance(name, str):
        _fail(where, f"expected a node name (a string), got {describe(name)}")
    if not NAME.match(name):
        _fail(where, f"{excerpt(name)} is not a valid name",
              "Use a letter followed by letters, digits or _ (at most 32), e.g. h1 or W11_1.")
    if name.startswith(QUANTITY_PREFIXES):
        _fail(where, f"{excerpt(name)} begins like a quantity name ({name.split('_')[0]}_)",
              "Choose another name, e.g. h1 or W11_1.")
    if name in RESERVED:
        _fail(where, f"{excerpt(name)} is a reserved name", "Choose another name, e.g. h1.")
    return name


def validate(data: Any, label: str = "network") -> Network:
    """Check the decoded JSON `data` and build a Network, or raise the first UserError."""
    if not isinstance(data, dict):
        _fail(label, f"the top level must be a JSON object {{...}}, got {describe(data)}")
    _object(data, "", required=False)
    _keys(data, "", TOP_KEYS, ("inputs", "targets", "edges"))

    _within_limits(data)
    about = data.get("about", "")
    if not isinstance(about, str) or len(about) > MAX_ABOUT:
        _fail("about", f"expected a note of at most {MAX_ABOUT} characters, got "
              f"{describe(about) if not isinstance(about, str) else f'{len(about):,} characters'}",
              "Write a short string or leave the key out.")
    inputs = {_name(k, f"inputs.{k}"): _number(v, f"inputs.{k}")
              for k, v in _object(data["inputs"], "inputs").items()}
    edges = _edges(data["edges"], inputs)
    computed = {edge.target for edge in edges.values()}
    if len(inputs) + len(computed) > MAX_NODES:
        _fail("edges", f"{len(inputs) + len(computed):,} nodes; pa2 accepts at most {MAX_NODES:,}",
              "A network for hand backpropagation is small; check that it is the right file.")
    for edge in edges.values():
        if edge.source not in inputs and edge.source not in computed:
            _fail(f"edges.{edge.name}.from", f"node {excerpt(edge.source)} is not defined",
                  "It must be an input or the 'to' of another edge.")
    targets = _targets(data["targets"], inputs, computed)
    biases = _biases(data.get("biases", {}), inputs, computed)
    _unique_names(inputs, computed, edges, biases)
    nodes, layers = _forward_order(edges, computed)
    _reaches_a_target(edges, nodes, targets)
    sources = {edge.source for edge in edges.values()}
    for name in inputs:
        if name not in sources:
            _fail(f"inputs.{name}", f"input {excerpt(name)} feeds no edge",
                  "Add an edge from it or remove it.")
    default = _choice(data.get("activation", DEFAULTS["activation"]), "activation",
                      registry.ACTIVATIONS)
    activations = {node: default for node in nodes}
    for node, choice in _object(data.get("activations", {}), "activations", required=False).items():
        if node not in computed:
            what = "an input" if node in inputs else "not a computed node"
            _fail(f"activations.{node}", f"{excerpt(node)} is {what}", "Name a node that an edge goes to.")
        activations[node] = _choice(choice, f"activations.{node}", registry.ACTIVATIONS)
    loss = _choice(data.get("loss", DEFAULTS["loss"]), "loss", registry.LOSSES)
    rate = _number(data.get("learning_rate", DEFAULTS["learning_rate"]), "learning_rate")
    if rate <= 0:
        _fail("learning_rate", f"must be positive, got {rate:g}", "Use e.g. 0.5.")
    return Network(inputs=inputs, targets=targets, edges=edges, biases=biases, activation=default,
                   activations=activations, loss=loss, learning_rate=rate, nodes=nodes,
                   layers=layers, label=label)


def _within_limits(data: dict) -> None:
    """Refuse a network beyond the documented sizes before looking at any entry."""
    for key, limit, what in (("edges", MAX_EDGES, "edges"), ("biases", MAX_BIASES, "biases"),
                             ("inputs", MAX_NODES, "inputs"), ("targets", MAX_NODES, "targets")):
        if isinstance(data.get(key), dict) and len(data[key]) > limit:
            _fail(key, f"{len(data[key]):,} {what}; pa2 accepts at most {limit:,}",
                  "A network for hand backpropagation is small; check that it is the right file.")


def _edges(raw: Any, inputs: dict[str, float]) -> dict[str, Edge]:
    edges = {}
    for name, spec in _object(raw, "edges").items():
        where = f"edges.{name}"
        _name(name, where)
        if not isinstance(spec, dict):
            _fail(where, f"expected a JSON object, got {describe(spec)}",
                  'Write e.g. {"from": "i1", "to": "h1", "value": 0.15}.')
        _object(spec, where, required=False)
        _keys(spec, where, ("from", "to", "value"), ("from", "to", "value"))
        source, target = _name(spec["from"], f"{where}.from"), _name(spec["to"], f"{where}.to")
        if target in inputs:
            _fail(f"{where}.to", f"{excerpt(target)} is an input; inputs have no incoming edges",
                  "Point the edge at a computed node.")
        if source == target:
            _fail(where, f"the edge goes from {excerpt(source)} to itself (a cycle)")
        edges[name] = Edge(name, source, target, _number(spec["value"], f"{where}.value"))
    return edges


def _targets(raw: Any, inputs: dict, computed: set[str]) -> dict[str, float]:
    targets = {}
    for node, value in _object(raw, "targets").items():
        _name(node, f"targets.{node}")
        if node in inputs:
            _fail(f"targets.{node}", f"{excerpt(node)} is an input; a target must be a computed node")
        if node not in computed:
            _fail(f"targets.{node}", f"{excerpt(node)} is not a computed node (no edge goes to it)",
                  "Add an edge to it or fix the name.")
        targets[node] = _number(value, f"targets.{node}")
    return targets


def _biases(raw: Any, inputs: dict, computed: set[str]) -> dict[str, Bias]:
    biases = {}
    for name, spec in _object(raw, "biases", required=False).items():
        where = f"biases.{name}"
        _name(name, where)
        _object(spec, where, required=False)
        _keys(spec, where, ("to", "value"), ("to", "value"))
        nodes = spec["to"] if isinstance(spec["to"], list) else [spec["to"]]
        if not nodes:
            _fail(f"{where}.to", "is empty", 'List the nodes this bias feeds, e.g. ["h1", "h2"].')
        checked: dict[str, None] = {}  # ordered, with constant-time membership
        for i, node in enumerate(nodes):
            at = f"{where}.to[{i}]" if isinstance(spec["to"], list) else f"{where}.to"
            _name(node, at)
            if node in inputs:
                _fail(at, f"{excerpt(node)} is an input; a bias feeds computed nodes only")
            if node not in computed:
                _fail(at, f"{excerpt(node)} is not a computed node (no edge goes to it)")
            if node in checked:
                _fail(at, f"{excerpt(node)} is listed twice")
            checked[node] = None
        biases[name] = Bias(name, tuple(checked), _number(spec["value"], f"{where}.value"))
    return biases


def _unique_names(inputs: dict, computed: set[str], edges: dict, biases: dict) -> None:
    for name in biases:
        if name in edges:
            _fail(f"biases.{name}", f"the name {excerpt(name)} is already used by an edge",
                  "Give each parameter its own name.")
    nodes = set(inputs) | computed
    for kind, params in (("edges", edges), ("biases", biases)):
        for name in params:
            if name in nodes:
                _fail(f"{kind}.{name}", f"the name {excerpt(name)} is also a node name",
                      "Give parameters and nodes different names.")


def _forward_order(edges: dict[str, Edge], computed: set[str]) -> tuple[tuple[str, ...], dict]:
    """Computed nodes by layer (longest path from the inputs), then by first mention in the file.

    Kahn's algorithm, without recursion, so a long chain cannot exhaust Python's stack."""
    mention: dict[str, int] = {}
    for edge in edges.values():
        for node in (edge.source, edge.target):
            mention.setdefault(node, len(mention))
    parents: dict[str, list[str]] = {node: [] for node in computed}
    children: dict[str, list[str]] = {node: [] for node in mention}
    for edge in edges.values():
        parents[edge.target].append(edge.source)
        children[edge.source].append(edge.target)
    waiting = {node: sum(p in computed for p in parents[node]) for node in computed}
    layer: dict[str, int] = {}
    ready = [node for node in mention if node in computed and not waiting[node]]
    while ready:
        node = ready.pop()
        layer[node] = 1 + max(layer.get(parent, 0) for parent in parents[node])
        for child in children[node]:
            waiting[child] -= 1
            if not waiting[child]:
                ready.append(child)
    if len(layer) < len(computed):
        _cycle_found(edges, parents, [n for n in mention if n in computed and n not in layer])
    nodes = tuple(sorted(computed, key=lambda n: (layer[n], mention[n])))
    return nodes, {node: layer[node] for node in nodes}


def _cycle_found(edges: dict[str, Edge], parents: dict[str, list[str]], stuck: list[str]):
    """Name one cycle among the nodes Kahn's algorithm could not order (each has a stuck parent)."""
    waiting = set(stuck)
    path, seen = [stuck[0]], {stuck[0]: 0}
    while True:
        node = next(p for p in parents[path[-1]] if p in waiting)
        if node in seen:
            break
        seen[node] = len(path)
        path.append(node)
    cycle = (path[seen[node]:] + [node])[::-1]  # walked backwards along the edges
    first = next(e for e in edges.values() if e.source == cycle[0] and e.target == cycle[1])
    _fail(f"edges.{first.name}", f"the edges form a cycle {' -> '.join(cycle)}",
          "A network must be acyclic: remove or reverse one of these edges.")


def _reaches_a_target(edges: dict[str, Edge], nodes: tuple[str, ...], targets: dict) -> None:
    children: dict[str, list[str]] = {}
    first_into: dict[str, Edge] = {}
    for edge in edges.values():
        children.setdefault(edge.source, []).append(edge.target)
        first_into.setdefault(edge.target, edge)
    useful = set(targets)
    for node in reversed(nodes):
        if any(child in useful for child in children.get(node, ())):
            useful.add(node)
    for node in nodes:
        if node not in useful:
            _fail(f"edges.{first_into[node].name}.to",
                  f"computed node {excerpt(node)} is on no path to a target",
                  "Connect it onward to an output, add a target for it, or remove the edge.")


def _choice(value: Any, where: str, allowed) -> str:
    if not isinstance(value, str) or value not in allowed:
        shown = excerpt(value, as_json=True) if isinstance(value, str) else describe(value)
        _fail(where, f"unknown choice {shown}", f"Use one of: {', '.join(allowed)}.")
    return value
