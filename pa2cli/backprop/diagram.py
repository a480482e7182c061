"""The terminal drawing of a network: inputs on the left, outputs on the right.

One column per layer (longest path from the inputs); each computed node is a box listing the
edges coming into it with their names and values (`i1 ─w1=0.15→`), its biases and its target.
Works for any DAG, since edges are written where they arrive. When the columns do not fit the
terminal's width (a deep or wide network on 80 columns), the layers are stacked top to bottom
instead, each one's boxes side by side as far as they fit. Drawing only: no maths.
"""

from __future__ import annotations

from rich.columns import Columns
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pa2cli.backprop.engine import format_number
from pa2cli.backprop.spec import Network


def _input_box(network: Network, name: str) -> Panel:
    return Panel(Text(f"{name} = {format_number(network.inputs[name])}"), title="input",
                 expand=False, border_style="green")


def _node_box(network: Network, node: str) -> Panel:
    lines = Text()
    for edge in network.incoming(node):
        lines.append(f"{edge.source} ─{edge.name}={format_number(edge.value)}→\n")
    for bias in network.biases_of(node):
        lines.append(f"+ {bias.name}={format_number(bias.value)}")
        shared = [n for n in bias.nodes if n != node]
        lines.append(f" (shared with {', '.join(shared)})\n" if shared else "\n")
    if node in network.targets:
        lines.append(f"target {format_number(network.targets[node])}\n", style="bold")
    lines.rstrip()
    style = "magenta" if node in network.targets else "blue"
    return Panel(lines, title=f"{node}: {network.activations[node]}", expand=False,
                 border_style=style)


def _layers(network: Network) -> list[tuple[str, list[Panel]]]:
    """(heading, boxes) for the inputs and for each layer, left to right."""
    depth = max(network.layers.values())
    headers = ["inputs"] + [f"layer {i}" for i in range(1, depth)] + ["outputs"]
    columns: list[list[Panel]] = [[_input_box(network, name) for name in network.inputs]]
    columns += [[] for _ in range(depth)]
    for node in network.nodes:
        columns[network.layers[node]].append(_node_box(network, node))
    return list(zip(headers, columns, strict=True))


def _side_by_side(layers: list[tuple[str, list[Panel]]]) -> Table:
    grid = Table.grid(padding=(0, 1))
    header_row, body_row = [], []
    for i, (header, boxes) in enumerate(layers):
        if i:
            grid.add_column(vertical="middle")
            header_row.append("")
            body_row.append(Text("⇒", style="dim"))
        grid.add_column(vertical="middle")
        header_row.append(Text(header, style="bold"))
        body_row.append(Group(*boxes))
    grid.add_row(*header_row)
    grid.add_row(*body_row)
    return grid


def _top_to_bottom(layers: list[tuple[str, list[Panel]]]) -> Group:
    parts: list = []
    for i, (header, boxes) in enumerate(layers):
        if i:
            parts.append(Text("⇓", style="dim"))
        parts += [Text(header, style="bold"), Columns(boxes, padding=(0, 1))]
    return Group(*parts)


class NetworkDrawing:
    """Layers left to right when they fit the terminal's width, else top to bottom."""

    def __init__(self, network: Network):
        self.network = network

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        layers = _layers(self.network)
        wide = _side_by_side(layers)
        natural = Measurement.get(console, options.update_width(10_000), wide).maximum
        fits = natural <= options.max_width
        yield wide if fits else _top_to_bottom(layers)
        yield Text(f"loss {self.network.loss} · learning rate "
                   f"{format_number(self.network.learning_rate)} · "
                   "each box lists the edges that arrive at it", style="dim")


def draw(network: Network) -> NetworkDrawing:
    """A Rich renderable of the whole network."""
    return NetworkDrawing(network)
