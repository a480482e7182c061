"""Figure 1 as LaTeX draws it: no label overlaps another label, a unit's circle or any drawn line.

The `picture` that `pa2 backprop --format latex` writes is parsed (its `\\qbezier` lines, `\\vector`
arrows, `\\circle` units and `\\makebox` labels), and pdflatex measures each label's box (width,
height, depth in pt, over `\\unitlength`), so the boxes are TeX's, not pa2's estimate of them.
Eight long labels converging on one unit (test_backprop_latex.py's WIDE) have no free place: the
layout then takes the fraction with the fewest meetings, and that network is not checked here.
"""

from __future__ import annotations

import json
import math
import re

import pytest

from pa2cli.report import tex
from tests.latex.test_backprop_latex import FAN_OUT, OTHER

NUMBER = r"(-?[\d.]+)"
POINT = rf"\({NUMBER},{NUMBER}\)"


def picture(body: str) -> tuple[str, list[str]]:
    unitlength = re.search(r"\\setlength\{\\unitlength\}\{([^}]*)\}", body).group(1)
    inside = body.split(r"\begin{picture}", 1)[1].split(r"\end{picture}", 1)[0]
    return unitlength, inside.splitlines()[1:]


def bezier(p0, p1, p2, pieces: int = 16) -> list[tuple[float, float, float, float]]:
    def at(t):
        return tuple((1 - t) ** 2 * a + 2 * (1 - t) * t * b + t ** 2 * c for a, b, c in zip(p0, p1, p2))
    points = [at(k / pieces) for k in range(pieces + 1)]
    return [(*a, *b) for a, b in zip(points, points[1:])]


def meets(segment, box) -> bool:
    """Whether some point of the segment lies strictly inside the box (x0, y0, x1, y1)."""
    x1, y1, x2, y2 = segment
    low, high = 0.0, 1.0
    for p, q in ((x1 - x2, x1 - box[0]), (x2 - x1, box[2] - x1), (y1 - y2, y1 - box[1]), (y2 - y1, box[3] - y1)):
        if p == 0:
            if q <= 0:
                return False
        elif p < 0:
            low = max(low, q / p)
        else:
            high = min(high, q / p)
    return high - low > 1e-6


def overlap(a, b) -> bool:
    return a[0] < b[2] - 1e-6 and b[0] < a[2] - 1e-6 and a[1] < b[3] - 1e-6 and b[1] < a[3] - 1e-6


def parse(lines: list[str]):
    segments, circles, labels, edges = [], [], [], []  # edges: (label index, its two pieces)
    pieces: list = []
    for line in lines:
        if line.startswith(r"\qbezier"):
            p0, p1, p2 = [(float(x), float(y)) for x, y in re.findall(POINT, line)]
            segments += bezier(p0, p1, p2)
            pieces.append((*p0, *p2))
            continue
        put = re.match(rf"\\put{POINT}\{{(.*)\}}$", line)
        if put:
            x, y, what = float(put.group(1)), float(put.group(2)), put.group(3)
            if vector := re.fullmatch(rf"\\vector\(1,0\)\{{{NUMBER}\}}", what):
                segments.append((x, y, x + float(vector.group(1)), y))
            elif circle := re.fullmatch(rf"\\circle\{{{NUMBER}\}}", what):
                r = float(circle.group(1)) / 2
                circles.append((x - r, y - r, x + r, y + r))
            else:
                box = re.fullmatch(r"\\makebox\(0,0\)(\[[lrb]\])?\{(.*)\}", what)
                assert box, line
                if len(pieces) == 2:
                    edges.append((len(labels), pieces))
                labels.append((x, y, (box.group(1) or "")[1:2], box.group(2)))
        pieces = []
    return segments, circles, labels, edges


def measure(compile_document, tmp_path, unitlength: str, labels) -> list[tuple[float, float, float]]:
    """Each label's (width, height, depth) in \\unitlength, as pdflatex sets it on the page."""
    lines = [rf"\setlength{{\unitlength}}{{{unitlength}}}\typeout{{UNIT \the\unitlength}}"]
    lines += [rf"\setbox0\hbox{{{text}}}\typeout{{LABEL \the\wd0 \the\ht0 \the\dp0}}" for *_, text in labels]
    (tmp_path / "doc.tex").write_text(tex.standalone("\n".join(lines) + "\nmeasured"))
    compile_document(tmp_path / "doc.tex", runs=1)
    log = (tmp_path / "doc.log").read_text(errors="replace")
    unit = float(re.search(r"UNIT ([\d.]+)pt", log).group(1))
    sizes = [tuple(float(v) / unit for v in m) for m in re.findall(r"LABEL ([\d.]+)pt\s*([\d.]+)pt\s*([\d.]+)pt", log)]
    assert len(sizes) == len(labels)
    return sizes


def boxes(labels, sizes):
    out = []
    for (x, y, where, _), (w, h, d) in zip(labels, sizes):
        x0 = {"l": x, "r": x - w}.get(where, x - w / 2)
        y0 = y if where == "b" else y - (h + d) / 2  # [b]: the box's bottom on y; else centred
        out.append((x0, y0, x0 + w, y0 + h + d))
    return out


@pytest.mark.parametrize("network", ["figure1", "mazur", OTHER, FAN_OUT],
                         ids=["figure1", "mazur", "tanh-linear-mse", "five-paths"])
def test_no_label_meets_another_label_a_unit_or_a_line(run, tmp_path, compile_document, network):
    if isinstance(network, str):
        body = run("backprop", "--format", "latex", "--example", network).output
    else:
        (tmp_path / "w.json").write_text(json.dumps(network))
        body = run("backprop", "--format", "latex", "--weights", str(tmp_path / "w.json")).output
    unitlength, lines = picture(body)
    segments, circles, labels, edges = parse(lines)
    count = 8 if isinstance(network, str) else len(network["edges"])
    assert len(edges) == count  # each edge drawn as two pieces, then its label
    placed = boxes(labels, measure(compile_document, tmp_path, unitlength, labels))
    for i, box in enumerate(placed):
        text = labels[i][3]
        assert not [s for s in segments if meets(s, box)], f"a line crosses {text}"
        assert not [labels[j][3] for j, other in enumerate(placed) if j != i and overlap(box, other)], text
        if r"\mathit" not in text:  # a unit's own name sits inside its circle
            assert not [c for c in circles if overlap(box, c)], f"{text} covers a unit"


def test_each_edge_label_sits_on_its_own_edge_between_its_two_pieces(run):
    body = run("backprop", "--format", "latex", "--example", "figure1").output
    _, lines = picture(body)
    _, _, labels, edges = parse(lines)
    names = []
    for index, ((ax, ay, bx, by), (cx, cy, dx, dy)) in edges:
        x, y, _, text = labels[index]
        assert (bx, by) != (cx, cy)  # a gap where the label is
        length = math.hypot(bx - ax, by - ay)
        for px, py in ((x, y), (cx, cy), (dx, dy)):  # on the line of the edge's first piece
            assert abs((bx - ax) * (py - ay) - (by - ay) * (px - ax)) / length < 0.5, text
        assert min(bx, cx) <= x <= max(bx, cx), text
        names.append(re.search(r"W_\{[\d\\_]+\}", text).group(0))
    assert sorted(names) == sorted(rf"W_{{{n[:2]}\_{n[2]}}}" for n in
                                   ["111", "121", "211", "221", "311", "321", "112", "212"])
