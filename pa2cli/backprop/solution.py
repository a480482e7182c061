"""Render a computed Solution: the worked solution (`--solve`), `--json`, Markdown and LaTeX.

Each quantity is written as a textbook would: its formula, the numbers substituted, the value;
forward pass, loss, backward pass, gradients, updated parameters. Rendering only: every number
comes from engine.solve().
"""

from __future__ import annotations

import json

from rich.console import Console, Group
from rich.rule import Rule
from rich.text import Text

from pa2cli.backprop.engine import Solution, Step, format_number
from pa2cli.backprop.latex import number, symbol, to_latex
from pa2cli.backprop.quantities import SECTIONS
from pa2cli.backprop.registry import ACTIVATIONS, LOSSES


def pretty(formula: str) -> str:
    """A formula as the screen shows it: `·` for `*` (pa2cli.expr reads `·` back as `*`)."""
    return formula.replace("*", "·")


def shows_substitution(step: Step) -> bool:
    """False when the substituted line would repeat the formula or the value."""
    return step.substituted not in (step.formula, format_number(step.value))


def by_section(solution: Solution) -> list[tuple[str, list[Step]]]:
    return [(section, [s for s in solution.steps.values() if s.section == section])
            for section in SECTIONS]


def worked_lines(step: Step, indent: int = 0) -> Text:
    """`z_h1 = w1·i1 + … ` / `     = 0.15·0.05 + …` / `     = 0.3775`."""
    pad = " " * (indent + len(step.name) + 1)
    text = Text(" " * indent)
    text.append(step.name, style="bold cyan")
    text.append(f" = {pretty(step.formula)}\n")
    if shows_substitution(step):
        text.append(f"{pad}= {pretty(step.substituted)}\n")
    text.append(f"{pad}= ")
    text.append(format_number(step.value), style="bold")
    return text


def loss_definition(solution: Solution) -> str:
    """`E = Σ over the targets o in {o1, o2} of 1/2·(t_o - a_o)^2`, from the engine's formula."""
    net = solution.network
    term = LOSSES[net.loss].formula.format(t="t_o", a="a_o", n=len(net.targets))
    return f"E = Σ over the targets o in {{{', '.join(net.targets)}}} of {pretty(term)}"


def render_solution(solution: Solution) -> Group:
    net = solution.network
    parts: list = [Text(f"Worked solution for {net.label}: loss {net.loss}, "
                        f"learning rate η = {format_number(net.learning_rate)}", style="bold"),
                   Text(f"{loss_definition(solution)}; δ_n = ∂E/∂z_n; every gradient is taken "
                        "at the original parameters, then p ← p − η·∂E/∂p.")]
    for section, steps in by_section(solution):
        parts.append(Rule(section, align="left"))
        for step in steps:
            parts.append(Text(f"{step.description}", style="dim"))
            parts.append(worked_lines(step))
    return Group(*parts)


def print_solution(solution: Solution, console: Console) -> None:
    console.print(render_solution(solution))


def to_json(solution: Solution) -> str:
    return json.dumps(solution.values(), indent=2)


def to_markdown(solution: Solution) -> str:
    net = solution.network
    lines = [f"# Backpropagation by hand: {net.label}", "",
             f"Loss `{net.loss}`, learning rate η = {format_number(net.learning_rate)}. "
             "Every gradient is taken at the original parameters.", ""]
    for section, steps in by_section(solution):
        lines += [f"## {section}", "", "| Quantity | Formula | With the numbers | Value |",
                  "|---|---|---|---|"]
        for s in steps:
            lines.append(f"| `{s.name}` | `{pretty(s.formula)}` | `{pretty(s.substituted)}` "
                         f"| {format_number(s.value)} |")
        lines.append("")
    return "\n".join(lines)


LATEX_LINE = 60  # printed characters before a long sum continues on the next line of an align*


def to_latex_document(solution: Solution) -> str:
    """A LaTeX fragment (needs amsmath) to \\input into a report."""
    net = solution.network
    lines = [r"% pa2 backprop --format latex; requires \usepackage{amsmath}",
             r"\allowdisplaybreaks",
             rf"Loss \texttt{{{net.loss.replace('_', chr(92) + '_')}}}, learning rate "
             rf"$\eta = {number(net.learning_rate)}$.", r"\begin{gather*}",
             " \\\\\n".join([LOSSES[net.loss].latex] + [
                 ACTIVATIONS[name].latex for name in dict.fromkeys(net.activations.values())]),
             r"\end{gather*}", ""]
    for section, steps in by_section(solution):
        lines += [rf"\subsection*{{{section}}}", r"\begin{align*}"]
        rows = []
        for s in steps:
            row = rf"{symbol(s.name)} &= {to_latex(s.formula, LATEX_LINE)}"
            if shows_substitution(s):
                row += rf" \\ &= {to_latex(s.substituted, LATEX_LINE)}"
            rows.append(row + rf" \\ &= {number(s.value)}")
        lines.append(" \\\\[4pt]\n".join(rows))
        lines += [r"\end{align*}", ""]
    return "\n".join(lines)
