"""The network drawn as the course draws Figure 1, for documents: inputs on the left (first on
top), each layer to the right, the output(s) on the far right with an arrow to the target, a
short bias stub on each unit, and every edge labelled with its name and the student's value.

`layout()` places everything once (abstract units, x to the right, y up); `to_picture()` writes
it as LaTeX's own `picture` environment (kernel commands only: `\\qbezier` draws straight lines
of any slope, so no package is needed) and `to_png()` draws it with matplotlib's object API
(no pyplot, no global state; matplotlib is imported only there). Drawing only: no maths.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass

from pa2cli.backprop.engine import format_number
from pa2cli.backprop.latex import param
from pa2cli.backprop.spec import Network

COLUMN = 150.0  # distance between layers
ROW = 60.0  # distance between units of a layer
RADIUS = 9.0
LABEL_AT = 0.3  # where along an edge (from its source) its label sits
PICTURE_WIDTH = 400.0  # the picture's width in \unitlength; the picture spans \linewidth


@dataclass(frozen=True)
class Unit:
    name: str
    x: float
    y: float
    caption: str  # "inp1 = 0.1" for an input, the node's name otherwise


@dataclass(frozen=True)
class Label:
    name: str  # an edge's, bias's or target's name as in the file (`W11_1`, `t_out`)
    value: str
    x: float
    y: float


@dataclass(frozen=True)
class Layout:
    units: dict[str, Unit]
    edges: list[tuple[str, str, Label]]  # (from, to, label)
    biases: list[tuple[str, tuple[float, float], Label]]  # (unit, stub top, label)
    targets: list[tuple[str, tuple[float, float], Label]]  # (unit, arrow end, label)
    width: float
    height: float


def layout(network: Network) -> Layout:
    depth = max(network.layers.values())
    columns: list[list[str]] = [list(network.inputs)] + [[] for _ in range(depth)]
    for node in network.nodes:
        columns[network.layers[node]].append(node)
    tallest = max(len(c) for c in columns)
    height = ROW * (tallest + 1)
    units = {}
    for i, column in enumerate(columns):
        top = height / 2 + ROW * (len(column) - 1) / 2
        for j, name in enumerate(column):
            caption = (f"{name} = {format_number(network.inputs[name])}"
                       if name in network.inputs else name)
            units[name] = Unit(name, 60.0 + COLUMN * i, top - ROW * j, caption)
    edges = []
    for edge in network.edges.values():
        a, b = units[edge.source], units[edge.target]
        x, y = a.x + LABEL_AT * (b.x - a.x), a.y + LABEL_AT * (b.y - a.y)
        edges.append((edge.source, edge.target,
                      Label(edge.name, format_number(edge.value), x, y + 5)))
    biases = []
    for bias in network.biases.values():
        for node in bias.nodes:
            u = units[node]
            top = (u.x - 14.0, u.y + 24.0)
            biases.append((node, top, Label(bias.name, format_number(bias.value),
                                            top[0], top[1] + 6)))
    targets = []
    for node, value in network.targets.items():
        u = units[node]
        end = (u.x + 45.0, u.y)
        targets.append((node, end, Label(f"t_{node}", format_number(value), end[0] + 4, u.y)))
    width = 60.0 + COLUMN * depth + 110.0
    return Layout(units, edges, biases, targets, width, height)


def _trim(a: Unit, b: Unit) -> tuple[float, float, float, float]:
    """The segment between two units' circles (not their centres)."""
    dx, dy = b.x - a.x, b.y - a.y
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    return a.x + RADIUS * ux, a.y + RADIUS * uy, b.x - RADIUS * ux, b.y - RADIUS * uy


def _tex_name(name: str) -> str:
    if name.startswith("t_"):
        return rf"t_{{{name[2:]}}}"
    return param(name)


def to_picture(network: Network) -> str:
    """Figure 1's drawing as a LaTeX `picture` (kernel only), exactly \\linewidth wide."""
    plan = layout(network)
    scale = PICTURE_WIDTH / plan.width

    def p(x: float, y: float) -> str:
        return f"({x * scale:.1f},{y * scale:.1f})"

    def text(label: Label, where: str = "") -> str:
        return (rf"\put{p(label.x, label.y)}{{\makebox(0,0){where}"
                rf"{{\scriptsize ${_tex_name(label.name)} = {label.value}$}}}}")

    lines = [r"\begin{center}", rf"\setlength{{\unitlength}}{{{1 / PICTURE_WIDTH:.4f}\linewidth}}",
             rf"\begin{{picture}}({PICTURE_WIDTH:.0f},{plan.height * scale:.1f})"]
    for source, target, label in plan.edges:
        x1, y1, x2, y2 = _trim(plan.units[source], plan.units[target])
        lines.append(rf"\qbezier{p(x1, y1)}{p((x1 + x2) / 2, (y1 + y2) / 2)}{p(x2, y2)}")
        lines.append(text(label))
    for unit in plan.units.values():
        lines.append(rf"\put{p(unit.x, unit.y)}{{\circle{{{2 * RADIUS * scale:.1f}}}}}")
        if unit.name in network.inputs:
            lines.append(rf"\put{p(unit.x - RADIUS - 3, unit.y)}{{\makebox(0,0)[r]"
                         rf"{{\scriptsize ${_tex_name(unit.name)} = "
                         rf"{format_number(network.inputs[unit.name])}$}}}}")
        else:
            lines.append(rf"\put{p(unit.x, unit.y)}{{\makebox(0,0){{\tiny $\mathit{{{unit.name}}}$}}}}")
    for node, (x, y), label in plan.biases:
        u = plan.units[node]
        lines.append(rf"\qbezier{p(x, y)}{p((x + u.x) / 2, (y + u.y + RADIUS) / 2)}"
                     rf"{p(u.x - 3, u.y + RADIUS - 1)}")
        lines.append(text(label, "[b]"))
    for node, (x, y), label in plan.targets:
        u = plan.units[node]
        lines.append(rf"\put{p(u.x + RADIUS, u.y)}{{\vector(1,0){{{(x - u.x - RADIUS) * scale:.1f}}}}}")
        lines.append(text(label, "[l]"))
    lines += [r"\end{picture}", r"\end{center}"]
    return "\n".join(lines)


def _mathtext(name: str, value: str) -> str:
    if name.startswith("t_"):
        return f"$t_{{{name[2:]}}}$ = {value}"
    return f"{name} = {value}"


def to_png(network: Network, dpi: int = 150) -> bytes:
    """Figure 1's drawing as a PNG (matplotlib, Agg, no pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle

    plan = layout(network)
    figure = Figure(figsize=(plan.width / 55, plan.height / 55))
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(-30, plan.width)
    ax.set_ylim(0, plan.height)
    ax.set_aspect("equal")
    ax.axis("off")
    box = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"}
    for source, target, label in plan.edges:
        x1, y1, x2, y2 = _trim(plan.units[source], plan.units[target])
        ax.annotate("", (x2, y2), (x1, y1), arrowprops={"arrowstyle": "->", "color": "0.3"})
        ax.text(label.x, label.y, _mathtext(label.name, label.value), fontsize=6, ha="center",
                va="center", bbox=box)
    for unit in plan.units.values():
        ax.add_patch(Circle((unit.x, unit.y), RADIUS, facecolor="#dde8f5", edgecolor="black"))
        if unit.name in network.inputs:
            ax.text(unit.x - RADIUS - 3, unit.y, unit.caption, fontsize=7, ha="right", va="center")
        else:
            ax.text(unit.x, unit.y, unit.name, fontsize=6, ha="center", va="center")
    for node, (x, y), label in plan.biases:
        u = plan.units[node]
        ax.plot([x, u.x - 3], [y, u.y + RADIUS - 1], color="0.3", linewidth=1)
        ax.text(label.x, label.y, _mathtext(label.name, label.value), fontsize=6, ha="center",
                va="bottom")
    for node, (x, y), label in plan.targets:
        u = plan.units[node]
        ax.annotate("", (x, y), (u.x + RADIUS, u.y), arrowprops={"arrowstyle": "->"})
        ax.text(label.x, label.y, _mathtext(label.name, label.value), fontsize=7, ha="left",
                va="center")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def png_data_uri(network: Network) -> str:
    return "data:image/png;base64," + base64.b64encode(to_png(network)).decode("ascii")
