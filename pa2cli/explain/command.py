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


@click.command()
@click.argument("topic", required=False)
@click.option("--all", "show_all", is_flag=True, help="Print everything at once instead of stepping.")
@click.option("--format", "output_format", type=click.Choice(["markdown", "latex"]),
              help="Write the whole derivation as Markdown or LaTeX (amsmath align) for a report.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="With --format: write to this file instead of stdout.")
@click.option("--plot", is_flag=True, help="Also draw the function and its derivative in the terminal.")
@click.option("--verify", is_flag=True, help="Also check every gradient against torch autograd (imports torch).")
def explain(topic: str | None, show_all: bool, output_format: str | None, output: str | None,
            plot: bool, verify: bool) -> None:
    """Step-by-step gradient derivation of TOPIC, checked numerically.

    Without TOPIC, list the topics. On a terminal: Enter shows the next line, b goes back,
    q quits. --all, or output that is not a terminal, prints everything.
    """
    from rich.console import Console

    from pa2cli.explain import topics

    console = Console(highlight=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(highlight=False, width=100)  # pipes and files: room for the tables
    if topic is None:
        if output_format or output or plot or verify:
            raise UserError("no topic given", where="pa2 explain", fix="Name one, e.g. `pa2 explain sigmoid`")
        from pa2cli.explain.listing import topic_list

        console.print(topic_list(topics.grouped(topics.all_topics())))
        return
    if output and not output_format:
        raise UserError("needs --format", where="--output", fix="Add --format markdown or --format latex")
    if plot and output_format:
        raise UserError("--plot draws in the terminal and cannot go into --format output",
                        where="--plot", fix="Run it without --format")
    found = topics.find_topic(topic)
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

        stepper.step_through(console, parts)


def _write(explanation, output_format: str, output: str | None) -> None:
    from pa2cli.explain.formats import FORMATS

    text = FORMATS[output_format](explanation)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise UserError(f"cannot write: {exc.strerror}", where=output, fix="Choose a writable path") from None
    click.echo(f"wrote {output}", err=True)
