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

from pa2cli.backprop import derivation
from pa2cli.backprop.engine import Solution, Step, format_number
from pa2cli.backprop.latex import number, symbol, to_latex
from pa2cli.backprop.quantities import SECTIONS
from pa2cli.backprop.registry import LOSSES


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


def render_solution(solution: Solution) -> Group:
    net = solution.network
    parts: list = [Text(f"Worked solution for {net.label}: loss {LOSSES[net.loss].title} "
                        f"({net.loss}), learning rate η = {format_number(net.learning_rate)}",
                        style="bold")]
    for kind, line in derivation.preamble(net):
        parts.append(Text("  " + line.text, style="bold") if kind == "maths" else Text(line.text))
    chain = derivation.factorisations(net)
    for section, steps in by_section(solution):
        parts.append(Rule(section, align="left"))
        for step in steps:
            parts.append(Text(f"{step.description}", style="dim"))
            if step.name in chain:
                parts.append(Text(chain[step.name].text, style="italic"))
            parts.append(worked_lines(step))
    return Group(*parts)


def print_solution(solution: Solution, console: Console) -> None:
    console.print(render_solution(solution))


def to_json(solution: Solution) -> str:
    return json.dumps(solution.values(), indent=2)


def to_markdown(solution: Solution) -> str:
    """The worked solution in Markdown with `$…$` maths: the loss and δ written out, then every
    quantity as formula = numbers = value, each backward quantity after its chain rule."""
    from pa2cli.explain.prose import markdown_text

    net = solution.network
    lines = [f"# Backpropagation by hand: {net.label}", "",
             f"Loss: {LOSSES[net.loss].title} (`{net.loss}`), learning rate "
             f"$\\eta = {number(net.learning_rate)}$.", ""]
    for kind, line in derivation.preamble(net):
        lines += [f"$${line.latex}$$" if kind == "maths" else markdown_text(line.text), ""]
    chain = derivation.factorisations(net)
    for section, steps in by_section(solution):
        lines += [f"## {section}", ""]
        for s in steps:
            lines.append(f"- {markdown_text(s.description)}:  ")
            worked = chain[s.name].latex if s.name in chain else f"{symbol(s.name)} = {to_latex(s.formula)}"
            if shows_substitution(s):
                worked += f" = {to_latex(s.substituted)}"
            lines.append(f"  ${worked} = {number(s.value)}$")
        lines.append("")
    return "\n".join(lines)


LATEX_LINE = 60  # printed characters before a long sum continues on the next line of an align*


def to_latex_document(solution: Solution) -> str:
    """A LaTeX fragment (needs amsmath) to \\input into a report: the loss and δ written out, then
    every quantity as its chain rule (backward pass and gradients), formula, numbers and value."""
    from pa2cli.explain.prose import latex_text

    net = solution.network
    lines = [r"% pa2 backprop --format latex; requires \usepackage{amsmath}",
             r"\allowdisplaybreaks",
             rf"Loss: {LOSSES[net.loss].title} (\texttt{{{net.loss.replace('_', chr(92) + '_')}}}), "
             r"learning rate "
             rf"$\eta = {number(net.learning_rate)}$.", ""]
    for kind, line in derivation.preamble(net):
        lines += [rf"\[ {line.latex} \]" if kind == "maths" else (line.latex or latex_text(line.text)), ""]
    chain = derivation.factorisations(net)
    for section, steps in by_section(solution):
        lines += [rf"\subsection*{{{section}}}", r"\begin{align*}"]
        rows = []
        for s in steps:
            if s.name in chain:  # the chain rule, ending in the formula
                row = _split_chain(chain[s.name].latex)
            else:
                row = rf"{symbol(s.name)} &= {to_latex(s.formula, LATEX_LINE)}"
            if shows_substitution(s):
                row += rf" \\ &= {to_latex(s.substituted, LATEX_LINE)}"
            rows.append(row + rf" \\ &= {number(s.value)}")
        lines.append(" \\\\[4pt]\n".join(rows))
        lines += [r"\end{align*}", ""]
    return "\n".join(lines)


def _split_chain(latex: str) -> str:
    """A chain-rule line for an align*: its quantity, then each `=` on its own line, and a long
    sum of paths broken after every second term."""
    left, *rest = latex.split(" = ")
    out = []
    for part in rest:
        terms = part.split(" + ")
        chunks = [" + ".join(terms[i:i + 2]) for i in range(0, len(terms), 2)]
        out.append("&= " + r" \\ &\qquad + ".join(chunks))  # \Bigl( and \Bigr) need not share a line
    return left + " " + r" \\ ".join(out)
