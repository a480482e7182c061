"""The home screen (`pa2` on a terminal), `pa2 progress [--json]` and `pa2 reset`.

The home screen says where the student is: the derivation topics studied (stepped to the end,
or drilled, with the score), the backprop quizzes (per network: answered, right first try, where
they stopped), the sweeps under ./runs (weight decays, seeds, finished or interrupted with the
resume command), and the one next step. It reads only the progress file (pa2cli.progress), the
content index and runs/*/results.json, so it stays fast and never imports torch, numpy or the
sweep package. A corrupt progress file is one line on stderr; the screen still shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import click
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from pa2cli import progress as store
from pa2cli.errors import printable
from pa2cli.sweeps_found import SweepFound, seeds_label, sweeps_found, wd_label


@dataclass(frozen=True)
class Overview:
    topics: list[str]  # every topic id, in the index's order
    progress: store.Progress
    sweeps: list[SweepFound]

    def studied(self, topic: str) -> bool:
        entry = self.progress.explain.get(topic, {})
        return bool(entry.get("stepped") or entry.get("drills"))

    def next_step(self) -> str:
        """The one thing to do next: finish what was started, then the assignment in order."""
        quizzes = sorted(self.progress.backprop.values(), key=lambda q: str(q.get("updated", "")))
        unfinished = [q for q in quizzes if not q.get("finished") and q.get("command")]
        if unfinished:
            return f"{printable(unfinished[-1]['command'])}   (finish your backprop quiz)"
        interrupted = [s for s in self.sweeps if not s.finished and not s.problem]
        if interrupted:
            return f"{printable(interrupted[-1].resume_command)}   (finish the interrupted sweep)"
        todo = [t for t in self.topics if not self.studied(t)]
        if todo:
            return f"pa2 explain {todo[0]}   (then drill it: pa2 explain {todo[0]} --quiz)"
        if not any(q.get("finished") for q in quizzes):
            return "pa2 backprop --weights weights.json   (or practise first: pa2 backprop --random)"
        if not any(s.finished for s in self.sweeps):
            return "pa2 sweep --wd 0 1e-4 1e-3   (Part A)"
        return "pa2 backprop --random   (everything is done: practise on a new network)"

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "topics": {t: {"studied": self.studied(t), **self.progress.explain.get(t, {})}
                       for t in self.topics},
            "backprop": self.progress.backprop,
            "sweeps": [s.to_json_dict() for s in self.sweeps],
            "next": self.next_step().split("   (")[0],
            "progress_file": str(store.progress_path()),
            "problem": self.progress.problem,
        }


def overview() -> Overview:
    from pa2cli.content import load_index

    index = load_index()
    topics = [name.split("/")[-1].removesuffix(".toml") for name in index.topics]
    return Overview(topics, store.load(), sweeps_found())


def _topic_cell(view: Overview, topic: str) -> Text:
    entry = view.progress.explain.get(topic, {})
    text = Text(topic, style="bold" if view.studied(topic) else "dim")
    if entry.get("stepped"):
        text.append(" ✓", style="green")
    last = entry.get("last")
    if isinstance(last, list) and len(last) == 2:
        text.append(f" {last[0]}/{last[1]}", style="cyan")
    return text


def _topics(view: Overview) -> RenderableType:
    done = sum(view.studied(t) for t in view.topics)
    table = Table.grid(padding=(0, 2))
    for _ in range(3):
        table.add_column()
    cells = [_topic_cell(view, t) for t in view.topics]
    for row in range(0, len(cells), 3):
        table.add_row(*cells[row:row + 3])
    head = Text.assemble(("Part B 1–2  derivations", "bold"),
                         f": {done} of {len(view.topics)} studied  ",
                         ("(✓ stepped through · n/m last drill)", "dim"))
    return Group(head, table)


def _quizzes(view: Overview) -> RenderableType:
    parts: list[RenderableType] = [Text("Part B 3  backprop quizzes", style="bold")]
    if not view.progress.backprop:
        parts.append(Text("  none yet: pa2 backprop (the example) or pa2 backprop --random",
                          style="dim"))
    for entry in view.progress.backprop.values():
        total = entry.get("total", 0)
        line = Text(f"  {printable(entry.get('label', '?'))}\n    ")
        line.append(f"{entry.get('answered', 0)}/{total} answered · "
                    f"{entry.get('first_try', 0)} right first try")
        if entry.get("finished"):
            line.append(" · finished", style="green")
        else:
            line.append(f" · stopped at question {entry.get('position', 0) + 1}", style="yellow")
            line.append(f"\n    continue: {printable(entry.get('command', ''))}", style="cyan")
        parts.append(line)
    return Group(*parts)


def _sweeps(view: Overview) -> RenderableType:
    parts: list[RenderableType] = [Text("Part A  sweeps under runs/", style="bold")]
    if not view.sweeps:
        parts.append(Text("  none in this folder: pa2 sweep --wd 0 1e-4 1e-3", style="dim"))
    for sweep in view.sweeps:
        line = Text(f"  {printable(sweep.folder)}: ")
        if sweep.problem:
            line.append(sweep.problem, style="red")
            parts.append(line)
            continue
        decays = ", ".join(wd_label(wd) for wd in sweep.weight_decays) or "none"
        seeds = seeds_label(sweep.seeds) or "?"
        word = "seed" if len(sweep.seeds) == 1 else "seeds"
        line.append(f"wd {decays} · {word} {seeds} · {sweep.epochs_done}/{sweep.epochs_asked} "
                    "epochs · ")
        if sweep.finished:
            line.append("finished", style="green")
        else:
            line.append("interrupted", style="yellow")
            line.append(f"\n    resume: {printable(sweep.resume_command)}", style="cyan")
        parts.append(line)
    return Group(*parts)


def home_screen(view: Overview) -> RenderableType:
    return Group(
        Text.from_markup("[bold]pa2[/bold] — your progress on Programming Assignment 2"), Text(),
        _topics(view), Text(), _quizzes(view), Text(), _sweeps(view), Text(),
        Text.assemble(("Next: ", "bold green"), (view.next_step(), "bold")),
        Text("pa2 --help lists the commands · pa2 progress --json · pa2 reset", style="dim"))


def show_home(console: Console) -> None:
    view = overview()
    if view.progress.problem:
        click.echo(f"Warning: {view.progress.problem}", err=True)
    console.print(home_screen(view))


@click.command("progress")
@click.option("--json", "as_json", is_flag=True, help="Print the progress as JSON.")
def progress_command(as_json: bool) -> None:
    """Where you are: topics studied, backprop quizzes, sweeps under ./runs, the next step."""
    if as_json:
        view = overview()
        if view.progress.problem:
            click.echo(f"Warning: {view.progress.problem}", err=True)
        click.echo(json.dumps(view.to_json_dict(), indent=2))
        return
    show_home(Console(highlight=False))


@click.command("reset")
@click.argument("part", type=click.Choice(["backprop", "explain", "all"]), default="all")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
def reset_command(part: str, yes: bool) -> None:
    """Forget progress: PART is backprop (quiz scores and saved places), explain (topics and
    drill scores) or all [default]. Sweeps under runs/ are never touched."""
    what = {"backprop": "backprop quiz progress and saved quiz places",
            "explain": "topics studied and drill scores",
            "all": "all progress (topics, drills, backprop quizzes and saved quiz places)"}[part]
    if not yes and not _confirm(f"Forget {what}?"):
        click.echo("Nothing changed.")
        return
    from pa2cli.errors import UserError

    if part in ("backprop", "all"):
        _forget_saved_quizzes()
    if not store.reset(part):
        raise UserError("cannot write the progress file", where=str(store.progress_path()),
                        fix="Check the folder's permissions or set PA2_HOME.")
    click.echo(f"Forgot {what}.")


def _forget_saved_quizzes() -> None:
    """Delete the saved quiz places (regular files `*.json` in the backprop folder); anything
    else found there (a folder, a FIFO) is not ours and is left alone. A file that cannot be
    deleted is one line naming it, never a traceback."""
    from pa2cli.errors import UserError
    from pa2cli.paths import data_home

    folder = data_home() / "backprop"
    try:
        saved = [path for path in folder.glob("*.json") if path.is_file() or path.is_symlink()]
    except OSError:
        return  # no readable folder: nothing saved to forget
    for path in saved:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise UserError(f"cannot delete the saved quiz ({exc.strerror or exc})",
                            where=str(path), fix="Check the folder's permissions or set PA2_HOME.") from None


def _confirm(question: str) -> bool:
    """click.confirm on a terminal; from a pipe or file, one bounded line (y or yes confirms),
    so an endless stdin (/dev/zero, /dev/urandom) is neither read forever nor re-asked."""
    import sys

    if sys.stdin.isatty():
        return click.confirm(question, default=False)
    click.echo(f"{question} [y/N]: ", nl=False)
    line = sys.stdin.readline(100)
    if not line:
        raise click.Abort()  # end of input, as click.confirm does
    click.echo(printable(line.strip())[:40])
    return line.strip().lower() in ("y", "yes")
