"""Render a computed Solution: the worked solution (`--solve`), `--json`, Markdown and LaTeX.

Each format opens with the network drawn as Figure 1 (figure.py; the terminal's drawing is
diagram.py), the Given block (every number the solution starts from), the loss and δ written
out and how the course's "L2 loss" is read; then each quantity as a textbook writes it: its
chain rule, its symbolic factors, the numbers substituted, the value. The text format writes
every quantity in one notation (δ_h1, ∂E/∂a_h1, ∂E/∂W11_1, W11_1⁺), never the answer names
(`delta_h1`) the quiz and `--check` use. Rendering only: every number comes from engine.solve().
"""

from __future__ import annotations

import json
import re

from rich.console import Console, Group
from rich.rule import Rule
from rich.text import Text

from pa2cli.backprop import derivation
from pa2cli.backprop.engine import Solution, Step, format_number
from pa2cli.backprop.latex import number, symbol, to_latex
from pa2cli.backprop.quantities import SECTIONS
from pa2cli.backprop.registry import LOSSES

_NAME = re.compile(r"[^\W\d]\w*")
_SHOWN = (("dE_da_", "∂E/∂a_"), ("delta_", "δ_"), ("grad_", "∂E/∂"), ("loss_", "E_"))


def pretty(formula: str) -> str:
    """A formula as the screen shows it: `·` for `*` (pa2cli.expr reads `·` back as `*`)."""
    return formula.replace("*", "·")


def shown_name(name: str) -> str:
    """A quantity's name in the solution's one notation: δ_h1, ∂E/∂a_h1, ∂E/∂W11_1, W11_1⁺, E."""
    if name == "loss":
        return "E"
    if name.startswith("new_"):
        return name[4:] + "⁺"
    for prefix, shown in _SHOWN:
        if name.startswith(prefix):
            return shown + name[len(prefix):]
    return name


def display(formula: str) -> str:
    """A formula in the solution's notation: every quantity name by shown_name(), `·`, `−`."""
    text = _NAME.sub(lambda m: shown_name(m.group(0)), formula)
    return pretty(text).replace(" - ", " − ")


def shows_substitution(step: Step) -> bool:
    """False when the substituted line would repeat the formula or the value."""
    return step.substituted not in (step.formula, format_number(step.value))


def by_section(solution: Solution) -> list[tuple[str, list[Step]]]:
    return [(section, [s for s in solution.steps.values() if s.section == section])
            for section in SECTIONS]


def worked_lines(step: Step, indent: int = 0) -> Text:
    """`z_h1 = w1·i1 + … ` / `     = 0.15·0.05 + …` / `     = 0.3775` (the quiz's names)."""
    pad = " " * (indent + len(step.name) + 1)
    text = Text(" " * indent)
    text.append(step.name, style="bold cyan")
    text.append(f" = {pretty(step.formula)}\n")
    if shows_substitution(step):
        text.append(f"{pad}= {pretty(step.substituted)}\n")
    text.append(f"{pad}= ")
    text.append(format_number(step.value), style="bold")
    return text


def _same(a: str, b: str) -> bool:
    def plain(s: str) -> str:
        return s.replace(" ", "").replace("−", "-").replace("·", "*")
    return plain(a) == plain(b)


def _ends_in_formula(chain: derivation.Line, step: Step) -> bool:
    """True when the chain rule's last member already is the step's symbolic formula."""
    return _same(chain.text.rpartition(" = ")[2], display(step.formula))


def solution_lines(step: Step, chain: derivation.Line | None) -> Text:
    """One quantity in the solution's notation: its chain rule when it has one, then its
    symbolic factors, the numbers and the value, each `=` under the first."""
    head = chain.text if chain else f"{shown_name(step.name)} = {display(step.formula)}"
    pad = " " * (len(shown_name(step.name)) + 1)
    text = Text()
    name, _, rest = head.partition(" = ")
    text.append(name, style="bold cyan")
    text.append(f" = {rest}\n")
    if chain and not _ends_in_formula(chain, step):
        text.append(f"{pad}= {display(step.formula)}\n")
    if shows_substitution(step):
        text.append(f"{pad}= {pretty(step.substituted)}\n")
    text.append(f"{pad}= ")
    text.append(format_number(step.value), style="bold")
    return text


def given_text(solution: Solution) -> list[Text]:
    out = [Text("Given", style="bold underline")]
    for heading, items in derivation.given(solution.network):
        if items:
            body = ", ".join(f"{n} = {v}" if n else v for n, v in items)
            out.append(Text(f"  {heading}: {body}"))
    return out


def render_solution(solution: Solution) -> Group:
    from pa2cli.backprop.diagram import draw

    net = solution.network
    parts: list = [Text(f"Worked solution for {net.label}: loss {LOSSES[net.loss].title} "
                        f"({net.loss}), learning rate η = {format_number(net.learning_rate)}",
                        style="bold"), draw(net), *given_text(solution)]
    for kind, line in derivation.preamble(net):
        parts.append(Text("  " + line.text, style="bold") if kind == "maths" else Text(line.text))
    chain = derivation.factorisations(net)
    for section, steps in by_section(solution):
        parts.append(Rule(section, align="left"))
        for step in steps:
            if step.name not in chain:
                parts.append(Text(step.description, style="dim"))
            parts.append(solution_lines(step, chain.get(step.name)))
    return Group(*parts)


def print_solution(solution: Solution, console: Console) -> None:
    console.print(render_solution(solution))


def to_json(solution: Solution) -> str:
    return json.dumps(solution.values(), indent=2)


def _given_latex(solution: Solution) -> list[str]:
    """The Given block as LaTeX lines (maths in `$…$`), one per heading."""
    from pa2cli.explain.prose import latex_text

    from pa2cli.backprop.registry import ACTIVATIONS

    net = solution.network
    rows = []
    for heading, items in derivation.given(net):
        if heading == "activation":
            acts = sorted(set(net.activations.values()))
            rows.append("activation: " + ", ".join(
                rf"{name}, ${ACTIVATIONS[name].latex}$" for name in acts)
                + (" in every unit" if len(acts) == 1 else " (per node, as in the file)"))
        elif heading == "loss":
            loss = LOSSES[net.loss]
            rows.append(rf"loss: \texttt{{{net.loss.replace('_', chr(92) + '_')}}}, "
                        rf"${loss.latex}$")
        elif items:
            body = ", ".join(f"${symbol(n)} = {number(float(v))}$" if n else latex_text(v)
                             for n, v in items)
            rows.append(f"{heading}: {body}")
    return rows


def _delta_latex(solution: Solution, step: Step) -> str:
    """The symbolic factors of a δ (or ∂E/∂a) in LaTeX, when the chain line does not end in them."""
    return to_latex(step.formula)


def to_markdown(solution: Solution, figure: str | None = None) -> str:
    """The worked solution in Markdown with `$…$` maths: Figure 1 as a PNG (`figure`: its path
    or URL; by default embedded as a data URI), the Given block, the loss and δ written out,
    then every quantity as chain rule = symbolic factors = numbers = value."""
    from pa2cli.backprop.figure import png_data_uri
    from pa2cli.explain.prose import markdown_text

    net = solution.network
    lines = [f"# Backpropagation by hand: {net.label}", "",
             f"![The network, drawn as Figure 1, with the given values]"
             f"({figure or png_data_uri(net)})", "", "## Given", ""]
    lines += [f"- {row}" for row in _given_latex(solution)] + [""]
    lines += [f"Loss: {LOSSES[net.loss].title} (`{net.loss}`), learning rate "
              f"$\\eta = {number(net.learning_rate)}$.", ""]
    for kind, line in derivation.preamble(net):
        lines += [f"$${line.latex}$$" if kind == "maths" else markdown_text(line.text), ""]
    chain = derivation.factorisations(net)
    for section, steps in by_section(solution):
        lines += [f"## {section}", ""]
        for s in steps:
            lines.append(f"- {markdown_text(s.description)}:  ")
            if s.name in chain:
                worked = chain[s.name].latex
                if not _ends_in_formula(chain[s.name], s):
                    worked += f" = {to_latex(s.formula)}"
            else:
                worked = f"{symbol(s.name)} = {to_latex(s.formula)}"
            if shows_substitution(s):
                worked += f" = {to_latex(s.substituted)}"
            lines.append(f"  ${worked} = {number(s.value)}$")
        lines.append("")
    return "\n".join(lines)


LATEX_LINE = 60  # printed characters before a long sum continues on the next line of an align*


def to_latex_document(solution: Solution) -> str:
    """A LaTeX fragment (needs amsmath) to \\input into a report: Figure 1 as a `picture`, the
    Given block, the loss and δ written out, then every quantity as its chain rule (backward
    pass and gradients), symbolic factors, numbers and value."""
    from pa2cli.backprop.figure import to_picture
    from pa2cli.explain.prose import latex_text

    net = solution.network
    lines = [r"% pa2 backprop --format latex; requires \usepackage{amsmath}",
             r"\allowdisplaybreaks", to_picture(net), "",
             r"\subsection*{Given}", r"\begin{flushleft}", r"\begin{itemize}"]
    lines += [rf"\item {row}" for row in _given_latex(solution)]
    lines += [r"\end{itemize}", r"\end{flushleft}",
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
            if s.name in chain:  # the chain rule, then the symbolic factors
                row = _split_chain(chain[s.name].latex)
                if not _ends_in_formula(chain[s.name], s):
                    row += rf" \\ &= {to_latex(s.formula, LATEX_LINE)}"
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
