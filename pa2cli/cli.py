"""The `pa2` Click group: the welcome screen, `--version`, and lazy registration of commands.

Each command lives beside the code it drives (`pa2cli/<part>/command.py`) and is imported only
when it is invoked, so `pa2 explain` never pays for the sweep's imports. Nothing here computes.
User mistakes are raised as `pa2cli.errors.UserError`, which Click prints as one line, exit 2.
"""

from __future__ import annotations

import errno
import importlib
import sys

import click

from pa2cli import __version__, streams
from pa2cli.notebook import shell as notebook_shell
from pa2cli.errors import UserError, shorten_runs

# command name -> "module:attribute"; the order is the order `pa2 --help` lists them in.
COMMANDS = {
    "explain": "pa2cli.explain.command:explain",
    "backprop": "pa2cli.backprop.command:backprop",
    "sweep": "pa2cli.sweep.command:sweep",
    "plot": "pa2cli.sweep.command:plot",
    "report": "pa2cli.report.command:report",
    "notebook": "pa2cli.notebook.command:notebook",
    "progress": "pa2cli.home:progress_command",
    "reset": "pa2cli.home:reset_command",
}

WELCOME = """\
[bold]pa2[/bold] — a terminal tutor for Programming Assignment 2 (gradients, backprop, regularisation)

  [bold]Part A[/bold]  tune weight decay, plot train vs test accuracy and loss
          [cyan]pa2 sweep --wd 0 1e-4 1e-3[/cyan]
          [cyan]pa2 notebook[/cyan]           (the same in Jupyter or Colab, with a GPU)
  [bold]Part B[/bold]  1–2. step-by-step gradient derivations of activations and losses
          [cyan]pa2 explain[/cyan]            (list topics)   [cyan]pa2 explain huber[/cyan]
          [cyan]pa2 explain huber --quiz[/cyan]   (drill: type the gradient yourself)
          3. hand backpropagation on your own network, every number checked
          [cyan]pa2 backprop --weights weights.json[/cyan]   ([cyan]--template[/cyan] for a starter file)
          [cyan]pa2 backprop --random[/cyan]      (practise on a new network first)
  [bold]Report[/bold]  all of it in one document with figures (Markdown, or LaTeX and PDF)
          [cyan]pa2 report[/cyan]   [cyan]pa2 report --format latex --pdf[/cyan]

Run [cyan]pa2 COMMAND --help[/cyan] for the options of each command; [cyan]pa2 progress[/cyan] shows
where you are."""

SHORT_HELP = {
    "explain": "Step-by-step gradient derivations (Part B, questions 1-2).",
    "backprop": "Hand-backpropagation quiz on your network (Part B, question 3).",
    "sweep": "Train once per weight decay; plot and compare (Part A).",
    "plot": "Redraw the plots and findings of a saved sweep.",
    "report": "Write your report (Markdown or LaTeX) with figures.",
    "notebook": "Write a starter notebook for Part A (Jupyter, Colab).",
    "progress": "Where you are and the next step (--json for data).",
    "reset": "Forget progress: backprop, explain or all (asks first).",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use (Click's documented lazy pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module_name, attribute = COMMANDS[name].split(":")
        return getattr(importlib.import_module(module_name), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, SHORT_HELP[name]) for name in COMMANDS])


@click.group(cls=LazyGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="pa2")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """pa2: a terminal tutor for gradients, hand backpropagation and weight decay.

    On a terminal, `pa2` alone shows your progress and the next step; otherwise (a pipe, a
    file) it prints the overview of the commands. Exit status: 0 success, 1 a wrong answer
    (`pa2 backprop --check`), 2 a usage mistake, 130 interrupted. NO_COLOR=1 turns colour off.
    """
    if ctx.invoked_subcommand is None:
        from rich.console import Console

        console = Console(highlight=False)
        if console.is_terminal:
            from pa2cli.home import show_home

            show_home(console)
        else:
            console.print(WELCOME)


def _interrupted(error: BaseException) -> bool:
    """Whether `error` came from a Ctrl-C (Click keeps the KeyboardInterrupt as its cause or
    context; an EOF at a prompt, also an Abort, is not one)."""
    seen = error
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _exit_interrupted() -> None:
    """Ctrl-C: one line and exit status 130, as documented (a second Ctrl-C is ignored)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    click.echo("Interrupted.", err=True)
    sys.exit(130)


def main() -> None:
    """Run the group; every user mistake ends here as one line on stderr and exit status 2.

    Click's own usage errors (a bad option value, a missing argument) would print the usage
    and a hint on lines of their own; here they become one line that names the option and
    points at `--help`. Output that cannot be written (a full disk, /dev/full, a closed stdout)
    is one line and exit status 1; a reader that stopped early (`| head`) ends it quietly, also
    with status 1. Ctrl-C anywhere (a prompt, a long computation) is "Interrupted." and 130.
    The standard streams are made safe first (pa2cli.streams), and a notebook's `!` gets plain
    output (pa2cli.notebook.shell).
    """
    streams.prepare()
    notebook_shell.prepare()  # under a notebook's `!`: no live display, no key reading
    try:
        code = cli.main(prog_name="pa2", standalone_mode=False)
        sys.stdout.flush()  # a full disk shows here, not in the interpreter's last flush
    except click.UsageError as error:
        where = f" See `{error.ctx.command_path} --help`." if error.ctx else ""
        click.echo(f"Error: {shorten_runs(error.format_message())}{where}", err=True)
        sys.exit(error.exit_code)
    except click.ClickException as error:
        message = error.format_message()  # a UserError is already bounded (errors.excerpt)
        click.echo(f"Error: {message if isinstance(error, UserError) else shorten_runs(message)}",
                   err=True)
        sys.exit(error.exit_code)
    except click.Abort as error:
        if _interrupted(error):  # Click turns Ctrl-C (at a prompt or anywhere) into Abort
            _exit_interrupted()
        click.echo("Aborted!", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        _exit_interrupted()
    except OSError as error:
        if not streams.output_failed():
            raise
        streams.silence_stdout()
        if error.errno != errno.EPIPE:  # EPIPE: output piped into e.g. `head`, which stopped
            full = error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
            fix = " Free some space or send it to another disk." if full else ""
            click.echo(f"Error: cannot write to standard output ({error.strerror or error}); "
                       f"the output is incomplete.{fix}", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
