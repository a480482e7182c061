"""The terminal drawing of a network: inputs on the left, outputs on the right.

One column per layer (longest path from the inputs); each computed node is a box listing the
edges coming into it with their names and values (`i1 ─w1=0.15→`), its biases and its target.
Works for any DAG, since edges are written where they arrive. Drawing only: no maths.
"""

from __future__ import annotations

from rich.console import Group
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


def draw(network: Network) -> Table:
    """A Rich renderable of the whole network."""
    depth = max(network.layers.values())
    columns: list[list[Panel]] = [[_input_box(network, name) for name in network.inputs]]
    columns += [[] for _ in range(depth)]
    for node in network.nodes:
        columns[network.layers[node]].append(_node_box(network, node))
    grid = Table.grid(padding=(0, 1))
    headers = ["inputs"] + [f"layer {i}" for i in range(1, depth)] + ["outputs"]
    for i, _ in enumerate(columns):
        if i:
            grid.add_column(vertical="middle")
        grid.add_column(vertical="middle")
    header_row, body_row = [], []
    for i, (header, boxes) in enumerate(zip(headers, columns)):
        if i:
            header_row.append("")
            body_row.append(Text("⇒", style="dim"))
        header_row.append(Text(header, style="bold"))
        body_row.append(Group(*boxes))
    grid.add_row(*header_row)
    grid.add_row(*body_row)
    footer = (f"loss {network.loss} · learning rate {format_number(network.learning_rate)} · "
              "each box lists the edges that arrive at it")
    outer = Table.grid()
    outer.add_row(grid)
    outer.add_row(Text(footer, style="dim"))
    return outer
