"""The interactive quiz: ask every quantity in teaching order and check each typed number.

Each prompt shows the symbolic formula. Answers are read with pa2cli.expr (never eval) and
graded by grading.Tolerance against the engine's exact values. `?` shows the hint (the formula
with the numbers substituted), `s` reveals and moves on, `q` quits. An unparsable answer is
asked again with the reason. After every answer the place is saved (one JSON file per network
file under pa2cli.paths.data_home()/backprop), so q, end of input or Ctrl-C lose nothing and
`--resume` continues there; started without --resume on a terminal, it offers to continue a
saved quiz rather than silently replacing it. When stdin is not a terminal it reads one answer
per line, bounded in characters, lines and tries per question. This module does no maths of
its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.prompt import Confirm
from rich.rule import Rule
from rich.text import Text

from pa2cli.backprop.diagram import draw
from pa2cli.backprop.engine import Solution, Step, format_number
from pa2cli.backprop.answers import AnswerNames, example_answer, names_line, read
from pa2cli.backprop.grading import Tolerance, how_far_retry
from pa2cli.backprop.jsonfile import read_bytes
from pa2cli.backprop.registry import L2_READING
from pa2cli.backprop.report import FIRST_TRY, LATER, OUTCOMES, REVEALED, score_table
from pa2cli.backprop.solution import pretty, worked_lines
from pa2cli.errors import EXCERPT_LENGTH, UserError, excerpt, printable
from pa2cli.expr import MAX_LENGTH, ExprError
from pa2cli.files import LockBusy, locked, write_atomically
from pa2cli.paths import data_home
from pa2cli.stops import exit_status, signals_stop

STATE_VERSION = 1


def header(network) -> list[Text]:
    """What the quiz says before question 1: the network's note (Figure 1's values are samples;
    the published example's fixed biases) and how the course's "L2 loss" is read."""
    lines = [Text(f"Note: {network.note}")] if network.note else []
    return lines + [Text(L2_READING)]


KEYS = "Answer with a number or an expression such as {example}; names stand for their " \
       "values: {names} and your earlier answers.\n" \
       "? hint · s reveal and move on · q quit (your place is saved)"


class QuitQuiz(Exception):
    """The user typed q."""


@dataclass
class QuizState:
    """Where a quiz stands: saved after every answer."""

    fingerprint: str
    position: int = 0
    outcomes: dict[str, str] = field(default_factory=dict)
    wrong_tries: int = 0  # on the current question
    hinted: bool = False  # on the current question
    version: int = STATE_VERSION


def fingerprint(solution: Solution) -> str:
    text = json.dumps(solution.network.to_json_dict(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def state_path(source: Path | None, practice: str | None = None,
               example: str | None = None) -> Path:
    """The state file of one network file, of a practice network (`practice`: its options,
    such as `--random --seed 42`), or of a built-in example (`example`, default Figure 1)."""
    if practice is not None:
        key = "practice-" + "-".join(practice.replace("--", "").split()[1:])
    elif source is None:
        key = "builtin-example" if example in (None, "figure1") else f"builtin-{example}"
    else:
        # os.fsencode: a file name that is not UTF-8 (surrogate escapes) hashes as its bytes;
        # in the key its unprintable characters become "_" (the hash keeps it unique).
        digest = hashlib.sha1(os.fsencode(Path(source).resolve())).hexdigest()[:10]
        stem = "".join(c if c.isprintable() and c not in "/\\" else "_" for c in Path(source).stem)
        key = f"{stem}-{digest}"
    return data_home() / "backprop" / f"{key}.json"


MAX_STATE_BYTES = 1_000_000  # a saved quiz is a few kB; anything larger is not one of ours


def load_state(path: Path, questions: list[str]) -> QuizState | None:
    """The saved quiz at `path` (None if there is none), checked field by field against the
    quiz's `questions` (names in order); anything else is one UserError offering to start over."""
    if not path.exists():
        return None
    try:
        raw = read_bytes(path, MAX_STATE_BYTES)  # a regular file only, never a FIFO or device
        state = _state_from(json.loads(raw.decode("utf-8")), questions)
    except (UserError, ValueError, TypeError, OSError, RecursionError):
        raise UserError("the saved quiz is damaged and cannot be continued", where=str(path),
                        fix="Run without --resume to start over (it replaces the saved quiz).") \
            from None
    return state


def _state_from(data, questions: list[str]) -> QuizState:
    """A QuizState from decoded JSON, or ValueError: every field has its type and its range."""
    fields = {"fingerprint": str, "position": int, "outcomes": dict, "wrong_tries": int,
              "hinted": bool, "version": int}
    if not isinstance(data, dict) or set(data) - set(fields) or "fingerprint" not in data:
        raise ValueError("not a saved quiz")
    for key, kind in fields.items():
        value = data.get(key)
        if key in data and (not isinstance(value, kind) or (kind is int and isinstance(value, bool))):
            raise ValueError(f"{key} has the wrong type")
    state = QuizState(**data)
    if state.version != STATE_VERSION:
        raise ValueError("unknown version")
    if not 0 <= state.position <= len(questions) or not 0 <= state.wrong_tries <= 10**6:
        raise ValueError("out of range")
    # Exactly the questions before the position have an outcome, each a known one.
    if set(state.outcomes) != set(questions[:state.position]) or not all(
            v in OUTCOMES for v in state.outcomes.values()):
        raise ValueError("outcomes do not fit the position")
    return state


LOCK_WAIT_S = 5.0  # a save holds the lock for about a millisecond


def state_lock(path: Path):
    """The flock (`NAME.json.lock` beside the state file) held for every read-modify-write of
    one network's saved quiz, so quizzes on the same network in two terminals never interleave
    (pa2cli.files.locked; raises LockBusy after LOCK_WAIT_S)."""
    return locked(path.with_name(path.name + ".lock"), LOCK_WAIT_S)


def _busy(path: Path) -> UserError:
    return UserError("the saved quiz is being written by another pa2 that does not let go",
                     where=str(path), fix="Let the other quiz on this network end, then run "
                                          "this one again.")


def save_state(path: Path, state: QuizState) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with state_lock(path):
            write_atomically(path, json.dumps(asdict(state), indent=1))
    except LockBusy:
        raise _busy(path) from None
    except OSError as exc:
        raise UserError(f"cannot save the quiz's place here ({exc.strerror or exc})",
                        where=str(path.parent),
                        fix="Set PA2_HOME to a folder you can write to.") from None


def forget_state(path: Path) -> None:
    """Remove the saved quiz (a finished one, or a damaged one being replaced)."""
    try:
        with state_lock(path):
            path.unlink(missing_ok=True)
    except LockBusy:
        raise _busy(path) from None
    except OSError:
        pass  # a folder that cannot be written: the next quiz offers to replace it


# All the input a quiz reads from a pipe or a file: far more than any answer sheet (a 20,000-
# edge network has about 60,000 quantities), far less than an endless /dev/zero.
MAX_INPUT = 20_000_000
# Lines too: `yes` feeds "y" forever, far inside MAX_INPUT. From a pipe or file one question is
# asked at most MAX_TRIES times (hints and unreadable answers count) and a session reads at
# most MAX_LINES lines (a 20,000-edge network's 60,000 quantities with a few tries each).
MAX_TRIES = 100
MAX_LINES = 1_000_000


class Reader:
    """One answer per call: Rich's prompt on a terminal, one line of stdin otherwise (at most
    MAX_INPUT characters, MAX_LINES lines, MAX_TRIES per question: then EOFError, as at the end
    of the input). Call `new_question()` before the first answer to each question."""

    def __init__(self, console: Console, interactive: bool | None = None):
        self.console = console
        self.interactive = sys.stdin.isatty() if interactive is None else interactive
        self.consumed = 0  # characters read from a pipe or file so far
        self.lines = 0  # lines read from a pipe or file so far
        self.tries = 0  # lines read for the current question

    def new_question(self) -> None:
        self.tries = 0

    def _stop_if_endless(self) -> None:
        """EOFError (after one line saying why) when piped input has gone on too long."""
        if self.consumed > MAX_INPUT:  # /dev/zero, /dev/urandom: input that never ends
            why = f"more than {MAX_INPUT:,} characters of input"
        elif self.lines >= MAX_LINES:
            why = f"more than {MAX_LINES:,} lines of input"
        elif self.tries >= MAX_TRIES:  # `yes`: the same unreadable answer forever
            why = f"{MAX_TRIES} answers to one question without a right one"
        else:
            return
        self.console.print(f"(stopped reading: {why})")
        raise EOFError

    def _read(self, limit: int) -> str:
        line = sys.stdin.readline(limit)
        self.consumed += len(line)
        return line

    def ask(self, prompt: str) -> str:
        if self.interactive:
            return self.console.input(Text(prompt, style="bold"))
        self._stop_if_endless()
        self.console.print(prompt, end="", style="bold")
        line = self._read(MAX_LENGTH + 1)  # never more than an answer can be
        if not line:
            raise EOFError
        self.lines += 1
        self.tries += 1
        if len(line) > MAX_LENGTH and not line.endswith("\n"):
            total = len(line)
            rest = ""
            while self.consumed <= MAX_INPUT and (rest := self._read(1 << 16)) \
                    and not rest.endswith("\n"):
                total += len(rest)  # the rest of an over-long line, read in bounded chunks
            total += len(rest.rstrip("\n"))
            self.console.print(f"{line[:EXCERPT_LENGTH]!r}… ({total} characters)",
                               highlight=False, markup=False)
            return line  # longer than any answer: the evaluator refuses it without reading it
        # the transcript; printable(): control codes in a piped answer never reach the terminal
        self.console.print(printable(line.rstrip("\n")), highlight=False, markup=False)
        return line

    def confirm(self, question: str) -> bool:
        """Yes or no on a terminal (default yes); through a pipe, no, and no line is consumed."""
        if not self.interactive:
            return False
        return Confirm.ask(Text(question), console=self.console, default=True)


class Quiz:
    def __init__(self, solution: Solution, tolerance: Tolerance, console: Console,
                 reader: Reader, path: Path, resume_command: str):
        self.solution, self.tolerance, self.console = solution, tolerance, console
        self.reader, self.path, self.resume_command = reader, path, resume_command
        self.steps = list(solution.steps.values())
        self.names = [step.name for step in self.steps]
        self.answer_names = AnswerNames(solution)  # what answers may name (answers.py)

    def run(self, resume: bool) -> int:
        """Ask until done or stopped; return the exit status (0, 130 after Ctrl-C, 128 + N
        after signal N: SIGTERM, SIGHUP)."""
        with signals_stop():  # SIGTERM and SIGHUP stop it as Ctrl-C does (pa2cli.stops)
            return self._run(resume)

    def _run(self, resume: bool) -> int:
        try:
            state = self._start(resume)
        except (EOFError, KeyboardInterrupt) as stop:  # at the resume question: nothing changed
            self.console.print()
            return exit_status(stop) if isinstance(stop, KeyboardInterrupt) else 0
        save_state(self.path, state)  # an unwritable data folder is reported before question 1
        self.console.print(draw(self.solution.network))
        for line in header(self.solution.network):
            self.console.print(line)
        keys = KEYS.format(example=example_answer(self.solution, self.tolerance),
                           names=names_line(self.solution))
        self.console.print(Text(keys, style="dim"))
        try:
            section = None
            while state.position < len(self.steps):
                step = self.steps[state.position]
                if step.section != section:
                    section = step.section
                    self.console.print(Rule(section, align="left"))
                self._ask(step, state)
                state.position += 1
                state.wrong_tries, state.hinted = 0, False
                save_state(self.path, state)
        except (EOFError, QuitQuiz, KeyboardInterrupt) as stop:
            save_state(self.path, state)
            self._record(state, finished=False)  # before printing: after SIGHUP it may fail
            self.console.print()
            self.console.print(f"Saved at question {state.position + 1} of {len(self.steps)}. "
                               f"Continue with: {self.resume_command}",
                               soft_wrap=True)  # one line, so the command copies whole
            return exit_status(stop) if isinstance(stop, KeyboardInterrupt) else 0
        self.console.print(score_table(self.solution, state.outcomes))
        forget_state(self.path)
        self._record(state, finished=True)
        return 0

    def _record(self, state: QuizState, finished: bool) -> None:
        """Note where this quiz stands for the home screen (never fails the quiz)."""
        from pa2cli import progress

        if not finished and state.position == 0 and not state.outcomes:
            return  # opened and left at once: nothing to come back to
        command = self.resume_command if not finished else \
            self.resume_command.replace(" --resume", "", 1)
        progress.record_backprop(
            self.path.stem, label=self.solution.network.label, command=command,
            answered=sum(o != REVEALED for o in state.outcomes.values()),
            revealed=sum(o == REVEALED for o in state.outcomes.values()),
            total=len(self.steps), position=state.position,
            first_try=sum(o == FIRST_TRY for o in state.outcomes.values()), finished=finished)

    def _start(self, resume: bool) -> QuizState:
        mark = fingerprint(self.solution)
        saved = load_state(self.path, self.names) if resume else self._unfinished(mark)
        if resume and saved is None:
            self.console.print("No saved quiz for this network: starting from the beginning.")
        if saved is not None and saved.fingerprint != mark:
            raise UserError("the network file changed since this quiz was saved",
                            where="--resume", fix="Run without --resume to start over.")
        if saved is not None and not resume and not self.reader.confirm(
                f"A saved quiz for this network stopped at question {saved.position + 1} of "
                f"{len(self.steps)}. Continue it?"):
            saved = None
        if saved is not None:
            self.console.print(f"Resuming at question {saved.position + 1} of {len(self.steps)}.")
            return saved
        if not resume and self.path.exists():
            self.console.print("(A saved quiz for this network is replaced by this new one; "
                               "use --resume to continue a saved quiz.)", style="dim")
        return QuizState(fingerprint=mark)

    def _unfinished(self, mark: str) -> QuizState | None:
        """Without --resume: a saved quiz of this very network with progress in it, if any."""
        try:
            saved = load_state(self.path, self.names)
        except UserError:
            self.console.print("(The saved quiz for this network is damaged; starting over.)",
                               style="dim")
            return None  # unreadable: the new quiz's first save replaces it
        return saved if saved and saved.fingerprint == mark and saved.position > 0 else None

    def _ask(self, step: Step, state: QuizState) -> None:
        number = f"[{state.position + 1}/{len(self.steps)}]"
        self.console.print(Text.assemble((number, "dim"), " ", (step.name, "bold cyan"),
                                         f" — {step.description}"))
        self.console.print(f"  {step.name} = {pretty(step.formula)}", highlight=False)
        self.reader.new_question()
        while True:
            answer = self.reader.ask(f"{step.name} = ").strip()
            command = answer.lower()
            if command in ("?", "hint"):
                state.hinted = True
                save_state(self.path, state)
                self.console.print(f"  hint: {step.name} = {pretty(step.substituted)}",
                                   style="yellow", highlight=False)
                continue
            if command == "s":
                state.outcomes[step.name] = REVEALED
                self.console.print("  revealed:", style="yellow")
                self.console.print(worked_lines(step, indent=4))
                return
            if command == "q":
                raise QuitQuiz
            if not answer:
                self.console.print("  Type a number or an expression (? hint, s reveal, q quit).")
                continue
            if len(answer) > MAX_LENGTH:
                self.console.print(f"  That line is longer than {MAX_LENGTH} characters, more "
                                   "than any answer needs. Try again.", style="red")
                continue
            try:
                self.answer_names.position = state.position
                value = read(answer, self.answer_names)
            except ExprError as exc:
                self.console.print(f"  Could not read {excerpt(answer)}: {exc}. Try again.",
                                   style="red", highlight=False, markup=False)
                continue
            if self.tolerance.accepts(value, step.value):
                first = state.wrong_tries == 0 and not state.hinted
                state.outcomes[step.name] = FIRST_TRY if first else LATER
                self.console.print(Text("  ✓ correct. ", style="green")
                                   + Text(f"Exact value {step.name} = {format_number(step.value)}"
                                          " (used from here on)"))
                return
            state.wrong_tries += 1
            save_state(self.path, state)
            self.console.print(f"  ✗ not quite: {how_far_retry(value, step.value)}.", style="red")
            if state.hinted:
                self.console.print("  Check the hint above, type s to reveal, or try again.")
            else:
                self.console.print("  Type ? for a hint (the formula with the numbers), s to reveal, "
                                   "or try again.")
