"""What `pa2cli.sweep()` and `pa2cli.load()` return: a saved sweep as typed data, its findings
as data and as text, and its figures as matplotlib figures.

`SweepResult.runs` are the `Run`s of results.json (`.weight_decay`, `.seed`, `.status`,
`.epochs`: `EpochRow`s with `.train_loss`, `.train_acc`, `.test_loss`, `.test_acc`, ...);
`.findings` is what `pa2 sweep` concludes (`.data`: the numbers, `.sentences`/`.text`: the
words, `.to_dict()`: what `pa2 plot --json` prints); `.figure()` is the figure of
`pa2 plot --save fig.png`. In IPython a figure that ends a cell is drawn inline (as PNG) even
when pyplot was never imported; a result or its findings ending a cell shows as Markdown.
This module lays out what the sweep package computed; it never trains and never prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

FIGURES = ("overview", "curves", "final")


@dataclass(frozen=True)
class SweepFindings:
    """The findings of a sweep: `data` (pa2cli.sweep.findings.Findings) and their wording."""

    data: object
    sentences: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(f"• {line}" for line in self.sentences)

    @property
    def best_weight_decay(self) -> float | None:
        return self.data.best

    def to_dict(self) -> dict:
        return {**self.data.to_dict(), "sentences": list(self.sentences)}

    def __str__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        return "\n".join(f"- {line}" for line in self.sentences)


def _show_figures_inline() -> None:
    """In IPython, draw a matplotlib Figure that ends a cell as PNG (what `%matplotlib inline`
    registers once pyplot is imported; pa2's figures do not need pyplot)."""
    try:
        shell = get_ipython()  # type: ignore[name-defined]  # noqa: F821 - IPython's builtin
    except NameError:
        return
    from matplotlib.figure import Figure

    png = shell.display_formatter.formatters.get("image/png")
    if png is None:
        return
    try:
        png.lookup_by_type(Figure)
    except KeyError:
        from IPython.core.pylabtools import print_figure

        png.for_type(Figure, lambda figure: print_figure(figure, "png", bbox_inches="tight"))


class SweepResult:
    """One saved sweep: its folder, its config and runs, its findings and figures."""

    def __init__(self, folder: Path, results):
        self.folder = Path(folder)
        self.results = results  # pa2cli.sweep.store.SweepResults

    @property
    def runs(self) -> list:
        return self.results.runs

    @property
    def config(self) -> dict:
        return self.results.config

    @property
    def weight_decays(self) -> list[float]:
        return self.results.weight_decays

    @property
    def seeds(self) -> list[int]:
        return self.results.seeds

    def run(self, weight_decay: float, seed: int | None = None):
        """The run of this weight decay (and seed; the first seed when there is one)."""
        return self.results.run(weight_decay, self.seeds[0] if seed is None else seed)

    @cached_property
    def findings(self) -> SweepFindings:
        from pa2cli.sweep.findings import analyse
        from pa2cli.sweep.sentences import sentences

        found = analyse(self.results)
        return SweepFindings(found, tuple(sentences(found)))

    def figure(self, kind: str = "overview"):
        """The matplotlib figure: "overview" (curves and final accuracy, as `pa2 plot --save`),
        "curves" (per weight decay over the epochs) or "final" (final accuracy vs weight decay)."""
        __tracebackhide__ = True
        from pa2cli.errors import UserError, excerpt

        if kind not in FIGURES:
            raise UserError(f"{excerpt(kind)} is not a figure", where="figure(kind)",
                            fix=f"Give one of {', '.join(FIGURES)}.")
        from pa2cli.sweep import figures

        _show_figures_inline()
        return getattr(figures, f"{kind}_figure")(self.results)

    def to_dict(self) -> dict:
        """results.json's content."""
        return self.results.to_dict()

    def _summary(self) -> str:
        epochs = self.config.get("epochs")
        return (f"Sweep in {self.folder}: {len(self.weight_decays)} weight decays × "
                f"{len(self.seeds)} seed(s), {epochs} epochs, {len(self.runs)} runs")

    def __repr__(self) -> str:
        return f"<SweepResult {self._summary()}>"

    def _repr_markdown_(self) -> str:
        return (f"**{self._summary()}**\n\n{self.findings._repr_markdown_()}\n\n"
                "`.runs`, `.findings`, `.figure()`")
