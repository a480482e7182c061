"""The terminal plot of a function and its derivative, drawn with plotext.

plotext keeps a global figure; this is the only module of `pa2 explain` that touches it: clear
the figure, draw, build, and turn the result into a string. It draws the series worked.py
computed and never computes maths itself.
"""

from __future__ import annotations

from pa2cli.explain.worked import PlotSeries

FUNCTION_MARKER, DERIVATIVE_MARKER = "•", "x"


def draw(series: PlotSeries, *, width: int, height: int = 20, color: bool = True) -> str:
    """The plot as text (with ANSI colours when `color`)."""
    import plotext

    from pa2cli.plot_notes import plain_notes

    with plain_notes():  # plotext's warnings without colour codes on a non-terminal
        return _draw(plotext.figure, series, width, height, color)


def _draw(figure, series: PlotSeries, width: int, height: int, color: bool) -> str:
    figure.clear()
    figure.theme("simple")
    figure.plot_size(width, height)
    xs = [float(x) for x in series.xs]
    for values, marker in ((series.values, FUNCTION_MARKER), (series.derivative, DERIVATIVE_MARKER)):
        signal = figure.signal(xs, [float(y) for y in values], marker=marker)
        signal.lines()
        figure.draw(signal)
    figure.legend(active=False)
    figure.title(f"{FUNCTION_MARKER} {series.function_label}   {DERIVATIVE_MARKER} {series.derivative_label}")
    figure.label(series.xlabel, axis="x")
    text = figure.build().string(colorless=not color)
    figure.clear()
    return text
