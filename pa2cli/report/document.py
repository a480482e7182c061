"""Assemble the report: Part A from a sweep folder, Part B 1–2 from topics, Part B 3 from a
network, as Markdown (report.md + PNG figures) or LaTeX (report.tex + PDF figures) in one folder.

Each part is made by the writer that already exists for it (sweep figures and findings, the
explain section model's writers, the backprop solution's writers); this module only gathers the
inputs, leaves out a part whose input is missing (saying how to produce it) and writes files.
Inputs are validated before anything is written; a bad one is a UserError.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from pa2cli import __version__
from pa2cli.errors import UserError, printable

RUNS = Path("runs")
MAX_TOPIC_NAMES = 50  # nine topics and their aliases, with room to spare
FIGURES = {"curves": "Train and test accuracy and loss per epoch, one row per weight decay.",
           "final": "Final accuracy against weight decay."}


@dataclass(frozen=True)
class Inputs:
    sweep: object | None  # SweepResults
    sweep_folder: Path | None
    topics: tuple  # explain Topics
    network: object  # backprop Network
    notes: tuple[str, ...]  # one line per part left out: why, and how to produce it


def latest_sweep(runs: Path = RUNS) -> Path | None:
    """The most recently written sweep folder under `runs/` (one holding results.json)."""
    if not runs.is_dir():
        return None
    found = [p for p in runs.iterdir() if p.is_dir() and (p / "results.json").is_file()]
    return max(found, key=lambda p: (p / "results.json").stat().st_mtime) if found else None


def gather(sweep: str | None, topics: str | None, weights: str | None) -> Inputs:
    """Load and validate every input; a part without input is noted, a bad input raises."""
    from pa2cli.backprop.spec import read_network
    from pa2cli.explain.topics import all_topics, find_topic
    from pa2cli.paths import content_dir
    from pa2cli.sweep.store import load_results

    notes = []
    folder = Path(sweep) if sweep else latest_sweep()
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
            notes.append(f"Part A is left out: {shown} has no finished epoch. Resume it with "
                         f"`pa2 sweep --out {shown} --resume`.")
            results = None
    if topics is None:
        chosen = tuple(all_topics())
    else:
        names = list(dict.fromkeys(name.strip() for name in topics.split(",") if name.strip()))
        if not names:
            raise UserError("no topic named", where="--topics", fix="List topics, e.g. --topics huber,cross-entropy")
        if len(names) > MAX_TOPIC_NAMES:  # bound the work: each name is looked up
            raise UserError(f"{len(names):,} different names; at most {MAX_TOPIC_NAMES} are accepted",
                            where="--topics", fix="List each topic once, e.g. --topics huber,l2 (no --topics: all nine)")
        chosen = tuple(dict.fromkeys(find_topic(name) for name in names))
    if weights is None:
        network = dataclasses.replace(read_network(content_dir() / "networks" / "example.json"),
                                      label="the built-in example")
    else:
        network = read_network(weights)
    return Inputs(results, folder if results is not None else None, chosen, network, tuple(notes))


# ----------------------------------------------------------------------------- Part A
def _sweep_summary(results) -> tuple[str, list[tuple[str, str, str, int]], list[str]]:
    """(setting sentence, rows (weight decay, train %, test %, seeds), findings)."""
    from pa2cli.sweep import figures, findings
    from pa2cli.sweep.config import wd_label
    from pa2cli.sweep.sentences import sentences

    # Values from a results.json written elsewhere: control characters escaped (printable), so a
    # raw ESC reaches neither the Markdown nor pdflatex (which stops at it).
    c = {key: printable(value) if isinstance(value, str) else value
         for key, value in results.config.items()}
    setting = (f"{c.get('dataset', 'the data')}, {c.get('model') or 'the default CNN'}, "
               f"{c.get('optimizer', 'sgd')} (lr {c.get('lr', '?')}), batch {c.get('batch_size', '?')}, "
               f"{c.get('epochs', '?')} epochs, seeds {', '.join(map(str, results.seeds))}")
    rows = []
    for group in figures.groups(results):
        train, test = group.metrics["train_acc"][:, -1] * 100, group.metrics["test_acc"][:, -1] * 100
        spread = lambda v: f"{v.mean():.1f}" + (f" ({v.min():.1f}–{v.max():.1f})" if len(v) > 1 else "")
        rows.append((wd_label(group.weight_decay), spread(train), spread(test), group.seeds))
    said = sentences(findings.analyse(results))
    return setting, rows, said


def _save_figures(results, out: Path, suffix: str) -> list[str]:
    from pa2cli.sweep import figures

    names = []
    for name, make in (("curves", figures.curves_figure), ("final", figures.final_figure)):
        figures.save(make(results), out / f"{name}{suffix}")
        names.append(f"{name}{suffix}")
    return names


# ----------------------------------------------------------------------------- Markdown
def _demote(markdown: str, levels: int) -> str:
    return re.sub(r"^(#+) ", lambda m: "#" * (len(m[1]) + levels) + " ", markdown, flags=re.M)


def to_markdown(inputs: Inputs, out: Path) -> str:
    from pa2cli.backprop.engine import solve
    from pa2cli.backprop.solution import to_markdown as backprop_markdown
    from pa2cli.explain.formats import to_markdown as topic_markdown
    from pa2cli.explain.worked import explain

    text = [f"# Programming Assignment 2: report", "", f"*Written by pa2 {__version__} (`pa2 report`).*", ""]
    text += [f"> {note}" for note in inputs.notes] + ([""] if inputs.notes else [])
    if inputs.sweep is not None:
        setting, rows, said = _sweep_summary(inputs.sweep)
        text += ["## Part A: weight decay", "", f"From `{printable(str(inputs.sweep_folder))}`: {setting}.", "",
                 "| weight decay | final train accuracy (%) | final test accuracy (%) | seeds |",
                 "|---|---:|---:|---:|"]
        text += [f"| {wd} | {train} | {test} | {seeds} |" for wd, train, test, seeds in rows]
        text += ["", "With several seeds: the mean, and the lowest to highest seed in brackets.", ""]
        for name in _save_figures(inputs.sweep, out, ".png"):
            text += [f"![{FIGURES[name.split('.')[0]]}]({name})", ""]
        text += ["Findings, as `pa2 sweep` states them:", ""] + [f"- {line}" for line in said] + [""]
    text += ["## Part B 1–2: gradient derivations", ""]
    for topic in inputs.topics:
        text += [_demote(topic_markdown(explain(topic)), 1), ""]
    text += ["## Part B 3: backpropagation by hand", "", _demote(backprop_markdown(solve(inputs.network)), 2)]
    return "\n".join(text)


# ----------------------------------------------------------------------------- LaTeX
def to_latex(inputs: Inputs, out: Path) -> str:
    from pa2cli.backprop.engine import solve
    from pa2cli.backprop.solution import to_latex_document
    from pa2cli.explain.formats import to_latex as topic_latex
    from pa2cli.explain.prose import escape_text, latex_text
    from pa2cli.explain.worked import explain
    from pa2cli.report.tex import PREAMBLE

    text = [r"\documentclass{article}", PREAMBLE, r"\setlength{\emergencystretch}{3em}", r"\title{Programming Assignment 2: report}",
            rf"\date{{Written by pa2 {__version__} (\texttt{{pa2 report}})}}", r"\begin{document}", r"\maketitle"]
    text += [r"\noindent\emph{" + latex_text(note) + r"}\par" for note in inputs.notes]
    if inputs.sweep is not None:
        setting, rows, said = _sweep_summary(inputs.sweep)
        text += [r"\section{Part A: weight decay}",
                 r"{\sloppy From \texttt{" + re.sub(r"(/|\\_|-)", r"\1\\allowbreak{}", escape_text(printable(str(inputs.sweep_folder)))) + "}: "
                 + latex_text(setting + ".") + r"\par}", "",
                 r"\begin{center}\begin{tabular}{lrrr}", r"\hline",
                 r"weight decay & final train acc.\ (\%) & final test acc.\ (\%) & seeds \\ \hline"]
        text += [f"{latex_text(wd)} & {latex_text(tr)} & {latex_text(te)} & {n} \\\\" for wd, tr, te, n in rows]
        text += [r"\hline\end{tabular}\end{center}",
                 "With several seeds: the mean, and the lowest to highest seed in brackets.", ""]
        for name in _save_figures(inputs.sweep, out, ".pdf"):
            text += [r"\begin{figure}[htbp]\centering", rf"\includegraphics[width=\linewidth]{{{name}}}",
                     rf"\caption{{{FIGURES[name.split('.')[0]]}}}", r"\end{figure}"]
        text += [r"\paragraph{Findings, as \texttt{pa2 sweep} states them.}", r"\begin{itemize}"] + [rf"\item {latex_text(line)}" for line in said]
        text += [r"\end{itemize}"]
    text += [r"\section{Part B 1--2: gradient derivations}"]
    for topic in inputs.topics:
        text += [topic_latex(explain(topic), level="subsection"), r"\clearpage"]
    text += [r"\section{Part B 3: backpropagation by hand}", to_latex_document(solve(inputs.network)),
             r"\end{document}", ""]
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
    for target in [_document_path(out, fmt), *(out / f"{name}{suffix}" for name in FIGURES)]:
        outputs.check_target(target, fix=OUT_FIX)


def write(inputs: Inputs, out: Path, fmt: str) -> tuple[Path, Path | None]:
    """Write report.md or report.tex (and the figures) into `out`; returns the document's path
    and, when the document there had been edited by hand since pa2 wrote it, where that edited
    copy was kept (`report.md.~1~`): regenerating never loses a student's own text."""
    from pa2cli import outputs

    check_out(out, fmt)
    document = _document_path(out, fmt)
    try:
        out.mkdir(parents=True, exist_ok=True)
        text = to_markdown(inputs, out) if fmt == "markdown" else to_latex(inputs, out)
        kept = outputs.keep_if_edited(document)
        outputs.write_text(document, text, fix=OUT_FIX)
        outputs.record_written(document)
    except OSError as exc:
        raise UserError(f"cannot write the report ({exc.strerror or exc})", where=str(out),
                        fix=OUT_FIX) from None
    return document, kept
