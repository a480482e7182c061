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

from pa2cli.errors import UserError, printable
from pa2cli.options import TOLERANCE

EPILOG = """\b
Examples:
  pa2 backprop                          quiz on Figure 1 with sample values
  pa2 backprop --template > weights.json   Figure 1 to fill in with your allotted row
  pa2 backprop --example mazur --solve  the published 2-2-2 example (a check)
  pa2 backprop --weights weights.json   quiz on your network
  pa2 backprop --weights weights.json --resume
  pa2 backprop --weights weights.json --solve --format latex > solution.tex
  pa2 backprop --weights weights.json --check answers.json [--hide-answers]
  pa2 backprop --random                 quiz on a new practice network (its seed is printed)
  pa2 backprop --random --seed 42 --shape 3-2-1 --solve
  pa2 backprop --random --seed 42 --template > practice.json

\b
Exit status: 0 done (with --check: every answer right), 1 a wrong answer (--check),
2 a usage mistake, 130 interrupted (Ctrl-C; the quiz keeps its place).
"""


class BackpropCommand(click.Command):
    """Lists the activations and losses a network file may choose, from registry.py, in --help."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        with formatter.section('Network file choices ("activation", "activations", "loss")'):
            formatter.write_dl(choice_rows())


def choice_rows() -> list[tuple[str, str]]:
    from pa2cli.backprop.registry import ACTIVATIONS, LOSSES

    rows = [(name, f"activation a = {entry.formula.format(z='z')}")
            for name, entry in ACTIVATIONS.items()]
    rows += [(name, f"loss E = Σ_o {entry.formula.format(t='t_o', a='a_o', n='n')}")
             for name, entry in LOSSES.items()]
    return rows


@dataclasses.dataclass(frozen=True)
class Practice:
    """The --random network asked for: its seed and shape."""

    seed: int
    shape: tuple[int, ...]

    def options(self) -> str:
        from pa2cli.backprop.practice import DEFAULT_SHAPE, shape_text

        shape = "" if self.shape == DEFAULT_SHAPE else f" --shape {shape_text(self.shape)}"
        return f"--random --seed {self.seed}{shape}"


def _practice(random_flag: bool, seed: int | None, shape: str | None, weights: str | None,
              resume: bool) -> Practice | None:
    """--random/--seed/--shape (either of the last two implies --random), or None."""
    if not (random_flag or seed is not None or shape is not None):
        return None
    from pa2cli.backprop import practice

    if weights is not None:
        raise UserError("--weights and --random/--seed/--shape cannot be combined",
                        where="options", fix="Use your file or a practice network, not both.")
    if seed is None and resume:
        raise UserError("--resume of a practice network needs its seed", where="--seed",
                        fix="Add --seed N with the seed printed when the quiz started.")
    chosen = practice.new_seed() if seed is None else practice.check_seed(seed)
    # `is None`: an empty --shape '' is refused by parse_shape, not read as the default
    widths = practice.DEFAULT_SHAPE if shape is None else practice.parse_shape(shape)
    return Practice(chosen, widths)


def _load(weights: str | None, practice_choice: Practice | None = None,
          example: str | None = None):
    from pa2cli.backprop.examples import builtin_network
    from pa2cli.backprop.spec import read_network, validate

    if practice_choice is not None:
        from pa2cli.backprop import practice

        data = practice.random_network_data(practice_choice.seed, practice_choice.shape)
        return validate(data, practice.label(practice_choice.seed, practice_choice.shape))
    if weights is not None:
        return read_network(weights)
    return builtin_network(example or "figure1")


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


@click.command(cls=BackpropCommand, epilog=EPILOG)
@click.option("--weights", "-w", type=click.Path(exists=True, dir_okay=False),
              help="Your network file (JSON). Default: Figure 1 with sample values.")
@click.option("--example", type=click.Choice(["figure1", "mazur"]),
              help="A built-in network: figure1 (the course's Figure 1, sample values; the "
                   "default) or mazur (the published 2-2-2 example, a check).")
@click.option("--random", "random_flag", is_flag=True,
              help="A new practice network in the style of Figure 1 (sigmoid, half_sse); "
                   "the seed is printed so you can come back to it.")
@click.option("--seed", type=int, help="The practice network's seed (implies --random).")
@click.option("--shape", metavar="W-W[-W]",
              help="Layer widths of the practice network: 2 to 4 widths, each 1 to 4 "
                   "[default: 2-2-2] (implies --random).",
              shell_complete=lambda ctx, param, incomplete: [
                  s for s in ("2-2-2", "2-2-1", "3-2-1", "2-3-2", "3-3-2", "2-2-2-2")
                  if s.startswith(incomplete)])
@click.option("--resume", is_flag=True, help="Continue the saved quiz for this network.")
@click.option("--solve", is_flag=True, help="Print the full worked solution.")
@click.option("--json", "as_json", is_flag=True,
              help="Print {quantity: value} as JSON (also with --solve).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "latex"]),
              help="Format of the worked solution (implies --solve).")
@click.option("--check", "sheet", type=click.Path(exists=True, dir_okay=False),
              help="Grade a JSON sheet {quantity: value}: exit 0 all right, 1 any wrong.")
@click.option("--hide-answers", is_flag=True,
              help="With --check: say right or wrong and how far off, never the correct value.")
@click.option("--template", is_flag=True,
              help="Print a starter network file to fill in (with --random: the practice one).")
@click.option("--rtol", type=TOLERANCE, help="Relative tolerance [default: 1e-3].")
@click.option("--atol", type=TOLERANCE, help="Absolute tolerance [default: 1e-6].")
@click.option("--sigfig", type=click.IntRange(1, 15),
              help="Grade to N significant figures instead of rtol/atol.")
@click.pass_context
def backprop(ctx, weights, example, random_flag, seed, shape, resume, solve, as_json, fmt, sheet,
             hide_answers, template, rtol, atol, sigfig):
    """Hand backpropagation on your network, every number checked (Part B, question 3).

    Draws the network, then asks for every quantity in teaching order: z and a per node,
    the loss, dE/da and delta per node, each gradient and each updated parameter.
    """
    if as_json and fmt in ("markdown", "latex"):
        raise UserError(f"--json and --format {fmt} cannot be combined", where="options",
                        fix="Choose one output format.")
    modes = [name for name, on in (("--solve/--format", (solve or fmt) and not as_json),
                                   ("--json", as_json), ("--check", sheet),
                                   ("--template", template), ("--resume", resume)) if on]
    if len(modes) > 1:
        raise UserError(f"{' and '.join(modes)} cannot be combined", where="options",
                        fix="Choose one mode.")
    if hide_answers and not sheet:
        raise UserError("only applies to --check", where="--hide-answers",
                        fix="Add --check answers.json.")
    if sigfig is not None and (rtol is not None or atol is not None):
        raise UserError("--sigfig replaces --rtol/--atol", where="--sigfig",
                        fix="Give one or the other.")
    practice_choice = _practice(random_flag, seed, shape, weights, resume)
    if example and (weights or practice_choice):
        raise UserError("--example cannot be combined with --weights or --random",
                        where="--example", fix="Choose one network.")
    if practice_choice is not None:
        click.echo(f"Practice network: seed {practice_choice.seed}, shape "
                   f"{'-'.join(map(str, practice_choice.shape))} (again: pa2 backprop "
                   f"{practice_choice.options()})", err=True)
    if template:
        from pa2cli.backprop.registry import ACTIVATIONS, LOSSES

        if practice_choice is not None:
            click.echo(_file_text(_load(None, practice_choice).to_json_dict()))
        elif example and example != "figure1":
            click.echo(_file_text(_load(None, None, example).to_json_dict()))
        else:
            from pa2cli.backprop.examples import template_text

            click.echo(template_text())
            click.echo("Figure 1 (3-2-1): every number in this file is a sample; replace each "
                       "value with your allotted row (names and wiring stay).", err=True)
        click.echo(f'Choices: "activation" (and per node "activations") one of '
                   f'{", ".join(ACTIVATIONS)}; "loss" one of {", ".join(LOSSES)} '
                   "(formulas: pa2 backprop --help).", err=True)
        return

    from rich.console import Console

    from pa2cli.backprop.engine import solve as compute
    from pa2cli.backprop.grading import Tolerance

    solution = compute(_load(weights, practice_choice, example))
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
        from pa2cli.backprop.answers import given_names
        from pa2cli.backprop.grading import check_sheet, load_sheet
        from pa2cli.backprop.report import check_table

        expected = solution.values()
        report = check_sheet(load_sheet(sheet, expected, given_names(solution)), expected, tolerance)
        console.print(check_table(report, tolerance, hide_answers=hide_answers))
        ctx.exit(0 if report.all_correct else 1)

    from pathlib import Path

    from pa2cli.backprop.quiz import Quiz, Reader, state_path

    again = ["pa2 backprop --resume"] + ([f"--weights {shlex.quote(weights)}"] if weights else [])
    again += [practice_choice.options()] if practice_choice else []
    again += [f"--{name} {value}" for name, value in
              (("rtol", rtol), ("atol", atol), ("sigfig", sigfig)) if value is not None]
    again += [f"--example {example}"] if example else []
    path = state_path(Path(weights) if weights else None,
                      practice=practice_choice.options() if practice_choice else None,
                      example=example)
    quiz = Quiz(solution, tolerance, console, Reader(console, sys.stdin.isatty()),
                path, printable(" ".join(again)))  # a file name's control codes escaped
    ctx.exit(quiz.run(resume))
