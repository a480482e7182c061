"""Prose written in Unicode (the topic files' `text`, `rule`, `note`, definitions) as LaTeX.

A sentence mixes words and maths: "pⱼ = e^(zⱼ) / Σₖ e^(zₖ) for a one-hot y". `latex_text` finds
the maths runs (words holding a maths character, joined with the single letters, numbers and
function names between them), typesets each run as one `$…$` (powers `^(…)` and subscripts
`_yᵢ` as `^{…}`/`_{…}`, Greek, operators, sub- and superscript digits), code such as
`torch.nn.HuberLoss(delta=δ)` or `reduction='sum'` as `\\texttt`, and escapes the rest.
`maths_latex` converts a string that is all maths. `unmapped_characters` names what cannot be
typeset (the content tests require none). Pure string work: no numbers, no printing.
"""

from __future__ import annotations

import functools
import re
import unicodedata

UNICODE_TO_LATEX: dict[str, str] = {
    "−": "-", "×": r"\times", "·": r"\cdot", "⋅": r"\cdot", "÷": r"\div", "±": r"\pm", "∓": r"\mp",
    "≤": r"\le", "≥": r"\ge", "≠": r"\neq", "≈": r"\approx", "≡": r"\equiv", "∝": r"\propto",
    "→": r"\to", "←": r"\leftarrow", "↦": r"\mapsto", "⇒": r"\Rightarrow", "⇔": r"\Leftrightarrow",
    "∞": r"\infty", "∂": r"\partial", "∇": r"\nabla", "∑": r"\sum", "∏": r"\prod", "√": r"\surd",
    "∈": r"\in", "∉": r"\notin", "⊂": r"\subset", "∀": r"\forall", "∃": r"\exists",
    "ℝ": r"\mathbf{R}", "ℕ": r"\mathbf{N}", "‖": r"\|", "∥": r"\parallel", "⊙": r"\odot", "∘": r"\circ",
    "⊤": r"\top", "⟨": r"\langle", "⟩": r"\rangle", "⌈": r"\lceil", "⌉": r"\rceil",
    "⌊": r"\lfloor", "⌋": r"\rfloor", "∗": "*", "′": "'", "″": "''", "…": r"\ldots", "⋯": r"\cdots",
    "∪": r"\cup", "∩": r"\cap", "∅": r"\emptyset", "½": r"\tfrac12", "¼": r"\tfrac14", "∣": r"\mid",
    "⊥": r"\perp", "ℓ": r"\ell", "ϵ": r"\epsilon", "ε": r"\varepsilon", "ϕ": r"\phi", "φ": r"\varphi",
    "ς": r"\varsigma", "ᵀ": r"^{\top}", "¬": r"\neg", "∧": r"\wedge", "∨": r"\vee", "°": r"^{\circ}",
    "Σ": r"\sum",
}
_GREEK_COMMANDS = {"alpha", "beta", "gamma", "delta", "zeta", "eta", "theta", "iota", "kappa", "lambda",
                   "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "chi", "psi", "omega"}
_ACCENTS = {"0302": "hat", "0303": "tilde", "0304": "bar", "0307": "dot", "0308": "ddot", "20D7": "vec"}
_TEXT = {"–": "--", "—": "---", "“": "``", "”": "''", "‘": "`", "’": "'", "\u00a0": "~", "✓": "ok",
         "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
         "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
         "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}
_MATH_ESCAPES = {"{": r"\{", "}": r"\}", "#": r"\#", "%": r"\%", "&": r"\&", "$": r"\$", "~": r"\sim ",
                 "\\": r"\backslash ", "'": "'"}
_LATIN1 = {chr(c) for c in range(0xC0, 0x100)} - {"×", "÷"}
# Names written upright in maths: LaTeX's own operators, then the rest as \operatorname.
_OPERATORS = {"log", "exp", "max", "min", "sin", "cos", "tanh", "sinh", "cosh", "det", "arg"}
_NAMED = {"sign", "clip", "softmax", "diag", "relu", "norm", "tr"}
_TWO_LETTER_WORDS = {"if", "is", "in", "of", "to", "at", "by", "on", "or", "as", "be", "an", "it", "no", "so",
                     "up", "do", "we", "ie", "eg"}
_WEAK_NAMES = _OPERATORS | {"sign", "clip", "softmax", "diag", "relu"}  # maths beside maths in prose
_CODE = re.compile(r"(?:torch|F|nn)(?:\.\w+)+(?:\([^()]*\))?"         # torch.nn.L1Loss(reduction='sum')
                   r"|\b[A-Z][a-z]+[A-Z0-9]\w*(?:\([^()]*\))?(?!_)"  # HuberLoss(delta=δ), CrossEntropyLoss
                   r"|\b[a-z]+\(\w+=[^()]*\)"                       # clamp(min=0)
                   r"|\b\w+='[^']*'"                                # reduction='mean'
                   r"|\b[a-z]{2,}(?:_[a-z0-9]+)+\b")                # half_sse
_STRONG = set("=<>^_+|/*")
_PUNCTUATION = ",;:."


def _math_for(c: str) -> tuple[str, str] | None:
    """(kind, LaTeX) for a non-ASCII maths character: kind is "math", "sup" or "sub"; None if unknown."""
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


def _is_maths_char(c: str) -> bool:
    return ord(c) > 126 and c not in _TEXT and c not in _LATIN1 and _math_for(c) is not None


def unmapped_characters(text: str) -> set[str]:
    """Characters of `text` that `latex_text` cannot typeset with pdflatex + amsmath."""
    accents = {text[i + 1] for i in range(len(text)) if _accent_after(text, i)}
    return {c for c in text if ord(c) > 126 and c not in _TEXT and c not in _LATIN1 and c not in accents
            and _math_for(c) is None}


# ----------------------------------------------------------------------------- maths runs
MAX_SCRIPT_DEPTH = 8  # ^(…^(…)…) nested deeper is typeset as text
_TOKEN = re.compile(r"[A-Za-z0-9]+|[^\sA-Za-z0-9]")
_WORD = re.compile(r"[A-Za-z]{2,}")


def _group(text: str, i: int) -> tuple[str, int]:
    """The script after `^`/`_` at text[i:]: a bracketed group (its inside) or one token."""
    if i < len(text) and text[i] in "({":
        close, depth, j = {"(": ")", "{": "}"}[text[i]], 0, i
        while j < len(text):
            depth += text[j] == text[i]
            depth -= text[j] == close
            if depth == 0:
                return text[i + 1:j], j + 1
            j += 1
        return text[i + 1:], len(text)
    match = _TOKEN.match(text, i) if i < len(text) else None
    if match is None:
        return "", i
    j = match.end()
    while j < len(text) and _math_for(text[j]) and _math_for(text[j])[0] == "sub":
        j += 1  # s_yᵢ: the subscript's own subscript
    return text[i:j], j


def maths_latex(text: str, depth: int = 0) -> str:
    """A string that is all maths (Unicode, `^(…)`, `_x`) as LaTeX maths, without the `$`.

    Linear in the length of `text` for any input: scripts nest at most MAX_SCRIPT_DEPTH deep
    (deeper, the rest is typeset as text: 1,000 nested `^(` once hit Python's recursion limit),
    and every scan starts where the last ended (no copies of the rest of the string)."""
    if depth >= MAX_SCRIPT_DEPTH:
        return r"\text{" + escape_text(text) + "}"
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c in "^_":
            inner, i = _group(text, i + 1)
            if c == "_" and re.fullmatch(r"[A-Za-z]{2,}", inner):
                out.append(rf"_{{\mathrm{{{inner}}}}}")
            else:
                out.append(c + "{" + maths_latex(inner, depth + 1) + "}")
            continue
        accent = _accent_after(text, i)
        if accent:
            out.append(rf"\{accent}{{{c}}}")
            i += 2
            continue
        word = _WORD.match(text, i)
        if word and (i == 0 or not text[i - 1].isalpha()):
            name = word.group()
            if len(name) == 2 and name.lower() not in _TWO_LETTER_WORDS:
                out.append(name)  # a differential (dx) or a product of two symbols (uv)
            elif name in _OPERATORS:
                out.append("\\" + name + " ")
            elif name in _NAMED:
                out.append(rf"\operatorname{{{name}}}")
            else:
                out.append(rf"\text{{{name}}}")
            i += len(name)
            continue
        found = _math_for(c) if ord(c) > 126 else None
        if found and found[0] in ("sup", "sub"):
            run, j = [], i
            while j < len(text) and ord(text[j]) > 126 and (_math_for(text[j]) or ("", ""))[0] == found[0]:
                run.append(_math_for(text[j])[1])
                j += 1
            out.append(("^" if found[0] == "sup" else "_") + "{" + "".join(run) + "}")
            i = j
            continue
        if found:
            out.append(found[1] + (" " if found[1][-1].isalpha() else ""))
        elif c in _MATH_ESCAPES:
            out.append(_MATH_ESCAPES[c])
        elif c == "−":
            out.append("-")
        else:
            out.append(c)
        i += 1
    latex = re.sub(r"(?<![\\\w])(\d+(?:\.\d+)?)e([+-]?\d{1,5})\b",  # 1e99999: text, not int()
                   lambda m: ("" if m[1] == "1" else m[1] + r" \times ") + f"10^{{{int(m[2])}}}", "".join(out))
    latex = re.sub(r" {2,}", " ", latex)
    return re.sub(r"(\\[A-Za-z]+) (?=[_^')\],.;:}])", r"\1", latex).strip()


# ----------------------------------------------------------------------------- prose
def escape_text(text: str) -> str:
    """Any text as LaTeX text, one character at a time (linear: each distinct character is
    worked out once): the specials escaped, a maths character as inline maths, what pdflatex
    cannot typeset as "?"."""
    return "".join(map(_escaped_character, text))


@functools.lru_cache(maxsize=4096)
def _escaped_character(c: str) -> str:
    if c in _TEXT:
        return _TEXT[c]
    if _is_maths_char(c):
        return "$" + maths_latex(c) + "$"
    if ord(c) > 126 and c not in _LATIN1:
        return "?"
    return c


def _code(text: str) -> str:
    r"""Code as \texttt (maths letters inside, like δ, as inline maths)."""
    escaped = escape_text(text)
    for c in ".(=,":
        escaped = escaped.replace(c, c + r"\allowbreak{}")
    return r"\texttt{" + escaped + "}"


def _kind(word: str) -> str:
    """"strong" (surely maths), "weak" (maths beside maths: a letter, a number, log) or "text"."""
    core = word.strip("(),;:.[]")
    if any(_is_maths_char(c) for c in word) or any(c in _STRONG for c in word) or \
            any(_accent_after(word, i) for i in range(len(word))):
        return "strong"
    if re.fullmatch(r"[A-Za-z]\(.*|(?:%s)\(.*|\d+(\.\d+)?e[+-]?\d+" % "|".join(_WEAK_NAMES), core):
        return "strong"
    if re.fullmatch(r"[B-HJ-Zb-z]", core):  # a lone letter is a symbol ("class j"); a, A and I are words
        return "strong"
    if re.fullmatch(r"[A-Za-z]|-?\d+(\.\d+)?(e-?\d+)?|(?:%s)" % "|".join(_WEAK_NAMES), core) or not core:
        return "weak"
    return "text"


def _split_edges(run: str) -> tuple[str, str, str]:
    """(before, maths, after): unmatched brackets and trailing punctuation stay in the text.
    One pass from each end, with the bracket counts kept as characters leave (linear)."""
    lo, hi = 0, len(run)
    opens, closes = run.count("("), run.count(")")
    while lo < hi:
        last = run[hi - 1]
        if last.isspace():
            hi -= 1
        elif run[lo].isspace():
            lo += 1
        elif last in _PUNCTUATION and not (hi - lo > 1 and re.search(r"\d\.$|\.\.$", run[hi - 2:hi])):
            hi -= 1
        elif last == ")" and closes > opens:
            hi, closes = hi - 1, closes - 1
        elif run[lo] == "(" and opens > closes:
            lo, opens = lo + 1, opens - 1
        elif last == "(" and opens > closes:
            hi, opens = hi - 1, opens - 1
        else:
            break
    return run[:lo], run[lo:hi], run[hi:]


def _opens(word: str) -> bool:
    return word.startswith("(") and word.count("(") > word.count(")")


def _prose(text: str, escape=escape_text, allow_break: bool = True) -> str:
    words = re.split(r"(\s+)", text)
    kinds = [_kind(w) if w.strip() else "space" for w in words]
    out, i = [], 0
    while i < len(words):
        if kinds[i] not in ("strong", "weak"):
            out.append(escape(words[i]))
            i += 1
            continue
        j, strong, balance = i, False, 0  # kept as the run grows: linear, not a rescan per word
        while j < len(words) and (kinds[j] in ("strong", "weak") or
                                  (kinds[j] == "space" and j + 1 < len(words) and kinds[j + 1] in ("strong", "weak"))):
            j += 1
            strong = strong or kinds[j - 1] == "strong"
            balance += words[j - 1].count("(") - words[j - 1].count(")")
            if kinds[j - 1] != "space" and re.search(r"[;:]$|[^.\d]\.$", words[j - 1]):
                break  # a clause or sentence ends the maths
            if words[j - 1].endswith(",") and not strong:
                break  # "the target y, n = 4": a lone letter before a comma is not part of what follows
            if (j + 1 < len(words) and kinds[j] == "space" and _opens(words[j + 1]) and balance == 0
                    and words[j - 1][-1] not in "=+−-·/<>≤≥→∈×"):
                break  # a parenthesis starts its own maths
        run = "".join(words[i:j])
        if strong:
            before, maths, after = _split_edges(run)
            latex = maths_latex(maths)
            latex = latex.replace(", ", ",\\allowbreak ") if allow_break else latex
            out.append(escape(before) + (f"${latex}$" if maths else "") + escape(after))
        else:
            out.append(escape(run))
        i = j
    return "".join(out)


def latex_text(text: str) -> str:
    """Prose with Unicode maths as LaTeX text: maths runs inside $…$, code in \\texttt."""
    out, last = [], 0
    for match in _CODE.finditer(text):
        out.append(_prose(text[last:match.start()]))
        out.append(_code(match.group()))
        last = match.end()
    out.append(_prose(text[last:]))
    return "".join(out)


def markdown_text(text: str) -> str:
    """Prose for Markdown: the same maths runs as `$…$` (GitHub maths), code in backticks, the
    words untouched."""
    out, last = [], 0
    for match in _CODE.finditer(text):
        out.append(_prose(text[last:match.start()], escape=str, allow_break=False))
        out.append(f"`{match.group()}`")
        last = match.end()
    out.append(_prose(text[last:], escape=str, allow_break=False))
    return "".join(out)


# ----------------------------------------------------------------------------- LaTeX -> Unicode
_SUPERSCRIPTS = str.maketrans("0123456789-+()ijnuxz", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁽⁾ⁱʲⁿᵘˣᶻ")
_SUBSCRIPTS = str.maketrans("0123456789-+()aeijoruvx", "₀₁₂₃₄₅₆₇₈₉₋₊₍₎ₐₑᵢⱼₒᵣᵤᵥₓ")
_COMMANDS = {r"\cdot": "·", r"\le": "≤", r"\ge": "≥", r"\lVert": "‖", r"\rVert": "‖", r"\sum": "Σ",
             r"\min": "min", r"\max": "max", r"\log": "log", r"\exp": "exp", r"\mathbf{1}": "𝟙",
             r"\,": " ", r"\;": " ", r"\quad": "  ", r"\left": "", r"\right": "", r"\partial": "∂"}


def unicode_maths(latex: str) -> str | None:
    """A simple LaTeX formula as Unicode for the terminal (`\\frac{1}{2\\sqrt{q}}` -> 1/(2√q),
    `y_j` -> yⱼ, `w^{2}` -> w²); None when it uses something this does not know."""
    text = latex
    for command, plain in sorted(_COMMANDS.items(), key=lambda item: -len(item[0])):
        ends_in_letter = command[-1].isalpha()
        text = re.sub(re.escape(command) + (r"(?![A-Za-z]) ?" if ends_in_letter else ""), lambda m: plain, text)
    for name in _GREEK_COMMANDS:
        letter = unicodedata.lookup(f"GREEK SMALL LETTER {name.upper().replace('LAMBDA', 'LAMDA')}")
        text = re.sub(rf"\\{name}(?![A-Za-z])(?: (?=[A-Za-z0-9\\]))?", letter, text)  # `\sigma - t` keeps its space
    text = re.sub(r"\^\{([^{}]*)\}|\^(\w)", lambda m: _script(m[1] or m[2], _SUPERSCRIPTS, "^"), text)
    text = re.sub(r"_\{([^{}]*)\}|_(\w)", lambda m: _script(m[1] or m[2], _SUBSCRIPTS, "_"), text)
    for _ in range(4):  # innermost first: \frac and \sqrt whose arguments hold no braces
        text = re.sub(r"\\sqrt\{([^{}]*)\}", lambda m: "√" + _grouped(m[1]), text)
        text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", lambda m: f"{_grouped(m[1])}/{_grouped(m[2], True)}", text)
        text = re.sub(r"\\operatorname\{(\w+)\}", r"\1", text)
    text = re.sub(" {2,}", " ", text.replace("-", "−"))
    return None if re.search(r"[\\{}]", text) else text


def _grouped(text: str, denominator: bool = False) -> str:
    """`text` in brackets when it is a sum, or (below a fraction bar) a product: a/(2√q)."""
    text = text.strip()
    sums = re.search(r"\s[+\-−]\s", text)
    product = re.search(r"[\s·√‖]", text) or len(re.findall(r"[A-Za-z0-9]", text)) > 1
    return f"({text})" if sums or (denominator and product) else text


def _script(inner: str, table: dict, mark: str) -> str:
    """A super- or subscript in Unicode when every character has one, else `^(…)` / `_(…)`."""
    if inner and all(ord(c) in table for c in inner):
        return inner.translate(table)
    return f"{mark}({inner})" if len(inner) > 1 else f"{mark}{inner}"
