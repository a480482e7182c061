"""The network drawn as the course draws Figure 1, for documents: inputs on the left (first on
top), each layer to the right, the output(s) on the far right with an arrow to the target, a
short bias stub on each unit, and every edge labelled with its name and the student's value.

`layout()` places everything once (abstract units, x to the right, y up), each edge's label at
the first fraction along its own edge where the label's box (estimated from its text, generously)
meets no other label, unit, caption or line; `to_picture()` writes it as LaTeX's own `picture`
environment (kernel commands only: `\\qbezier` draws straight lines of any slope, so no package
is needed; each edge is drawn in two pieces that stop at its label's box, so no line crosses
text) and `to_png()` draws it with Pillow, so `pa2 backprop` never loads matplotlib
(tests/report/test_imports.py). Drawing only: no maths.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass

from pa2cli.backprop.engine import format_number
from pa2cli.backprop.latex import param
from pa2cli.backprop.spec import Network

TALLEST = 640.0  # the picture's most height (in layout units): 451 pt, on a 550 pt page
COLUMN = 150.0  # distance between layers
ROW = 100.0  # distance between units of a layer: room for the labels of edges that fan out (95 is
# the least where Figure 1's labels all find a free place; tests/latex/test_figure_labels.py)
RADIUS = 9.0
LABEL_AT = (0.5, 0.4, 0.6, 0.3, 0.7, 0.35, 0.65, 0.45, 0.55, 0.25, 0.75, 0.2, 0.8)  # tried in turn
PICTURE_WIDTH = 400.0  # the picture's width in \unitlength
PICTURE_SHARE = 0.96  # of \linewidth: a full \linewidth is overfull by TeX's rounding (0.34 pt)
LINEWIDTH_PT = 345.0  # the narrowest page it is set on (article, 10 pt): labels are widest there
CHAR_PT = 4.3  # \scriptsize maths per character of `W11_1 = 0.1`, rounded up (TeX: 3.2 to 4.0)
LABEL_PT = 8.5  # a label's height and the gap cut in its edge (TeX: 5.8 pt with its depth)


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
    width: float = 0.0  # an edge label's box, centred on (x, y), in layout units
    height: float = 0.0


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
    row = min(ROW, TALLEST / tallest)  # a tall column's rows closer: the picture fits the page
    height = row * tallest  # half a row above the top unit (its bias label) and below the last
    units = {}
    for i, column in enumerate(columns):
        top = height / 2 + row * (len(column) - 1) / 2
        for j, name in enumerate(column):
            caption = (f"{name} = {format_number(network.inputs[name])}"
                       if name in network.inputs else name)
            units[name] = Unit(name, 60.0 + COLUMN * i, top - row * j, caption)
    width = 60.0 + COLUMN * depth + 110.0
    edge_lines = [_trim(units[e.source], units[e.target]) for e in network.edges.values()]
    biases = []
    for bias in network.biases.values():
        for node in bias.nodes:  # the stub up-left of the unit, or up-right where a line is there
            u, value = units[node], format_number(bias.value)
            w, h = label_size(bias.name, value, width)
            for side in (-1.0, 1.0):
                top = (u.x + 14.0 * side, u.y + 24.0)
                stub = (*top, u.x + 3 * side, u.y + RADIUS - 1)
                box = (top[0] - w / 2, top[1] + 6, top[0] + w / 2, top[1] + 6 + h)
                if not any(segment_meets_box(line, box) or _cross(line, stub) for line in edge_lines):
                    break
            biases.append((node, top, Label(bias.name, value, top[0], top[1] + 6)))
    targets = []
    for node, value in network.targets.items():
        u = units[node]
        end = (u.x + 45.0, u.y)
        targets.append((node, end, Label(f"t_{node}", format_number(value), end[0] + 4, u.y)))
    edges = _place_edge_labels(network, units, biases, targets, width)
    return Layout(units, edges, biases, targets, width, height)


Box = tuple[float, float, float, float]  # x0, y0, x1, y1
Segment = tuple[float, float, float, float]


def label_size(name: str, value: str, width: float) -> tuple[float, float]:
    """A label's (width, height) in layout units, from its text, on the narrowest page."""
    pt = PICTURE_SHARE * LINEWIDTH_PT / width  # points per layout unit
    return CHAR_PT * len(f"{name} = {value}") / pt, LABEL_PT / pt


def centred(x: float, y: float, size: tuple[float, float]) -> Box:
    return x - size[0] / 2, y - size[1] / 2, x + size[0] / 2, y + size[1] / 2


def boxes_meet(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def segment_meets_box(seg: Segment, box: Box) -> bool:
    """Liang-Barsky: whether any point of the segment lies strictly inside the box."""
    x1, y1, x2, y2 = seg
    low, high = 0.0, 1.0
    for p, q in ((-(x2 - x1), x1 - box[0]), (x2 - x1, box[2] - x1),
                 (-(y2 - y1), y1 - box[1]), (y2 - y1, box[3] - y1)):
        if p == 0:
            if q <= 0:
                return False
        elif p < 0:
            low = max(low, q / p)
        else:
            high = min(high, q / p)
    return high - low > 1e-9


def _cross(a: Segment, b: Segment) -> bool:
    """Whether two segments properly cross."""
    def side(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    p1, p2, q1, q2 = a[:2], a[2:], b[:2], b[2:]
    return side(p1, p2, q1) * side(p1, p2, q2) < 0 and side(q1, q2, p1) * side(q1, q2, p2) < 0


def _stub_end(u: Unit, top_x: float) -> float:
    return u.x - 3 if top_x < u.x else u.x + 3


def _place_edge_labels(network: Network, units: dict[str, Unit], biases, targets,
                       width: float) -> list[tuple[str, str, Label]]:
    """Each edge's label at the first fraction of LABEL_AT where its box meets no other edge's
    line, no unit, caption, bias or target and no label placed before it; where none is free, at
    the fraction with the fewest such meetings. Greedy, edge by edge: work ~ edges² · fractions."""
    boxes: list[Box] = [centred(u.x, u.y, (2 * RADIUS + 2, 2 * RADIUS + 2)) for u in units.values()]
    for u in units.values():
        if u.name in network.inputs:
            w, h = label_size(u.name, format_number(network.inputs[u.name]), width)
            boxes.append((u.x - RADIUS - 3 - w, u.y - h / 2, u.x - RADIUS - 3, u.y + h / 2))
    lines: list[tuple[str | None, Segment]] = []
    for node, (x, y), label in biases:
        u = units[node]
        lines.append((None, (x, y, _stub_end(u, x), u.y + RADIUS - 1)))
        w, h = label_size(label.name, label.value, width)
        boxes.append((label.x - w / 2, label.y, label.x + w / 2, label.y + h))
    for node, (x, y), label in targets:
        u = units[node]
        lines.append((None, (u.x + RADIUS, u.y, x, y)))
        w, h = label_size(label.name, label.value, width)
        boxes.append((label.x, label.y - h / 2, label.x + w, label.y + h / 2))
    for name, edge in network.edges.items():
        lines.append((name, _trim(units[edge.source], units[edge.target])))
    edges = []
    for name, edge in network.edges.items():
        a, b = units[edge.source], units[edge.target]
        size = label_size(name, format_number(edge.value), width)
        best = None
        for at in LABEL_AT:
            x, y = a.x + at * (b.x - a.x), a.y + at * (b.y - a.y)
            box = centred(x, y, size)
            meets = (sum(boxes_meet(box, other) for other in boxes)
                     + sum(segment_meets_box(seg, box) for owner, seg in lines if owner != name))
            if best is None or meets < best[0]:
                best = (meets, x, y, box)
            if meets == 0:
                break
        _, x, y, box = best
        boxes.append(box)
        edges.append((edge.source, edge.target,
                      Label(name, format_number(edge.value), x, y, size[0], size[1])))
    return edges


def _trim(a: Unit, b: Unit) -> tuple[float, float, float, float]:
    """The segment between two units' circles (not their centres)."""
    dx, dy = b.x - a.x, b.y - a.y
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    return a.x + RADIUS * ux, a.y + RADIUS * uy, b.x - RADIUS * ux, b.y - RADIUS * uy


def _around(seg: Segment, label: Label) -> list[Segment]:
    """The segment less the part inside the label's box (centred on the segment)."""
    x1, y1, x2, y2 = seg
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    half = min(label.width / 2 / abs(ux) if ux else math.inf,
               label.height / 2 / abs(uy) if uy else math.inf)
    return [(x1, y1, label.x - half * ux, label.y - half * uy),
            (label.x + half * ux, label.y + half * uy, x2, y2)]


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
    for source, target, label in plan.edges:  # two pieces, then the label in the gap between
        for x1, y1, x2, y2 in _around(_trim(plan.units[source], plan.units[target]), label):
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
                     rf"{p(_stub_end(u, x), u.y + RADIUS - 1)}")
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
        draw.line([at(x, y), at(_stub_end(u, x), u.y + RADIUS - 1)], fill=grey, width=line)
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
