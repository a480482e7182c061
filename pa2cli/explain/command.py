"""The `pa2 explain` Click command: parse the options, load the topic, compute, render.

It stays thin: topics.py finds the topic, worked.py computes the numbers, render.py /
formats.py / plot.py format them, stepper.py walks them on a terminal. Heavy modules are
imported inside the command so `pa2 --help` stays fast, and torch is never imported unless
`--verify` is given.
"""

from __future__ import annotations

import os
import sys

import click

from pa2cli.errors import UserError
from pa2cli.options import TOLERANCE


def complete_topic(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    """Shell completion of topic ids and aliases (`pa2 explain hu<TAB>` -> huber)."""
    from click.shell_completion import CompletionItem

    from pa2cli.explain import topics

    try:
        every = topics.all_topics()
    except click.ClickException:
        return []
    wanted = topics.normalise(incomplete) if incomplete.strip() else ""
    items = [CompletionItem(t.id, help=t.title) for t in every if t.id.startswith(wanted)]
    items += [CompletionItem(alias, help=f"{t.title} (alias of {t.id})") for t in every
              for alias in t.aliases if wanted and alias.startswith(wanted)]
    return items


@click.command()
@click.argument("topic", required=False, shell_complete=complete_topic)
@click.option("--all", "show_all", is_flag=True, help="Print everything at once instead of stepping.")
@click.option("--format", "output_format", type=click.Choice(["markdown", "latex"]),
              help="Write the whole derivation as Markdown or LaTeX (amsmath align) for a report.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, allow_dash=True),
              help="With --format: write to this file instead of stdout (- is stdout).")
@click.option("--plot", is_flag=True, help="Also draw the function and its derivative in the terminal.")
@click.option("--verify", is_flag=True, help="Also check every gradient against torch autograd (imports torch).")
@click.option("--quiz", is_flag=True,
              help="Drill: type the derivative at random points (and at a kink, PyTorch's value).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1),
              help="With --quiz: the drill's seed (printed when not given).")
@click.option("--questions", type=click.IntRange(1, 20), default=5, show_default=True,
              help="With --quiz: how many questions.")
@click.option("--rtol", type=TOLERANCE, help="With --quiz: relative tolerance [default: 1e-3].")
@click.option("--atol", type=TOLERANCE, help="With --quiz: absolute tolerance [default: 1e-6].")
@click.option("--sigfig", type=click.IntRange(1, 15),
              help="With --quiz: grade to N significant figures instead of rtol/atol.")
def explain(topic: str | None, show_all: bool, output_format: str | None, output: str | None,
            plot: bool, verify: bool, quiz: bool, seed: int | None, questions: int,
            rtol: float | None, atol: float | None, sigfig: int | None) -> None:
    """Step-by-step gradient derivation of TOPIC, checked numerically.

    Without TOPIC, list the topics. On a terminal: Enter shows the next line, b goes back,
    q quits. --all, or output that is not a terminal, prints everything. --quiz drills the
    derivative: ? shows the next line of the derivation, s reveals, q quits.
    """
    from rich.console import Console

    from pa2cli.explain import topics

    console = Console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(highlight=False, width=100)  # pipes and files: room for the tables
    if topic is None:
        if output_format or output or plot or verify or quiz:
            raise UserError("no topic given", where="pa2 explain", fix="Name one, e.g. `pa2 explain sigmoid`")
        from pa2cli.content import load_index
        from pa2cli.explain.listing import topic_list

        console.print(topic_list(topics.grouped(topics.all_topics()), load_index().notation))
        return
    if output and not output_format:
        raise UserError("needs --format", where="--output", fix="Add --format markdown or --format latex")
    if plot and output_format:
        raise UserError("--plot draws in the terminal and cannot go into --format output",
                        where="--plot", fix="Run it without --format")
    drill_only = {"--seed": seed is not None, "--rtol": rtol is not None,
                  "--atol": atol is not None, "--sigfig": sigfig is not None}
    if not quiz and any(drill_only.values()):
        name = next(n for n, given in drill_only.items() if given)
        raise UserError("only applies to --quiz", where=name, fix=f"Add --quiz, e.g. `pa2 explain {topic} --quiz`")
    if quiz and (show_all or output_format or output or plot or verify):
        raise UserError("--quiz cannot be combined with --all, --format, --output, --plot or --verify",
                        where="--quiz", fix="Run the drill on its own")
    if sigfig is not None and (rtol is not None or atol is not None):
        raise UserError("--sigfig replaces --rtol/--atol", where="--sigfig", fix="Give one or the other")
    found = topics.find_topic(topic)
    if quiz:
        from pa2cli.explain.drill_command import run_drill

        click.get_current_context().exit(run_drill(found, seed, questions, rtol, atol, sigfig))
    if plot and found.plot is None:
        raise UserError(f"topic {found.id!r} has no plot", where="--plot")

    from pa2cli.explain import render, worked

    explanation = worked.explain(found, verify=verify)
    if output_format:
        _write(explanation, output_format, output)
        return
    plot_renderable = None
    if plot:
        from rich.text import Text

        from pa2cli.explain import plot as plotting

        drawing = plotting.draw(worked.plot_series(found), width=min(console.width, 100),
                                color=console.is_terminal)
        plot_renderable = Text.from_ansi(drawing)
    parts = render.blocks(explanation, plot_renderable)
    if show_all or not (console.is_terminal and sys.stdin.isatty()):
        console.print(render.document(parts))
    else:
        from pa2cli.explain import stepper

        shown = stepper.step_through(console, parts)
        if shown == len(stepper.positions(parts)):
            from pa2cli import progress

            progress.record_stepped(found.id)


def _write(explanation, output_format: str, output: str | None) -> None:
    from pa2cli.explain.formats import FORMATS

    text = FORMATS[output_format](explanation)
    if output is None or output == "-":  # `-o -`: stdout, as the convention goes
        click.echo(text, nl=False)
        return
    from pa2cli import outputs

    outputs.write_text(output, text, fix="Choose a writable path with -o")
    click.echo(f"wrote {output}", err=True)
