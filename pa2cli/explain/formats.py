"""Writing a whole explanation for a report: Markdown (GitHub-flavoured, with $…$ maths) and
LaTeX (`align` environments; the output needs only `\\usepackage{amsmath}`).

Prose written in Unicode (σ, −, ′, ℝ, …) is turned into LaTeX by `latex_text`, which knows every
character in `UNICODE_TO_LATEX`; the content tests check that every topic's prose only uses
characters it knows. It only formats values worked.py computed; it never evaluates maths and
never prints or writes files.
"""

from __future__ import annotations

from pa2cli import __version__
from pa2cli.content import Step
from pa2cli.explain.checks import NOISE, STEP, TOLERANCE
from pa2cli.explain.render import denoised, number, point_text, pretty, stage_symbol
from pa2cli.explain.symbols import check_label, function_symbols, variable_symbols
from pa2cli.explain.worked import Explanation

# ------------------------------------------------------------------------- Unicode -> LaTeX
UNICODE_TO_LATEX: dict[str, str] = {
    "−": "-", "×": r"\times", "·": r"\cdot", "⋅": r"\cdot", "÷": r"\div", "±": r"\pm", "∓": r"\mp",
    "≤": r"\le", "≥": r"\ge", "≠": r"\neq", "≈": r"\approx", "≡": r"\equiv", "∝": r"\propto",
    "→": r"\to", "←": r"\leftarrow", "↦": r"\mapsto", "⇒": r"\Rightarrow", "⇔": r"\Leftrightarrow",
    "∞": r"\infty", "∂": r"\partial", "∇": r"\nabla", "∑": r"\sum", "∏": r"\prod", "√": r"\surd",
    "∈": r"\in", "∉": r"\notin", "⊂": r"\subset", "∀": r"\forall", "∃": r"\exists",
    "ℝ": r"\mathbf{R}", "ℕ": r"\mathbf{N}", "‖": r"\|", "∥": r"\|", "⊙": r"\odot", "∘": r"\circ",
    "⊤": r"\top", "⟨": r"\langle", "⟩": r"\rangle", "⌈": r"\lceil", "⌉": r"\rceil",
    "⌊": r"\lfloor", "⌋": r"\rfloor", "∗": "*", "′": "'", "″": "''", "…": r"\ldots", "⋯": r"\cdots",
    "∪": r"\cup", "∩": r"\cap", "∅": r"\emptyset", "½": r"\tfrac12", "¼": r"\tfrac14", "∣": r"\mid",
    "⊥": r"\perp", "ℓ": r"\ell", "ϵ": r"\epsilon", "ε": r"\varepsilon", "ϕ": r"\phi", "φ": r"\varphi",
    "ς": r"\varsigma", "ᵀ": r"^{\top}", "¬": r"\neg", "∧": r"\wedge", "∨": r"\vee", "°": r"^{\circ}",
}
_GREEK_COMMANDS = {"alpha", "beta", "gamma", "delta", "zeta", "eta", "theta", "iota", "kappa", "lambda",
                   "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "chi", "psi", "omega"}
_ACCENTS = {"0302": "hat", "0303": "tilde", "0304": "bar", "0307": "dot", "0308": "ddot", "20D7": "vec"}
_TEXT = {"–": "--", "—": "---", "“": "``", "”": "''", "‘": "`", "’": "'", "\u00a0": "~", "✓": "ok",
         "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
         "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_MATH_ASCII = {"<": "<", ">": ">", "|": "|"}
_LATIN1 = {chr(c) for c in range(0xC0, 0x100)} - {"×", "÷"}


def _math_for(c: str) -> tuple[str, str] | None:
    """(kind, LaTeX) for a non-ASCII maths character: kind is "math", "sup" or "sub"; None if unknown."""
    import unicodedata

    if c in UNICODE_TO_LATEX:
        return "math", UNICODE_TO_LATEX[c]
    name = unicodedata.name(c, "")
    if name.startswith("GREEK SMALL LETTER ") or name.startswith("GREEK CAPITAL LETTER "):
        word = name.rsplit(" ", 1)[-1].lower().replace("lamda", "lambda")
        if " " in name.removeprefix("GREEK SMALL LETTER ").removeprefix("GREEK CAPITAL LETTER "):
            return None
        if word in _GREEK_COMMANDS:
            return "math", "\\" + (word if "SMALL" in name else word.capitalize())
        return None
    decomposition = unicodedata.decomposition(c).split()
    if len(decomposition) == 2 and decomposition[0] in ("<super>", "<sub>", "<font>"):
        inner = chr(int(decomposition[1], 16))
        inner = _math_for(inner)[1] if ord(inner) > 126 and _math_for(inner) else inner
        if ord(inner[0]) > 126:
            return None
        kind = {"<super>": "sup", "<sub>": "sub", "<font>": "math"}[decomposition[0]]
        return kind, (rf"\mathbf{{{inner}}}" if kind == "math" else inner)
    if len(decomposition) == 2 and decomposition[1] in _ACCENTS and not decomposition[0].startswith("<"):
        base = chr(int(decomposition[0], 16))
        if base.isascii() and base.isalpha():
            return "math", rf"\{_ACCENTS[decomposition[1]]}{{{base}}}"
    return None


def _accent_after(text: str, i: int) -> str | None:
    """The accent command when text[i] is an ASCII letter followed by a combining accent."""
    if i + 1 < len(text) and text[i].isascii() and text[i].isalpha():
        return _ACCENTS.get(f"{ord(text[i + 1]):04X}")
    return None


def unmapped_characters(text: str) -> set[str]:
    """Characters of `text` that `latex_text` cannot typeset with pdflatex + amsmath."""
    accents = {text[i + 1] for i in range(len(text)) if _accent_after(text, i)}
    return {c for c in text if ord(c) > 126 and c not in _TEXT and c not in _LATIN1 and c not in accents
            and _math_for(c) is None}


def latex_text(text: str) -> str:
    """Prose with Unicode maths symbols, as LaTeX text (maths runs inside $…$)."""
    pieces: list[tuple[str, str]] = []  # (mode, latex) with mode "text" or "math"
    i = 0
    while i < len(text):
        c = text[i]
        accent = _accent_after(text, i)
        if accent:
            pieces.append(("math", rf"\{accent}{{{c}}}"))
            i += 2
            continue
        found = _math_for(c) if ord(c) > 126 and c not in _TEXT and c not in _LATIN1 else None
        if found and found[0] in ("sup", "sub"):
            run, j = [], i
            while j < len(text) and ord(text[j]) > 126 and (_math_for(text[j]) or ("", ""))[0] == found[0]:
                run.append(_math_for(text[j])[1])
                j += 1
            pieces.append(("math", ("^" if found[0] == "sup" else "_") + "{" + "".join(run) + "}"))
            i = j
            continue
        if found:
            pieces.append(("math", found[1] + " "))
        elif c in _MATH_ASCII:
            pieces.append(("math", _MATH_ASCII[c]))
        elif c in _TEXT:
            pieces.append(("text", _TEXT[c]))
        elif ord(c) > 126 and c not in _LATIN1:
            pieces.append(("text", "?"))
        else:
            pieces.append(("text", c))
        i += 1
    out, math = [], []
    for mode, piece in pieces + [("text", "")]:
        if mode == "math":
            math.append(piece)
            continue
        if math:
            out.append("$" + "".join(math).strip() + "{}$")
            math = []
        out.append(piece)
    return "".join(out)


def _texttt(text: str) -> str:
    return r"\texttt{" + latex_text(pretty(text)) + "}"


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


# ----------------------------------------------------------------------------- LaTeX
def _latex_align(steps: tuple[Step, ...], numbered: bool = True) -> list[str]:
    env = "align" if numbered else "align*"
    lines = []
    if steps[0].rule:
        lines.append(r"\noindent\emph{Rule: " + latex_text(steps[0].rule) + "}")
    lines.append(rf"\begin{{{env}}}")
    for i, step in enumerate(steps):
        if i and step.rule:
            lines.append(r"  \\ \intertext{\emph{Rule: " + latex_text(step.rule) + "}}")
        elif i:
            lines.append(r"  \\")
        lines.append("  " + align_at_equals(step.latex))
    lines.append(rf"\end{{{env}}}")
    for step in steps:
        if step.note:
            lines.append(latex_text(step.note) + "\n")
    return lines


def to_latex(explanation: Explanation) -> str:
    topic = explanation.topic
    d = topic.decomposition
    variables, function = variable_symbols(topic), function_symbols(topic)[d.function]
    out = [f"% Generated by `pa2 explain {topic.id} --format latex` (pa2 {__version__}).",
           r"% Paste into a document that loads \usepackage{amsmath}.",
           rf"\section*{{{latex_text(topic.title)}}}", "", r"\subsection*{Definition}"]
    out += [latex_text(line) + "\n" for line in topic.definition]
    out += [r"\begin{align*}"]
    out.append(" \\\\\n".join("  " + align_at_equals(f.latex) for f in topic.functions))
    out += [r"\end{align*}", r"\begin{itemize}"]
    for v in topic.variables:
        shape = "scalar" if not v.shape else f"vector of {v.shape[0]}"
        written = f" (written {v.symbol})" if v.symbol else ""
        out.append(rf"  \item \texttt{{{latex_text(v.name)}}}{latex_text(written)}: {latex_text(v.description)} "
                   rf"({v.kind}, {shape}; sample {latex_text(number(v.sample))})")
    out += [r"\end{itemize}", "", r"\subsection*{Direct derivation}"]
    out += _latex_align(topic.derivation)
    out += ["", r"\subsection*{Decomposition into primitive operations}",
            f"Stages at {latex_text(point_text(explanation.sample, variables))}; the adjoint of a stage is "
            + latex_text(f"∂{function}/∂(stage)."), "",
            r"\begin{center}\footnotesize", r"\begin{tabular}{lllllll}",
            r"stage & op & value & local derivative & value & adjoint & value \\ \hline"]
    symbols = {r.stage.name: stage_symbol(r.stage.text, r.stage.name) for r in explanation.stages}
    for row in explanation.stages:
        local = r"; ".join(_texttt(f"∂{symbols[row.stage.name]}/∂{symbols.get(src, variables.get(src, src))} = {text}")
                           for src, text, _ in row.local)
        local_values = "; ".join(latex_text(number(v)) for _, _, v in row.local)
        out.append(f"${row.stage.latex}$ & {latex_text(row.stage.op)} & {latex_text(number(row.value))} & "
                   f"{local} & {local_values} & {_texttt(row.stage.adjoint.text)} & "
                   rf"{latex_text(number(row.adjoint))} \\")
    out += [r"\end{tabular}", r"\end{center}", "", r"\subsection*{Chain rule through the stages}"]
    out += _latex_align(d.chain)
    out += ["", r"\subsection*{Final form}"]
    out += _latex_align(topic.final, numbered=False)
    out += ["", r"\subsection*{Non-differentiable points}"]
    if explanation.kinks:
        out.append(r"\begin{itemize}")
        for row in explanation.kinks:
            item = rf"  \item At {latex_text(point_text(row.point, variables))}: {latex_text(row.kink.text)}"
            if row.kink.latex:
                item += rf" $\displaystyle {row.kink.latex}$."
            item += (f" PyTorch's autograd returns {latex_text(check_label(topic, row.kink.check))} = "
                     f"{latex_text(number(row.torch_value))}.")
            out.append(item)
        out.append(r"\end{itemize}")
    if topic.smooth:
        out.append(latex_text(topic.smooth))
    out += ["", r"\subsection*{Numeric check}",
            latex_text(f"The final form beside a central difference (h = {STEP:g}; sizes below {NOISE:g} are "
                       "rounding, shown as 0)"
                       + (" and torch autograd" if explanation.verified else "")
                       + "; at a kink the difference averages the one-sided slopes."), "",
            r"\begin{center}\footnotesize",
            r"\begin{tabular}{ll" + "r" * (4 if explanation.verified else 3) + "l}",
            "point & gradient & derived & central difference & "
            + ("autograd & " if explanation.verified else "") + r"$|$error$|$ & \\ \hline"]
    for row in explanation.checks:
        cells = [point_text(row.point, variables), check_label(topic, row.check), number(row.derived), number(denoised(row.difference))]
        if explanation.verified:
            cells.append(number(row.autograd))
        cells += [f"{row.error:.1e}", "kink" if row.kink else ("ok" if row.agrees else "DIFFERS")]
        out.append(" & ".join(latex_text(c) for c in cells) + r" \\")
    out += [r"\end{tabular}", r"\end{center}", ""]
    return "\n".join(out)


# ----------------------------------------------------------------------------- Markdown
def _cell(text: str) -> str:
    return text.replace("|", r"\|")


def _md_steps(steps: tuple[Step, ...]) -> list[str]:
    lines = []
    for i, step in enumerate(steps, 1):
        lines.append(f"{i}. $\\displaystyle {step.latex}$" + ("  " if step.rule or step.note else ""))
        if step.rule:
            lines.append(f"   *Rule: {step.rule}*" + ("  " if step.note else ""))
        if step.note:
            lines.append(f"   {step.note}")
    return lines


def to_markdown(explanation: Explanation) -> str:
    topic = explanation.topic
    d = topic.decomposition
    variables, function = variable_symbols(topic), function_symbols(topic)[d.function]
    out = [f"## {topic.title}", "", f"*{topic.summary}*", "", "### Definition", ""]
    for line in topic.definition:
        out += [line, ""]
    for f in topic.functions:
        out += [f"$${f.latex}$$", ""]
    for v in topic.variables:
        shape = "scalar" if not v.shape else f"vector of {v.shape[0]}"
        written = f" (written {v.symbol})" if v.symbol else ""
        out.append(f"- `{v.name}`{written}: {v.description} ({v.kind}, {shape}; sample {number(v.sample)})")
    out += ["", "### Direct derivation", ""] + _md_steps(topic.derivation)
    out += ["", "### Decomposition into primitive operations", "",
            f"Stages at {point_text(explanation.sample, variables)}; the adjoint of a stage is ∂{function}/∂stage.", "",
            "| stage | op | value | local derivative | value | adjoint | value |",
            "|---|---|---:|---|---:|---|---:|"]
    symbols = {r.stage.name: stage_symbol(r.stage.text, r.stage.name) for r in explanation.stages}
    for row in explanation.stages:
        local = "<br>".join(f"`∂{symbols[row.stage.name]}/∂{symbols.get(src, variables.get(src, src))} = {pretty(text)}`"
                            for src, text, _ in row.local)
        values = "<br>".join(number(v) for _, _, v in row.local)
        out.append("| " + " | ".join(_cell(c) for c in (
            f"${row.stage.latex}$", row.stage.op, number(row.value), local, values,
            f"`{pretty(row.stage.adjoint.text)}`", number(row.adjoint))) + " |")
    out += ["", "### Chain rule through the stages", ""] + _md_steps(d.chain)
    out += ["", "### Final form", ""] + _md_steps(topic.final)
    out += ["", "### Non-differentiable points", ""]
    for row in explanation.kinks:
        out.append(f"- At {point_text(row.point, variables)}: {row.kink.text}"
                   + (f" $\\displaystyle {row.kink.latex}$" if row.kink.latex else "")
                   + f" PyTorch's autograd returns {check_label(topic, row.kink.check)} = {number(row.torch_value)}.")
    if topic.smooth:
        out.append(topic.smooth)
    out += ["", "### Numeric check", "",
            f"The final form beside a central difference (h = {STEP:g}, agreement within {TOLERANCE:g}; "
            f"sizes below {NOISE:g} are rounding, shown as 0)"
            + (" and torch autograd" if explanation.verified else "")
            + "; at a kink the difference averages the one-sided slopes.", "",
            "| point | gradient | derived | central difference | " + ("autograd | " if explanation.verified else "")
            + "\\|error\\| | |", "|---|---|---:|---:|" + ("---:|" if explanation.verified else "") + "---:|---|"]
    for row in explanation.checks:
        cells = [point_text(row.point, variables), check_label(topic, row.check), number(row.derived), number(denoised(row.difference))]
        if explanation.verified:
            cells.append(number(row.autograd))
        cells += [f"{row.error:.1e}", "kink" if row.kink else ("✓" if row.agrees else "✗ differs")]
        out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    out.append("")
    return "\n".join(out)


FORMATS = {"markdown": to_markdown, "latex": to_latex}
