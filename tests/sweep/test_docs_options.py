"""The option tables of the docs say what `pa2 sweep` itself does: docs/sweep.md's "Options"
table lists every option of the Click command once, with the command's own default, and
docs/sweep-defaults.md's set-up table gives the same defaults. (The table once said
`--epochs 40` and `--train-size 100` after the defaults had moved to 50 and 150.)"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from pa2cli.sweep.command import DEFAULTS, sweep
from pa2cli.sweep.config import wd_label
from pa2cli.sweep.optim import OPTIMIZERS

DOCS = Path(__file__).resolve().parents[2] / "docs"
CELL_SEPARATOR = re.compile(r"(?<!\\)\|")  # `N\|all` is one cell
CODE = re.compile(r"`([^`]*)`")
OPTION_NAME = re.compile(r"^(--[a-z][a-z0-9-]*)")
LR_BY_OPTIMIZER = re.compile(r"`([^`]*)` \(([^)]*)\)")


def table_rows(text: str, header: str) -> list[list[str]]:
    """The cells of each row of the Markdown table under `header` (a line of the file)."""
    lines = text.splitlines()
    start = lines.index(header) + 2  # the header and its |---| line
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in CELL_SEPARATOR.split(line)[1:-1]])
    return rows


def options_of(cell: str) -> list[str]:
    """`--data-dir DIR`, `--download` -> ["--data-dir", "--download"]."""
    return [OPTION_NAME.match(span).group(1) for span in CODE.findall(cell)
            if OPTION_NAME.match(span)]


def click_options() -> dict[str, click.Option]:
    return {name: param for param in sweep.params if isinstance(param, click.Option)
            for name in param.opts if name.startswith("--")}


def default_of(option: click.Option):
    """The value the command receives when the option is not given (None: it has none)."""
    return sweep.make_context("sweep", [], resilient_parsing=True).params[option.name]


def same_value(text: str, default) -> bool:
    """Does the table's `text` state the Click default?"""
    if isinstance(default, float) or (isinstance(default, int) and not isinstance(default, bool)):
        try:
            return float(text) == default
        except ValueError:
            return False
    return text == str(default)


def sweep_table() -> list[list[str]]:
    return table_rows((DOCS / "sweep.md").read_text("utf-8"), "| option | default | meaning |")


def test_the_options_table_lists_every_option_of_the_command_once():
    listed = [name for row in sweep_table() for name in options_of(row[0])]
    assert sorted(listed) == sorted(set(listed)), "an option is listed twice"
    assert set(listed) == set(click_options()) - {"--help"}


@pytest.mark.parametrize("row", sweep_table(), ids=lambda row: row[0])
def test_each_default_in_the_options_table_is_the_commands_own(row):
    options = click_options()
    names, stated = options_of(row[0]), CODE.findall(row[1])
    if names == ["--wd"]:  # multiple=True; each optimiser's own default list
        said = {name: value for value, names in LR_BY_OPTIMIZER.findall(row[1])
                for name in names.split(", ")}  # "`1e-1 1 20` (adamw), `1e-3 ...` (sgd, adam)"
        assert said == {name: " ".join(wd_label(wd) for wd in spec.default_wds)
                        for name, spec in OPTIMIZERS.items()}, row
        assert said[DEFAULTS.optimizer] == " ".join(wd_label(wd) for wd in DEFAULTS.weight_decays)
        return
    if names == ["--lr"]:  # None on the command line: each optimiser's own default
        said = {name: float(value) for value, names in LR_BY_OPTIMIZER.findall(row[1])
                for name in names.split(", ")}  # "`0.05` (sgd), `1e-3` (adam, adamw)"
        assert said == {name: spec.default_lr for name, spec in OPTIMIZERS.items()}, row
        return
    valued = [options[name] for name in names
              if not options[name].is_flag and default_of(options[name]) not in (None, "")]
    if not valued:  # flags, and options whose default is described in words
        if all(options[name].is_flag for name in names):
            assert row[1] == "", row
        return
    assert len(stated) == len(valued), row
    for text, option in zip(stated, valued):
        assert same_value(text, default_of(option)), (row[0], text, default_of(option))


def test_the_set_up_table_of_sweep_defaults_md_states_the_commands_defaults():
    """The table under "The default now" (the current defaults, not the history further down)."""
    options = click_options()
    rows = table_rows((DOCS / "sweep-defaults.md").read_text("utf-8"),
                      "| | default | why (measured below) |")
    assert rows
    checked = set()
    for row in rows:
        names = options_of(row[0])
        values = row[1].split(" (")[0].split(", ")  # "0.05, 32, 50, 150" for a row of four options
        assert len(values) == len(names), row
        for name, stated in zip(names, values):
            checked.add(name)
            if name == "--wd":
                assert stated == " ".join(wd_label(wd) for wd in DEFAULTS.weight_decays), row
            elif name == "--lr":
                assert float(stated) == OPTIMIZERS[DEFAULTS.optimizer].default_lr, row
            else:
                assert same_value(stated, default_of(options[name])), (row, default_of(options[name]))
    assert {"--wd", "--seeds", "--epochs", "--train-size"} <= checked
