"""`pa2 explain TOPIC --quiz`: choose the seed, draw the questions, run the drill, record the
score. The glue between the Click command and drill.py / drill_quiz.py; no maths, no torch.
"""

from __future__ import annotations

import secrets
import sys

from rich.console import Console
from rich.text import Text

from pa2cli.content import Topic


def run_drill(topic: Topic, seed: int | None, count: int, rtol: float | None,
              atol: float | None, sigfig: int | None) -> int:
    """Ask `count` questions on `topic`; returns the exit status (0, 130 after Ctrl-C, 128 + N
    after signal N)."""
    from pa2cli import progress
    from pa2cli.backprop.grading import Tolerance
    from pa2cli.backprop.quiz import Reader
    from pa2cli.explain.drill import questions
    from pa2cli.explain.drill_quiz import Drill

    seed = secrets.randbelow(10_000) if seed is None else seed
    defaults = Tolerance()
    tolerance = Tolerance(defaults.rtol if rtol is None else rtol,
                          defaults.atol if atol is None else atol, sigfig)
    again = f"pa2 explain {topic.id} --quiz --seed {seed}"
    if count != 5:
        again += f" --questions {count}"
    again += "".join(f" --{name} {value}" for name, value in
                     (("rtol", rtol), ("atol", atol), ("sigfig", sigfig)) if value is not None)
    console = Console(highlight=False, markup=False)
    asked = questions(topic, seed, count)
    console.print(Text.assemble(("Drill: ", "bold"), f"{topic.title} · {len(asked)} questions · "
                                f"seed {seed}"))
    console.print(Text(f"Right within {tolerance.describe()}.", style="dim"))
    drill = Drill(asked, tolerance, console, Reader(console, sys.stdin.isatty()), again,
                  record=lambda right, count: progress.record_drill(topic.id, right, count))
    return drill.run()
