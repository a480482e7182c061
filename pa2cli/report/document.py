"""Assemble the report: Part A from a sweep folder, Part B 1–2 from topics, Part B 3 from a
network, as Markdown (report.md + PNG figures) or LaTeX (report.tex + PDF figures) in one folder.

Each part is made by the writer that already exists for it (sweep figures and findings, the
explain section model's writers, the backprop solution's writers); this module only gathers the
inputs, leaves out a part whose input is missing (saying how to produce it) and writes files.
Inputs are validated before anything is written; a bad one is a UserError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pa2cli import __version__
from pa2cli.errors import UserError, printable
from pa2cli.report.markup import code, code_span, latex_line, markdown_escape, markdown_line
from pa2cli.report.markup import demote as _demote, minus_sign as _minus
from pa2cli.report.markup import plain  # noqa: F401  (command.py prints document.plain(line))
from pa2cli.report.part_a import save_figures, sweep_summary

RUNS = Path("runs")
MAX_TOPIC_NAMES = 50  # nine topics and their aliases, with room to spare
FIGURES = ("final", "final-loss", "overlay-test-acc", "overlay-test-loss")  # and wd1, wd2, ...


@dataclass(frozen=True)
class Inputs:
    sweep: object | None  # SweepResults
    sweep_folder: Path | None
    topics: tuple  # explain Topics (none unless --topics: Part B is handwritten)
    network: object | None  # backprop Network (None unless --weights)
    notes: tuple[str, ...]  # one line per part left out: why, and how to produce it
    used: tuple[str, ...] = ()  # the first lines: which sweep and which network were used
    identity: object | None = None  # identity.Identity


def sweeps_under(runs: Path = RUNS) -> list[Path]:
    """The sweep folders under `runs/` (ones holding results.json), newest first."""
    if not runs.is_dir():
        return []
    found = [p for p in runs.iterdir() if p.is_dir() and (p / "results.json").is_file()]
    return sorted(found, key=lambda p: (p / "results.json").stat().st_mtime, reverse=True)


def latest_sweep(runs: Path = RUNS) -> Path | None:
    """The most recently written sweep folder under `runs/` (one holding results.json)."""
    found = sweeps_under(runs)
    return found[0] if found else None


LAST_QUIZZED = "last"  # `--weights` without a file: the network last quizzed


def last_quizzed_network() -> Path | None:
    """The network file of the backprop quiz last touched (from progress), if it still exists."""
    import shlex

    from pa2cli import progress

    entries = sorted(progress.load().backprop.values(), key=lambda e: str(e.get("updated", "")), reverse=True)
    for entry in entries:
        try:
            words = shlex.split(str(entry.get("command", "")))
        except ValueError:
            continue
        files = [w for w in words[words.index("backprop") + 1:] if not w.startswith("-")] \
            if "backprop" in words else []
        if files and Path(files[0]).is_file():
            return Path(files[0])
    return None


def _choose_sweep(sweep: str | None) -> tuple[Path | None, list[str]]:
    if sweep:
        return Path(sweep), []
    found = sweeps_under()
    if len(found) > 1:
        return found[0], [f"{len(found)} sweeps are under runs/; this report uses the newest, "
                          f"{code(printable(str(found[0])))}. Choose another with --sweep DIR."]
    return (found[0] if found else None), []


def _topics(topics: str | None) -> tuple:
    from pa2cli.explain.topics import find_topic

    if topics is None:
        return ()
    names = list(dict.fromkeys(name.strip() for name in topics.split(",") if name.strip()))
    if not names:
        raise UserError("no topic named", where="--topics", fix="List topics, e.g. --topics huber,cross-entropy")
    if len(names) > MAX_TOPIC_NAMES:  # bound the work: each name is looked up
        raise UserError(f"{len(names):,} different names; at most {MAX_TOPIC_NAMES} are accepted",
                        where="--topics", fix="List each topic once, e.g. --topics huber,l2")
    if names == ["all"]:  # the assignment's topics; one beyond its list (bce) only by name
        from pa2cli.explain.topics import assignment_topics

        return tuple(assignment_topics())
    return tuple(dict.fromkeys(find_topic(name) for name in names))


def _network(weights: str | None) -> tuple[object | None, str | None]:
    from pa2cli.backprop.examples import builtin_network
    from pa2cli.backprop.spec import read_network

    if weights is None:
        return None, None
    if weights == LAST_QUIZZED:
        last = last_quizzed_network()
        if last is None:
            network = builtin_network()  # Figure 1, labelled as sample values
            return network, ("Part B 3 uses the built-in Figure 1 network (no quizzed network file "
                             "was found in your progress); pass --weights FILE for yours.")
        return read_network(str(last)), (f"Part B 3 uses {code(printable(str(last)))}, the network you quizzed last; "
                                         "pass --weights FILE for another.")
    return read_network(weights), f"Part B 3 uses {code(printable(weights))}."


def gather(sweep: str | None, topics: str | None, weights: str | None, identity=None) -> Inputs:
    """Load and validate every input; a part without input is noted, a bad input raises."""
    from pa2cli.sweep.store import load_results

    notes = []
    folder, used = _choose_sweep(sweep)
    results = None
    if folder is None:
        notes.append("Part A is left out: no sweep folder under runs/. Run `pa2 sweep --wd 1e-4 1e-3` "
                     "first, or pass --sweep DIR.")
    else:
        if not folder.is_dir():
            raise UserError("no such folder", where=f"--sweep {folder}", fix="Give the --out folder of a `pa2 sweep`")
        results = load_results(folder)
        if not any(run.epochs for run in results.runs):
            shown = printable(str(folder))
            notes.append(f"Part A is left out: {code(shown)} has no finished epoch. Resume it with "
                         f"{code(f'pa2 sweep --out {shown} --resume')}.")
            results = None
        elif not used:
            used.append(f"Part A uses the sweep in {code(printable(str(folder)))}.")
    chosen = _topics(topics)
    network, said = _network(weights)
    if said:
        used.append(said)
    return Inputs(results, folder if results is not None else None, chosen, network, tuple(notes),
                  tuple(used), identity)


# ----------------------------------------------------------------------------- Markdown
def _byline(identity) -> list[str]:
    if identity is None or not (identity.author or identity.roll):
        return []
    return [" · ".join(x for x in (identity.author, identity.roll and f"roll number {identity.roll}") if x)]


def to_markdown(inputs: Inputs, out: Path) -> str:
    from pa2cli.backprop.engine import solve
    from pa2cli.backprop.solution import to_markdown as backprop_markdown
    from pa2cli.explain.formats import to_markdown as topic_markdown
    from pa2cli.explain.worked import explain

    title = inputs.identity.title if inputs.identity else "Programming Assignment 2: report"
    text = [f"# {markdown_escape(title)}", ""]
    text += [f"**{markdown_escape(line)}**" for line in _byline(inputs.identity)] + [""]
    text += [f"> {markdown_line(line)}" for line in inputs.used] + [f"> {markdown_line(line)}" for line in inputs.notes] + [""]
    if inputs.sweep is not None:
        setting, rows, said = sweep_summary(inputs.sweep)
        text += ["## Part A: weight decay", "", f"From {code_span(str(inputs.sweep_folder))}: "
                 f"{markdown_line(setting)}.", "",
                 "| weight decay | final train accuracy (%) | final test accuracy (%) | seeds |",
                 "|---|---:|---:|---:|"]
        text += [f"| {markdown_escape(wd)} | {train} | {test} | {seeds} |" for wd, train, test, seeds in rows]
        text += ["", "With several seeds: the mean, and the lowest to highest seed in brackets.", ""]
        for name, caption in save_figures(inputs.sweep, out, ".png"):
            text += [f"![{caption}]({name})", ""]
        text += ["Findings:", ""] + [f"- {_minus(line)}" for line in said] + [""]
    if inputs.topics:
        text += ["## Part B 1–2: gradient derivations", ""]
        for topic in inputs.topics:
            text += [_demote(topic_markdown(explain(topic)), 1), ""]
    if inputs.network is not None:
        from pa2cli.backprop.figure import to_png
        from pa2cli.outputs import write_bytes

        # Figure 1 beside the report as a file, as the sweep's figures are (not a data URI)
        write_bytes(out / "figure1.png", to_png(inputs.network),
                    fix="Remove it or choose another path", follow_links=False)
        text += ["## Part B 3: backpropagation by hand", "",
                 _demote(backprop_markdown(solve(inputs.network), figure="figure1.png"), 2)]
    text += ["", f"*Made with pa2 {__version__}.*", ""]
    return "\n".join(text)


# ----------------------------------------------------------------------------- LaTeX
def to_latex(inputs: Inputs, out: Path) -> str:
    from pa2cli.backprop.engine import solve
    from pa2cli.backprop.solution import to_latex_document
    from pa2cli.explain.formats import to_latex as topic_latex
    from pa2cli.explain.prose import escape_text
    from pa2cli.explain.worked import explain
    from pa2cli.report.tex import PREAMBLE

    identity = inputs.identity
    title = identity.title if identity else "Programming Assignment 2: report"
    author = r" \\ ".join(escape_text(line) for line in
                          ([identity.author] if identity and identity.author else [])
                          + ([f"Roll number {identity.roll}"] if identity and identity.roll else [])) or r"\mbox{}"
    text = [r"\documentclass[11pt]{article}", PREAMBLE, r"\usepackage[margin=1in]{geometry}",
            r"\renewcommand{\labelitemi}{$\bullet$}",  # the text bullet is a Type 3 bitmap without cm-super
            r"\setlength{\emergencystretch}{3em}", rf"\title{{{escape_text(title)}}}", rf"\author{{{author}}}",
            r"\date{\today}", r"\begin{document}", r"\maketitle"]
    text += [r"\noindent " + latex_line(line) + r"\par" for line in inputs.used]
    text += [r"\noindent\emph{" + latex_line(note) + r"}\par" for note in inputs.notes]
    if inputs.sweep is not None:
        setting, rows, said = sweep_summary(inputs.sweep)
        text += [r"\section{Part A: weight decay}",
                 r"{\sloppy From \texttt{" + re.sub(r"(/|\\_|-)", r"\1\\allowbreak{}", escape_text(printable(str(inputs.sweep_folder)))) + "}: "
                 + latex_line(setting + ".") + r"\par}", "",
                 r"\begin{center}\begin{tabular}{lrrr}", r"\hline",
                 r"weight decay & final train acc.\ (\%) & final test acc.\ (\%) & seeds \\ \hline"]
        text += [f"{latex_line(wd)} & {latex_line(tr)} & {latex_line(te)} & {n} \\\\" for wd, tr, te, n in rows]
        text += [r"\hline\end{tabular}\end{center}",
                 "With several seeds: the mean, and the lowest to highest seed in brackets.", ""]
        text += [r"\paragraph{Findings.}", r"\begin{itemize}"] + [rf"\item {latex_line(line)}" for line in said]
        text += [r"\end{itemize}"]
        for name, caption in save_figures(inputs.sweep, out, ".pdf"):  # drawn at the text width
            text += [r"\begin{figure}[tbp]\centering", rf"\includegraphics[width=\linewidth]{{{name}}}",
                     rf"\caption{{{latex_line(caption)}}}", r"\end{figure}"]
    if inputs.topics:
        text += [r"\section{Part B 1--2: gradient derivations}"]
        for topic in inputs.topics:
            text += [topic_latex(explain(topic), level="subsection")]
    if inputs.network is not None:
        text += [r"\section{Part B 3: backpropagation by hand}", to_latex_document(solve(inputs.network))]
    text += [r"\vfill\noindent{\footnotesize Made with pa2 " + escape_text(__version__) + r".}", r"\end{document}", ""]
    return "\n".join(text)


OUT_FIX = "Choose a writable folder with --out"


def _document_path(out: Path, fmt: str) -> Path:
    return out / ("report.md" if fmt == "markdown" else "report.tex")


def check_out(out: Path, fmt: str) -> None:
    """Refuse, before any work, an --out that is not a folder or that holds a FIFO or a device
    where the report or a figure goes (writing there would wait forever or vanish)."""
    from pa2cli import outputs

    try:
        mode = out.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:  # a name too long, a loop of links, a file along the way
        raise UserError(f"cannot write the report here ({exc.strerror or exc})", where=str(out), fix=OUT_FIX) from None
    if mode is not None and outputs.kind_of(mode) != "a folder":
        raise UserError(f"is {outputs.kind_of(mode) or 'a file'}, not a folder", where=str(out), fix=OUT_FIX)
    suffix = ".png" if fmt == "markdown" else ".pdf"
    names = [*FIGURES, *(f"wd{i}" for i in range(1, 13)), "norm"]
    extra = [out / f"report{ext}" for ext in (".pdf", ".log", ".aux")] if fmt == "latex" else []
    for target in [_document_path(out, fmt), *(out / f"{name}{suffix}" for name in names), *extra]:
        outputs.check_target(target, fix=OUT_FIX)


def write(inputs: Inputs, out: Path, fmt: str) -> tuple[Path, Path | None]:
    """Write report.md or report.tex (and the figures) into `out`; returns the document's path
    and, when the document there had been edited by hand since pa2 wrote it, where that edited
    copy was kept (`report.md.~1~`): regenerating never loses a student's own text."""
    from pa2cli import files, outputs

    check_out(out, fmt)
    document = _document_path(out, fmt)
    made = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        text = to_markdown(inputs, out) if fmt == "markdown" else to_latex(inputs, out)
        # one report at a time between "is it edited?" and "remember what pa2 wrote": two
        # reports into one folder never both back up the student's file, nor take each other's
        # fresh output for an edit (a spurious report.md.~1~)
        with files.locked(out / f".{document.name}.pa2-lock", wait_s=30):
            kept = outputs.keep_if_edited(document)
            outputs.write_text(document, text, fix=OUT_FIX, follow_links=False)
            outputs.record_written(document)
    except BaseException as exc:
        if made:  # a failed report leaves no empty --out folder behind
            try:
                (out / f".{document.name}.pa2-lock").unlink(missing_ok=True)
                out.rmdir()
            except OSError:
                pass
        if isinstance(exc, OSError):
            raise UserError(f"cannot write the report ({exc.strerror or exc})", where=str(out),
                            fix=OUT_FIX) from None
        raise
    return document, kept
