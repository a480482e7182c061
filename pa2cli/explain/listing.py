"""The `pa2 explain` topic list as a Rich renderable: one table per group (id, aliases, summary).

Kept apart from render.py so that listing the topics imports neither numpy nor the maths; it
never prints.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from pa2cli.content import Topic


def topic_list(groups: list[tuple[str, list[Topic]]], notation: tuple[str, ...] = ()) -> RenderableType:
    parts: list[RenderableType] = []
    for title, topics in groups:
        table = Table(title=title, title_justify="left", title_style="bold", box=None, padding=(0, 2, 0, 0))
        table.add_column("topic", style="bold cyan", no_wrap=True)
        table.add_column("aliases", style="dim", max_width=24)
        table.add_column("summary")
        for topic in topics:
            table.add_row(*map(Text, (topic.id, ", ".join(topic.aliases), topic.summary)))
        parts += [table, Text("")]
    parts.append(Text.from_markup("Run [cyan]pa2 explain TOPIC[/cyan] (an id or alias); "
                                  "[cyan]--all[/cyan] prints everything, [cyan]--format markdown|latex[/cyan] "
                                  "writes it for a report, [cyan]--plot[/cyan] draws f and f′."))
    if notation:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=3, justify="right", style="dim")
        grid.add_column(ratio=1)
        for line in notation:
            grid.add_row("•", Text(line))
        parts += [Text(""), Text("Notation (every topic and pa2 backprop)", style="bold"), grid]
    return Group(*parts)
