"""The document writers of a `pa2 explain` topic: Markdown (GitHub-flavoured, `$…$` maths) and
LaTeX (needs only `amsmath`, `array` and `longtable`; every table fits a default `article` page).

Both walk the same section model (sections.py) and only lay it out: labels and numbers come
from there, prose goes through prose.latex_text. Wide tables are stacked: in LaTeX a stage is a
group of rows (value, each local derivative, the adjoint) in a two-column `longtable` whose cells
wrap, so nothing runs off the page. Nothing here evaluates maths, prints, or writes files.
"""

from __future__ import annotations

import re

import numpy as np

from pa2cli import __version__
from pa2cli.explain import sections as model
from pa2cli.explain.prose import escape_text, latex_text, markdown_text
from pa2cli.explain.render import number
from pa2cli.explain.worked import Explanation

PREAMBLE = r"\usepackage{amsmath,array,longtable}"


# ----------------------------------------------------------------------------- LaTeX helpers
def align_at_equals(latex: str) -> str:
    """Put the alignment `&` before the first `=` outside braces and environments."""
    depth = 0
    i = 0
    while i < len(latex):
        if latex.startswith(r"\begin", i) or latex[i] == "{":
            depth += 1
        elif latex.startswith(r"\end", i) or latex[i] == "}":
            depth -= 1
        elif latex[i] == "\\":
            i += 2
            continue
        elif latex[i] == "=" and depth <= 0:
            return latex[:i] + "&" + latex[i:]
        i += 1
    return "&" + latex


def tex_number(value) -> str:
    """A number or vector as inline maths that may break after each comma (1e-08 as 1 \\times 10^{-8})."""
    latex = re.sub(r"(-?[\d.]+)e([+-]?\d+)", lambda m: rf"{m[1]} \times 10^{{{int(m[2])}}}", number(value))
    return "$" + latex.replace(", ", r",\allowbreak ").replace("nan", r"\mathrm{NaN}") + "$"


def tex_point(point: model.Point) -> str:
    return ", ".join(f"${symbol.latex} = {tex_number(value)[1:]}" for symbol, value in point)


def _align(lines: tuple[model.Line, ...], numbered: bool) -> list[str]:
    env = "align" if numbered else "align*"
    out = []
    if lines[0].rule:
        out.append(r"\noindent\emph{" + latex_text(lines[0].rule) + "}")
    out.append(rf"\begin{{{env}}}")
    for i, line in enumerate(lines):
        if i and line.rule:
            out.append(r"  \\ \intertext{\emph{" + latex_text(line.rule) + "}}")
        elif i:
            out.append(r"  \\")
        out.append("  " + align_at_equals(line.maths.latex))
    out.append(rf"\end{{{env}}}")
    out += [latex_text(line.note) + "\n" for line in lines if line.note]
    return out


# ----------------------------------------------------------------------------- LaTeX sections
def _latex_definition(s: model.Definition) -> list[str]:
    out = [r"\subsection*{Definition}"] + [latex_text(p) + "\n" for p in s.paragraphs]
    out += [r"\begin{align*}", " \\\\\n".join("  " + align_at_equals(f.latex) for f in s.formulas),
            r"\end{align*}", r"\begin{itemize}"]
    for v in s.variables:
        out.append(rf"  \item ${v.symbol.latex}$: {latex_text(v.description)} ({v.detail}; "
                   rf"sample {tex_number(v.sample)})")
    return out + [r"\end{itemize}", ""]


def _latex_lines(s: model.Lines) -> list[str]:
    return [rf"\subsection*{{{s.heading}}}"] + _align(s.lines, s.numbered) + [""]


def _latex_stages(s: model.Stages) -> list[str]:
    f = s.function.latex
    out = [r"\subsection*{Decomposition into primitive operations}",
           rf"The stages at {tex_point(s.point)}. Each stage's local derivative is taken with respect to its "
           rf"inputs; its adjoint is $\partial {f}/\partial(\text{{stage}})$, the product of the local "
           "derivatives from the end back to it (reverse mode).", "",
           r"{\small\renewcommand{\arraystretch}{1.3}",
           r"\begin{longtable}{@{}>{\raggedright\arraybackslash}p{0.2\linewidth}"
           r">{\raggedright\arraybackslash}p{0.74\linewidth}@{}}",
           r"\hline", r"stage & definition, local derivatives, adjoint \\ \hline \endhead", r"\hline \endfoot"]
    for i, row in enumerate(s.rows, 1):
        out.append(rf"{i}.\ {latex_text(row.op)} & ${row.definition.latex}$ \\")
        out.append(rf"value & {tex_number(row.value)} \\")
        for d in row.local:
            out.append(rf"local & ${d.label.latex} = {d.expression.latex}$ $=$ {tex_number(d.value)} \\")
        a = row.adjoint
        out.append(rf"adjoint & ${a.label.latex} = {a.expression.latex}$ $=$ {tex_number(a.value)} \\"
                   + (r" \hline" if i < len(s.rows) else ""))
    return out + [r"\end{longtable}}", ""]


def _latex_kinks(s: model.Kinks) -> list[str]:
    out = [r"\subsection*{Non-differentiable points}"]
    if s.rows:
        out.append(r"\begin{itemize}")
        for row in s.rows:
            item = rf"  \item At {tex_point(row.point)}: {latex_text(row.text)}"
            if row.formula:
                item += rf" \[ {row.formula} \]"
            item += f" PyTorch's autograd returns ${row.gradient.latex} = {tex_number(row.torch_value)[1:]}."
            out.append(item)
        out.append(r"\end{itemize}")
    if s.smooth:
        out.append(latex_text(s.smooth))
    return out + [""]


def _latex_checks(s: model.Checks) -> list[str]:
    columns = ["derived (final form)", "central difference"] + (["torch autograd"] if s.verified else [])
    first, width = {2: ("0.18", "0.36"), 3: ("0.16", "0.24")}[len(columns)]  # with the gaps, under \linewidth
    cell = rf">{{\raggedright\arraybackslash}}p{{{width}\linewidth}}"
    spec = rf"@{{}}>{{\raggedright\arraybackslash}}p{{{first}\linewidth}}" + cell * len(columns) + "@{}"
    out = [r"\subsection*{Numeric check}", latex_text(s.caption.capitalize() + "."), "",
           r"{\small\renewcommand{\arraystretch}{1.3}", rf"\begin{{longtable}}{{{spec}}}",
           r"\hline", "gradient & " + " & ".join(columns) + r" \\ \hline \endhead", r"\hline \endfoot"]
    last = None
    for row in s.rows:
        point = tex_point(row.point)
        if point != last:
            out.append(rf"\multicolumn{{{len(columns) + 1}}}{{@{{}}p{{0.97\linewidth}}@{{}}}}{{at {point}}} \\")
            last = point
        verdict = {"ok": "agrees", "kink": "a kink", "differs": r"\textbf{differs}",
                   "singular": "undefined here; the difference is an artefact"}[row.status]
        smooth = row.status in ("ok", "differs")
        values = [("" if smooth else "torch: ") + tex_number(row.derived), tex_number(row.difference)]
        values += [tex_number(row.autograd)] if s.verified else []
        error = f", error {tex_number(float(f'{row.error:.1e}'))}" if smooth else ""
        out.append(rf"${row.gradient.latex}$ \newline {{\footnotesize {verdict}{error}}} & "
                   + " & ".join(values) + r" \\[2pt]")
    return out + [r"\end{longtable}}", ""]


_LATEX = {model.Definition: _latex_definition, model.Lines: _latex_lines, model.Stages: _latex_stages,
          model.Kinks: _latex_kinks, model.Checks: _latex_checks}


def to_latex(explanation: Explanation, *, level: str = "section") -> str:
    """The topic as a LaTeX fragment; `level` is the sectioning command of its title."""
    topic = explanation.topic
    out = [f"% Generated by `pa2 explain {topic.id} --format latex` (pa2 {__version__}).",
           f"% Paste into a document whose preamble has {PREAMBLE}.",
           r"\begingroup\setlength{\emergencystretch}{3em}",
           rf"\{level}*{{{escape_text(topic.title)}}}", r"\emph{" + latex_text(topic.summary) + "}", ""]
    inner = {"section": r"\subsection*", "subsection": r"\subsubsection*"}[level]
    for section in model.sections(explanation):
        out += [line.replace(r"\subsection*", inner) for line in _LATEX[type(section)](section)]
    return "\n".join(out + [r"\endgroup", ""])


# ----------------------------------------------------------------------------- Markdown
def _cell(latex: str) -> str:
    """Maths for a Markdown table cell: bars written as commands so they do not split the row."""
    return latex.replace(r"\|", r"\Vert ").replace("|", r"\vert ")


def md_point(point: model.Point) -> str:
    return ", ".join(f"${symbol.latex} = {number(value)}$" for symbol, value in point)


def _md_definition(s: model.Definition) -> list[str]:
    out = ["### Definition", ""]
    for p in s.paragraphs:
        out += [markdown_text(p), ""]
    for f in s.formulas:
        out += [f"$${f.latex}$$", ""]
    out += [f"- ${v.symbol.latex}$: {markdown_text(v.description)} ({v.detail}; sample {number(v.sample)})" for v in s.variables]
    return out + [""]


def _md_lines(s: model.Lines) -> list[str]:
    out = [f"### {s.heading}", ""]
    for i, line in enumerate(s.lines, 1):
        out.append(f"{i}. $\\displaystyle {line.maths.latex}$" + ("  " if line.rule or line.note else ""))
        if line.rule:
            out.append(f"   *{markdown_text(line.rule)}*" + ("  " if line.note else ""))
        if line.note:
            out.append(f"   {markdown_text(line.note)}")
    return out + [""]


def _md_stages(s: model.Stages) -> list[str]:
    out = ["### Decomposition into primitive operations", "",
           f"Stages at {md_point(s.point)}; the adjoint of a stage is $\\partial {s.function.latex}/\\partial$(stage).",
           "", "| stage | op | value | local derivative | adjoint |", "|---|---|---:|---|---|"]
    for row in s.rows:
        local = "<br>".join(f"${_cell(d.label.latex)} = {_cell(d.expression.latex)}$ = {number(d.value)}"
                            for d in row.local)
        a = row.adjoint
        out.append(f"| ${_cell(row.definition.latex)}$ | {row.op} | {number(row.value)} | {local} | "
                   f"${_cell(a.label.latex)} = {_cell(a.expression.latex)}$ = {number(a.value)} |")
    return out + [""]


def _md_kinks(s: model.Kinks) -> list[str]:
    out = ["### Non-differentiable points", ""]
    for row in s.rows:
        out.append(f"- At {md_point(row.point)}: {markdown_text(row.text)}"
                   + (f" $\\displaystyle {row.formula}$" if row.formula else "")
                   + f" PyTorch's autograd returns ${row.gradient.latex}$ = {number(row.torch_value)}.")
    if s.smooth:
        out.append(markdown_text(s.smooth))
    return out + [""]


def _md_checks(s: model.Checks) -> list[str]:
    out = ["### Numeric check", "", markdown_text(s.caption.capitalize() + "."), "",
           "| point | gradient | derived | central difference | " + ("autograd | " if s.verified else "")
           + "\\|error\\| | |", "|---|---|---:|---:|" + ("---:|" if s.verified else "") + "---:|---|"]
    for row in s.rows:
        smooth = row.status in ("ok", "differs")
        cells = [_cell(md_point(row.point)), f"${_cell(row.gradient.latex)}$",
                 number(row.derived) if smooth else f"torch: {number(row.derived)}", number(row.difference)]
        cells += [number(row.autograd)] if s.verified else []
        cells += [f"{row.error:.1e}" if smooth else "—", {"ok": "✓", "kink": "kink", "differs": "✗ differs",
                   "singular": "undefined (artefact)"}[row.status]]
        out.append("| " + " | ".join(cells) + " |")
    return out + [""]


_MARKDOWN = {model.Definition: _md_definition, model.Lines: _md_lines, model.Stages: _md_stages,
             model.Kinks: _md_kinks, model.Checks: _md_checks}


def to_markdown(explanation: Explanation) -> str:
    topic = explanation.topic
    out = [f"## {topic.title}", "", f"*{markdown_text(topic.summary)}*", ""]
    for section in model.sections(explanation):
        out += _MARKDOWN[type(section)](section)
    return "\n".join(out)


FORMATS = {"markdown": to_markdown, "latex": to_latex}
