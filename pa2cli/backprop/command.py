"""`pa2 backprop`: the thin Click command (parse options, call one function, print).

Modes: the quiz (default; `--resume`), `--solve` (`--format markdown|latex`), `--json`,
`--check answers.json`, `--template`. It must never import torch.
"""

from __future__ import annotations

import dataclasses
import json
import shlex
import sys

import click

from pa2cli.errors import UserError

EPILOG = """\b
Examples:
  pa2 backprop                          quiz on the built-in example
  pa2 backprop --template > weights.json
  pa2 backprop --weights weights.json   quiz on your network
  pa2 backprop --weights weights.json --resume
  pa2 backprop --weights weights.json --solve --format latex > solution.tex
  pa2 backprop --weights weights.json --check answers.json
"""


def _load(weights: str | None):
    from pa2cli.backprop.spec import read_network
    from pa2cli.paths import content_dir

    if weights is not None:
        return read_network(weights)
    network = read_network(content_dir() / "networks" / "example.json")
    return dataclasses.replace(network, label="the built-in example")


def _file_text(data: dict) -> str:
    """JSON with one line per input, target, edge and bias: easy to fill in by hand."""
    items = []
    for key, value in data.items():
        if isinstance(value, dict) and value:
            inner = ",\n".join(f"    {json.dumps(k)}: {json.dumps(v)}" for k, v in value.items())
            items.append(f"  {json.dumps(key)}: {{\n{inner}\n  }}")
        else:
            items.append(f"  {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(items) + "\n}"


@click.command(epilog=EPILOG)
@click.option("--weights", "-w", type=click.Path(exists=True, dir_okay=False),
              help="Your network file (JSON). Default: the built-in 2-2-2 example.")
@click.option("--resume", is_flag=True, help="Continue the saved quiz for this network.")
@click.option("--solve", is_flag=True, help="Print the full worked solution.")
@click.option("--json", "as_json", is_flag=True, help="Print {quantity: value} as JSON.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "latex"]),
              help="Format of the worked solution (implies --solve).")
@click.option("--check", "sheet", type=click.Path(exists=True, dir_okay=False),
              help="Grade a JSON sheet {quantity: value}: exit 0 all right, 1 any wrong.")
@click.option("--template", is_flag=True, help="Print a starter network file to fill in.")
@click.option("--rtol", type=click.FloatRange(min=0), help="Relative tolerance [default: 1e-3].")
@click.option("--atol", type=click.FloatRange(min=0), help="Absolute tolerance [default: 1e-6].")
@click.option("--sigfig", type=click.IntRange(1, 15),
              help="Grade to N significant figures instead of rtol/atol.")
@click.pass_context
def backprop(ctx, weights, resume, solve, as_json, fmt, sheet, template, rtol, atol, sigfig):
    """Hand backpropagation on your network, every number checked (Part B, question 3).

    Draws the network, then asks for every quantity in teaching order: z and a per node,
    the loss, dE/da and delta per node, each gradient and each updated parameter.
    """
    modes = [name for name, on in (("--solve/--format", solve or fmt), ("--json", as_json),
                                   ("--check", sheet), ("--template", template),
                                   ("--resume", resume)) if on]
    if len(modes) > 1:
        raise UserError(f"{' and '.join(modes)} cannot be combined", where="options",
                        fix="Choose one mode.")
    if sigfig is not None and (rtol is not None or atol is not None):
        raise UserError("--sigfig replaces --rtol/--atol", where="--sigfig",
                        fix="Give one or the other.")
    if template:
        click.echo(_file_text(_load(None).to_json_dict()))
        return

    from rich.console import Console

    from pa2cli.backprop.engine import solve as compute
    from pa2cli.backprop.grading import Tolerance

    solution = compute(_load(weights))
    defaults = Tolerance()
    tolerance = Tolerance(defaults.rtol if rtol is None else rtol,
                          defaults.atol if atol is None else atol, sigfig)
    console = Console(highlight=False, markup=False)
    if as_json or solve or fmt:
        from pa2cli.backprop import solution as render

        if as_json:
            click.echo(render.to_json(solution))
        elif fmt == "markdown":
            click.echo(render.to_markdown(solution))
        elif fmt == "latex":
            click.echo(render.to_latex_document(solution))
        else:
            render.print_solution(solution, console)
        return
    if sheet:
        from pa2cli.backprop.grading import check_sheet, load_sheet
        from pa2cli.backprop.report import check_table

        expected = solution.values()
        report = check_sheet(load_sheet(sheet, expected), expected, tolerance)
        console.print(check_table(report, tolerance))
        ctx.exit(0 if report.all_correct else 1)

    from pathlib import Path

    from pa2cli.backprop.quiz import Quiz, Reader, state_path

    again = ["pa2 backprop --resume"] + ([f"--weights {shlex.quote(weights)}"] if weights else [])
    again += [f"--{name} {value}" for name, value in
              (("rtol", rtol), ("atol", atol), ("sigfig", sigfig)) if value is not None]
    quiz = Quiz(solution, tolerance, console, Reader(console, sys.stdin.isatty()),
                state_path(Path(weights) if weights else None), " ".join(again))
    ctx.exit(quiz.run(resume))
