"""Rich tables of results: the quiz's final score and the `--check` report.

Rendering only: the verdicts come from grading.py and the quiz; the values from the engine.
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from pa2cli.backprop.engine import Solution, format_number
from pa2cli.backprop.grading import SHOWN_UNKNOWN, SheetReport, Tolerance, how_far_hidden
from pa2cli.backprop.quantities import SECTIONS
from pa2cli.backprop.solution import pretty
from pa2cli.errors import shown_name

# Quiz outcomes, best first: how a question ended.
FIRST_TRY, LATER, REVEALED = "first try", "after a retry or hint", "revealed"
OUTCOMES = (FIRST_TRY, LATER, REVEALED)


def score_table(solution: Solution, outcomes: dict[str, str]) -> Group:
    """Per section: how many questions were right first time, later, or revealed; then misses."""
    table = Table(title="Score", title_justify="left")
    table.add_column("Section")
    table.add_column("Questions", justify="right")
    for header in ("Right first try", "Right later", "Revealed"):
        table.add_column(header, justify="right")
    totals = [0, 0, 0, 0]
    for section in SECTIONS:
        names = [s.name for s in solution.steps.values() if s.section == section]
        counts = [len(names)] + [sum(outcomes.get(n) == o for n in names) for o in OUTCOMES]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        table.add_row(section, *map(str, counts), end_section=section == SECTIONS[-1])
    table.add_row(Text("Total", style="bold"), *(Text(str(t), style="bold") for t in totals))
    missed = [s for s in solution.steps.values() if outcomes.get(s.name, FIRST_TRY) != FIRST_TRY]
    parts: list = [table]
    if missed:
        misses = Table(title="Items missed (the correct values)", title_justify="left")
        for column in ("Quantity", "Formula", "Correct value", "Outcome"):
            misses.add_column(column)
        for step in missed:
            misses.add_row(step.name, pretty(step.formula),
                           format_number(step.value), outcomes[step.name])
        parts.append(misses)
    else:
        parts.append(Text("Every quantity right at the first try.", style="bold green"))
    return Group(*parts)


def check_table(report: SheetReport, tolerance: Tolerance, hide_answers: bool = False) -> Group:
    """The graded sheet; with `hide_answers` no correct value is shown (right or wrong, and
    how far off: the direction and the percentage)."""
    table = Table(title="Answer sheet", title_justify="left",
                  caption=f"tolerance: {tolerance.describe()}", caption_justify="left")
    columns = ("Quantity", "Yours", "Verdict") if hide_answers else \
        ("Quantity", "Yours", "Correct", "Verdict")
    for column in columns:
        table.add_column(column)
    for g in report.graded:
        far = how_far_hidden(g.given, g.expected) if hide_answers else g.how_far
        verdict = Text("✓ right", style="green") if g.correct else \
            Text(f"✗ wrong: {far}", style="red")
        shown = [] if hide_answers else [format_number(g.expected)]
        table.add_row(g.name, format_number(g.given), *shown, verdict)
    wrong = sum(not g.correct for g in report.graded)
    parts: list = [table, Text(f"{len(report.graded) - wrong} right, {wrong} wrong "
                               f"of {len(report.graded)} graded.")]
    if report.unknown:
        named = [f"{shown_name(name)} (did you mean {report.suggestions[name]}?)"
                 if name in report.suggestions else shown_name(name)
                 for name in report.unknown[:SHOWN_UNKNOWN]]
        more = len(report.unknown) - len(named)
        named += [f"and {more:,} more"] if more else []
        parts.append(Text(f"Unknown names, not graded ({len(report.unknown):,}): "
                          + ", ".join(named) + ". `pa2 backprop --json` lists every name.",
                          style="yellow"))
    if report.missing:
        parts.append(Text(f"Missing ({len(report.missing)}): " + ", ".join(report.missing),
                          style="dim"))
    return Group(*parts)
