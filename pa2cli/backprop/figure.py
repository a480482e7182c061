"""The network drawn as the course draws Figure 1, for documents: inputs on the left (first on
top), each layer to the right, the output(s) on the far right with an arrow to the target, a
short bias stub on each unit, and every edge labelled with its name and the student's value.

`layout()` places everything once (abstract units, x to the right, y up); `to_picture()` writes
it as LaTeX's own `picture` environment (kernel commands only: `\\qbezier` draws straight lines
of any slope, so no package is needed) and `to_png()` draws it with Pillow, so `pa2 backprop`
never loads matplotlib (tests/report/test_imports.py). Drawing only: no maths.
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
ROW = 80.0  # distance between units of a layer (room for the labels of edges that fan out)
RADIUS = 9.0
LABEL_AT = 0.3  # where along an edge (from its source) its label sits
PICTURE_WIDTH = 400.0  # the picture's width in \unitlength
PICTURE_SHARE = 0.96  # of \linewidth: a full \linewidth is overfull by TeX's rounding (0.34 pt)


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
    height = ROW * tallest  # half a row above the top unit (its bias label) and below the last
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
    """Figure 1's drawing as a LaTeX `picture` (kernel only), PICTURE_SHARE of \\linewidth wide."""
    plan = layout(network)
    scale = PICTURE_WIDTH / plan.width

    def p(x: float, y: float) -> str:
        return f"({x * scale:.1f},{y * scale:.1f})"

    def text(label: Label, where: str = "") -> str:
        return (rf"\put{p(label.x, label.y)}{{\makebox(0,0){where}"
                rf"{{\scriptsize ${_tex_name(label.name)} = {label.value}$}}}}")

    lines = [r"\begin{center}", rf"\setlength{{\unitlength}}{{{PICTURE_SHARE / PICTURE_WIDTH:.4f}\linewidth}}",
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


PIXELS = 2.4  # pixels of the PNG per layout unit
SUPERSAMPLE = 3  # drawn this many times larger, then scaled down: smooth lines and text


def _png_text(name: str, value: str) -> str:
    return f"{name} = {value}"


def to_png(network: Network) -> bytes:
    """Figure 1's drawing as a PNG, drawn with Pillow (which matplotlib and torchvision both
    require): `pa2 backprop` keeps matplotlib unloaded."""
    from PIL import Image, ImageDraw, ImageFont

    plan = layout(network)
    k = PIXELS * SUPERSAMPLE
    left = 60.0  # room for the inputs' captions left of their circles

    def at(x: float, y: float) -> tuple[float, float]:
        return (x + left) * k, (plan.height - y) * k

    image = Image.new("RGB", (round((plan.width + left) * k), round(plan.height * k)), "white")
    draw = ImageDraw.Draw(image)
    small, large = ImageFont.load_default(size=7 * k), ImageFont.load_default(size=8 * k)
    grey, line = (77, 77, 77), max(1, round(0.6 * k))

    def arrow(x1: float, y1: float, x2: float, y2: float, colour=grey) -> None:
        draw.line([at(x1, y1), at(x2, y2)], fill=colour, width=line)
        angle = math.atan2(y2 - y1, x2 - x1)
        tip, size = at(x2, y2), 5 * k
        wing = [(tip[0] - size * math.cos(angle + s), tip[1] + size * math.sin(angle + s))
                for s in (0.4, -0.4)]
        draw.polygon([tip, *wing], fill=colour)

    def label(text: str, x: float, y: float, anchor: str = "mm", font=small, boxed=False):
        if boxed:
            draw.rectangle(draw.textbbox(at(x, y), text, font=font, anchor=anchor), fill="white")
        draw.text(at(x, y), text, fill="black", font=font, anchor=anchor)

    for source, target, text in plan.edges:
        arrow(*_trim(plan.units[source], plan.units[target]))
    for node, (x, y), _ in plan.biases:
        u = plan.units[node]
        draw.line([at(x, y), at(u.x - 3, u.y + RADIUS - 1)], fill=grey, width=line)
    for node, (x, y), _ in plan.targets:
        u = plan.units[node]
        arrow(u.x + RADIUS, u.y, x, y, colour=(0, 0, 0))
    for source, target, text in plan.edges:
        label(_png_text(text.name, text.value), text.x, text.y, boxed=True)
    for _, _, text in plan.biases:
        label(_png_text(text.name, text.value), text.x, text.y, anchor="mb")
    for _, _, text in plan.targets:
        label(_png_text(text.name, text.value), text.x, text.y, anchor="lm", font=large)
    for unit in plan.units.values():
        (x0, y0), (x1, y1) = at(unit.x - RADIUS, unit.y + RADIUS), at(unit.x + RADIUS, unit.y - RADIUS)
        draw.ellipse([x0, y0, x1, y1], fill=(221, 232, 245), outline="black", width=line)
        if unit.name in network.inputs:
            label(unit.caption, unit.x - RADIUS - 3, unit.y, anchor="rm", font=large)
        else:
            label(unit.name, unit.x, unit.y, font=small)
    image = image.resize((image.width // SUPERSAMPLE, image.height // SUPERSAMPLE),
                         Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def png_data_uri(network: Network) -> str:
    return "data:image/png;base64," + base64.b64encode(to_png(network)).decode("ascii")
