"""The built-in networks (`pa2 backprop --example NAME`), read from content/networks/index.toml.

`figure1` is the course's own Figure 1 (3-2-1) with sample values: the default network and the
`--template`. `mazur` is the classic published 2-2-2 worked example, kept as a check against an
outside source. Each entry names its JSON file, the label shown in titles and a note the worked
solution and the quiz print (the Mazur note appears only with that network). Nothing here
computes or prints.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from pa2cli.backprop.spec import Network, read_network
from pa2cli.errors import UserError
from pa2cli.paths import content_dir
from pa2cli.strict_toml import Table, read_toml

DEFAULT = "figure1"


@dataclass(frozen=True)
class Example:
    name: str
    file: Path
    label: str
    note: str


def examples() -> dict[str, Example]:
    """Every built-in network by name, in the order of index.toml."""
    folder = content_dir() / "networks"
    shown = "content/networks/index.toml"
    top = Table(read_toml(folder / "index.toml", shown), "", shown)
    if top.number("format_version") != 1:
        raise UserError("unknown format_version", where=top.at("format_version"), fix="Use 1.")
    found = {}
    for name in [k for k in top.data if k != "format_version"]:
        entry = top.table(name)
        found[name] = Example(name, folder / entry.string("file"), entry.string("label"),
                              entry.string("note"))
        entry.done()
    top.done()
    return found


def names() -> tuple[str, ...]:
    return tuple(examples())


def template_text() -> str:
    """The starter file of `--template`: Figure 1 as stored, with its `about` line saying which
    values to replace."""
    return examples()[DEFAULT].file.read_text(encoding="utf-8").rstrip("\n")


def builtin_network(name: str = DEFAULT) -> Network:
    """A built-in network, labelled and carrying its note."""
    found = examples()
    if name not in found:
        raise UserError(f"unknown example {name!r}", where="--example",
                        fix=f"Use one of: {', '.join(found)}.")
    entry = found[name]
    return dataclasses.replace(read_network(entry.file), label=entry.label, note=entry.note)
