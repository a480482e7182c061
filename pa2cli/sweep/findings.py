"""What a sweep's numbers say, as data: summaries over seeds and paired comparisons with wd 0.

`analyse(results)` returns `Findings`: per weight decay the mean and sd over seeds of the final
and best test accuracy, test loss, train accuracy and train-test gap, with the test set's own
binomial standard error; per non-zero weight decay, for test accuracy and test loss, the
per-seed differences against wd 0 *from the same seed* (same initial weights and batch order)
with their mean, sd, 95 % t interval and signs, and a verdict:

    helps / hurts   the 95 % interval of the mean paired difference excludes 0
    noise           it includes 0: the difference is within seed noise
    unmeasured      one seed only: no interval can be computed
    no spread       every seed gave exactly the same difference (accuracies move in steps of
                    one test image): a zero-width interval is no evidence, so no effect claimed
    collapsed       some seeds of this weight decay collapsed to chance (final train accuracy
                    within CHANCE_MARGIN of 1/classes): the seeds are bimodal, so no mean over
                    them is the verdict; `rest` compares the other seeds alone
    same sign       the interval includes 0, but every seed (3 or more) moved the same way and
                    the mean difference is large (LARGE): a consistent direction whose size
                    varies from seed to seed, not called "noise"

The rule is written out in docs/sweep.md ("How the verdicts are decided").

plus the under- and over-fitting runs by the rules below. `Findings.to_dict` is what
`pa2 plot --json` prints; `sentences.py` words the same numbers and `table.py` lays them out.
Only runs that finished at least one epoch without diverging count; a pair compares two runs of
the same seed that reached the same epoch. This module must not train, read files or print.
"""

from __future__ import annotations

from dataclasses import dataclass

from pa2cli.sweep.stats import PairedInterval, binomial_se, mean, paired_interval, sample_sd
from pa2cli.sweep.store import Run, SweepResults

UNDERFIT_MARGIN = 0.02  # mean final train accuracy this far below the highest -> underfitting
OVERFIT_RISE = 0.10  # mean test loss at the end this much (relative) above its minimum ...
OVERFIT_EPOCHS = 3  # ... reached at least this many epochs before the end -> overfitting
JUDGED = ("test_loss", "test_acc")  # the metrics compared with wd 0
LOWER_IS_BETTER = {"test_loss": True, "test_acc": False, "gap": True}
CLASSES = 10  # every dataset pa2 sweep trains on (digits, MNIST, Fashion-MNIST, CIFAR-10)
CHANCE_MARGIN = 0.05  # a run's final train accuracy at most this above 1/classes: collapsed
# a mean paired difference this large is "large": test loss relative to wd 0's mean,
# accuracies and the gap in absolute points
LARGE = {"test_loss": 0.10, "test_acc": 0.01, "gap": 0.01}
CONVERGED_TRAIN_ACC = 0.95  # wd 0's mean final train accuracy below this: not converged
RULES = {
    "verdict": "helps or hurts only when the 95 % t interval of the mean paired difference "
               "(same seed, wd minus wd 0) excludes 0; otherwise within seed noise",
    "underfitting": f"mean final train accuracy more than {UNDERFIT_MARGIN * 100:g} points below "
                    "the highest mean final train accuracy",
    "overfitting": f"the mean test loss ends more than {OVERFIT_RISE:.0%} above its lowest "
                   f"value, reached at least {OVERFIT_EPOCHS} epochs before the end",
    "collapsed": f"a run whose final train accuracy is at most {CHANCE_MARGIN * 100:g} points "
                 f"above chance (1/{CLASSES}); its weight decay gets no mean verdict",
    "same_sign": "the interval includes 0 but every seed (3 or more) moved the same way by a "
                 "large mean amount (test loss 10 % of wd 0's, accuracy 1 point)",
    "converged": f"wd 0's mean final train accuracy at least {CONVERGED_TRAIN_ACC:.0%}; "
                 "below it, hurts and underfits verdicts are premature",
    "binomial_se": "sqrt(p(1-p)/n_test): the test set's own standard error of an accuracy p",
}


@dataclass(frozen=True)
class Spread:
    """One metric over seeds: the values (by seed), their mean and sample sd (None if 1)."""

    values: tuple[float, ...]
    mean: float
    sd: float | None

    @classmethod
    def of(cls, values) -> "Spread":
        values = tuple(values)
        return cls(values, mean(values), sample_sd(values))

    def to_dict(self) -> dict:
        return {"values": list(self.values), "mean": self.mean, "sd": self.sd}


@dataclass(frozen=True)
class WeightDecaySummary:
    """A weight decay's runs that count (finished >= 1 epoch, not diverged), over seeds."""

    weight_decay: float
    seeds: tuple[int, ...]
    epochs: tuple[int, ...]  # epochs each counted run finished
    left_out: int  # diverged runs and runs without a finished epoch
    final_test_acc: Spread
    best_test_acc: Spread
    final_test_loss: Spread
    final_train_acc: Spread
    final_train_loss: Spread
    gap: Spread  # final train accuracy minus final test accuracy
    final_val_acc: Spread | None
    final_val_loss: Spread | None
    test_se: float | None  # binomial SE at the mean final test accuracy (None: n_test unknown)
    mean_test_loss_curve: tuple[float, ...]  # over the seeds, up to the fewest epochs
    # test accuracy at each run's best validation epoch (first of equals); None without val
    test_acc_at_best_val: Spread | None = None
    collapsed: tuple[int, ...] = ()  # seeds whose run collapsed to chance
    final_weight_norm: Spread | None = None  # ‖w‖ of the decayed parameters (None: not saved)
    underfit_seeds: tuple[int, ...] = ()  # seeds fitting > UNDERFIT_MARGIN below their best

    @property
    def n(self) -> int:
        return len(self.seeds)

    def to_dict(self) -> dict:
        data = {"weight_decay": self.weight_decay, "seeds": list(self.seeds),
                "epochs": list(self.epochs), "left_out": self.left_out,
                "test_acc_binomial_se": self.test_se,
                "mean_test_loss_curve": list(self.mean_test_loss_curve),
                "collapsed_seeds": list(self.collapsed),
                "underfit_seeds": list(self.underfit_seeds),
                "final_weight_norm": None if self.final_weight_norm is None
                else self.final_weight_norm.to_dict()}
        for name in ("final_test_acc", "best_test_acc", "final_test_loss", "final_train_acc",
                     "final_train_loss", "gap", "final_val_acc", "final_val_loss",
                     "test_acc_at_best_val"):
            spread = getattr(self, name)
            data[name] = None if spread is None else spread.to_dict()
        return data


@dataclass(frozen=True)
class Comparison:
    """One weight decay against wd 0 on one metric, paired by seed."""

    weight_decay: float
    metric: str  # "test_loss" | "test_acc" | "gap"
    baseline: float  # mean over the paired seeds, wd 0
    treated: float  # mean over the paired seeds, this weight decay
    interval: PairedInterval
    verdict: str  # "helps" | "hurts" | "noise" | "unmeasured" | "no spread" | "collapsed"
    #               | "same sign"
    collapsed: tuple[int, ...] = ()  # the paired seeds whose run collapsed to chance
    rest: "Comparison | None" = None  # "collapsed": the other seeds compared alone

    def to_dict(self) -> dict:
        return {"weight_decay": self.weight_decay, "metric": self.metric,
                "baseline_mean": self.baseline, "mean": self.treated, "verdict": self.verdict,
                **self.interval.to_dict(), "collapsed_seeds": list(self.collapsed),
                "without_collapsed": None if self.rest is None else self.rest.to_dict()}


@dataclass(frozen=True)
class Findings:
    summaries: tuple[WeightDecaySummary, ...]
    comparisons: tuple[Comparison, ...]
    best: float | None  # weight decay with the highest mean final (validation) accuracy
    chosen_by: str  # "validation accuracy" | "test accuracy"
    underfitting: tuple[float, ...]  # the largest weight decays, each underfitting
    poor_fit: tuple[float, ...]  # underfitting not explained by the penalty
    overfitting: tuple[float, ...]
    top_train_acc: float | None
    n_test: int | None
    n_train: int | None
    diverged: tuple[tuple[float, int, int], ...]  # (wd, seed, finished epochs)
    baseline_train_acc: float | None = None  # wd 0's mean final train accuracy

    @property
    def converged(self) -> bool:
        """wd 0 fits the training set (CONVERGED_TRAIN_ACC): only then do "hurts" and
        "underfits" say something about the weight decay rather than about too few epochs."""
        return self.baseline_train_acc is None or self.baseline_train_acc >= CONVERGED_TRAIN_ACC

    @property
    def n_seeds(self) -> int:
        return max((s.n for s in self.summaries), default=0)

    def summary(self, weight_decay: float) -> WeightDecaySummary | None:
        return next((s for s in self.summaries if s.weight_decay == weight_decay), None)

    def comparison(self, weight_decay: float, metric: str) -> Comparison | None:
        return next((c for c in self.comparisons
                     if c.weight_decay == weight_decay and c.metric == metric), None)

    def to_dict(self) -> dict:
        return {"n_seeds": self.n_seeds, "n_test": self.n_test, "n_train": self.n_train,
                "confidence": 0.95, "rules": RULES,
                "best": {"weight_decay": self.best, "chosen_by": self.chosen_by},
                "weight_decays": [s.to_dict() for s in self.summaries],
                "comparisons": [c.to_dict() for c in self.comparisons],
                "underfitting": list(self.underfitting), "poor_fit": list(self.poor_fit),
                "overfitting": list(self.overfitting), "top_train_acc": self.top_train_acc,
                "diverged": [{"weight_decay": wd, "seed": seed, "finished_epochs": n}
                             for wd, seed, n in self.diverged],
                "converged": self.converged}


def _counts(run: Run) -> bool:
    return run.status != "diverged" and bool(run.epochs)


def collapsed(run: Run) -> bool:
    """The run ended at chance: its final train accuracy within CHANCE_MARGIN of 1/CLASSES."""
    return _counts(run) and run.last.train_acc <= 1 / CLASSES + CHANCE_MARGIN


def _summarise(weight_decay: float, runs: list[Run], n_test: int | None) -> WeightDecaySummary:
    counted = [r for r in runs if _counts(r)]
    lasts = [r.last for r in counted]
    fewest = min(len(r.epochs) for r in counted)
    has_val = all(row.val_acc is not None for row in lasts)
    final_test_acc = Spread.of(row.test_acc for row in lasts)
    return WeightDecaySummary(
        weight_decay=weight_decay, seeds=tuple(r.seed for r in counted),
        epochs=tuple(len(r.epochs) for r in counted), left_out=len(runs) - len(counted),
        final_test_acc=final_test_acc,
        best_test_acc=Spread.of(max(row.test_acc for row in r.epochs) for r in counted),
        final_test_loss=Spread.of(row.test_loss for row in lasts),
        final_train_acc=Spread.of(row.train_acc for row in lasts),
        final_train_loss=Spread.of(row.train_loss for row in lasts),
        gap=Spread.of(row.train_acc - row.test_acc for row in lasts),
        final_val_acc=Spread.of(row.val_acc for row in lasts) if has_val else None,
        final_val_loss=Spread.of(row.val_loss for row in lasts) if has_val else None,
        test_se=None if not n_test else binomial_se(final_test_acc.mean, n_test),
        mean_test_loss_curve=tuple(mean(r.epochs[e].test_loss for r in counted)
                                   for e in range(fewest)),
        test_acc_at_best_val=Spread.of(_at_best_val(r).test_acc for r in counted)
        if has_val and all(row.val_acc is not None for r in counted for row in r.epochs)
        else None,
        collapsed=tuple(r.seed for r in counted if collapsed(r)),
        final_weight_norm=(Spread.of(row.weight_norm for row in lasts)
                           if all(row.weight_norm is not None for row in lasts) else None))


def _at_best_val(run: Run):
    """The run's epoch with the highest validation accuracy (the earliest of equals), as
    Assignment 1A reported its best epoch: chosen on validation, so its test figure is fair."""
    return max(run.epochs, key=lambda row: (row.val_acc, -row.epoch))


def _metric(run: Run, metric: str) -> float:
    last = run.last
    return last.train_acc - last.test_acc if metric == "gap" else getattr(last, metric)


def compare(results: SweepResults, weight_decay: float, metric: str,
            leave_out: frozenset = frozenset()) -> Comparison | None:
    """`weight_decay` against wd 0 on `metric`, over the seeds where both runs count and
    finished the same number of epochs (but the seeds in `leave_out`); None when there is no
    such seed."""
    pairs, fallen = [], []
    for run in results.runs_of(weight_decay):
        if run.seed in leave_out:
            continue
        try:
            base = results.run(0.0, run.seed)
        except KeyError:
            continue
        if _counts(run) and _counts(base) and len(run.epochs) == len(base.epochs):
            pairs.append((run.seed, _metric(run, metric), _metric(base, metric)))
            if collapsed(run) and not collapsed(base):
                fallen.append(run.seed)
    if not pairs:
        return None
    interval = paired_interval([s for s, _, _ in pairs], [t - b for _, t, b in pairs])
    baseline = mean(b for _, _, b in pairs)
    rest = None
    if fallen:
        verdict = "collapsed"
        if len(fallen) < len(pairs):
            rest = compare(results, weight_decay, metric, leave_out | frozenset(fallen))
    else:
        verdict = verdict_of(interval, metric, baseline)
    return Comparison(weight_decay, metric, baseline, mean(t for _, t, _ in pairs), interval,
                      verdict, tuple(fallen), rest)


def is_large(metric: str, difference: float, baseline: float) -> bool:
    """A mean paired difference worth naming (LARGE): test loss relative to wd 0's mean."""
    size = abs(baseline) * LARGE[metric] if metric == "test_loss" else LARGE[metric]
    return abs(difference) >= size


def verdict_of(interval: PairedInterval, metric: str, baseline: float) -> str:
    """The rule of docs/sweep.md for seeds that did not collapse."""
    if interval.low is None:
        return "unmeasured"
    if interval.sd == 0:
        return "no spread"
    if interval.excludes_zero:
        better = interval.high < 0 if LOWER_IS_BETTER[metric] else interval.low > 0
        return "helps" if better else "hurts"
    one_way = interval.n >= 3 and max(interval.positive, interval.negative) == interval.n
    if one_way and is_large(metric, interval.mean, baseline):
        return "same sign"
    return "noise"


def _underfitting(summaries: list[WeightDecaySummary]) -> tuple[tuple, tuple, float | None]:
    """(penalty underfitting, other poor fits, top mean train accuracy)."""
    if not summaries:
        return (), (), None
    top = max(s.final_train_acc.mean for s in summaries)
    under = [s.weight_decay for s in summaries
             if s.final_train_acc.mean < top - UNDERFIT_MARGIN]
    tail: list[float] = []  # the largest weight decays, as long as every larger one underfits
    for s in reversed(summaries):
        if s.weight_decay not in under or s.weight_decay == 0:
            break
        tail.insert(0, s.weight_decay)
    return tuple(tail), tuple(wd for wd in under if wd not in tail), top


def _overfits(summary: WeightDecaySummary) -> bool:
    curve = summary.mean_test_loss_curve
    lowest = min(range(len(curve)), key=curve.__getitem__)
    return (curve[-1] > curve[lowest] * (1 + OVERFIT_RISE)
            and len(curve) - (lowest + 1) >= OVERFIT_EPOCHS)


def analyse(results: SweepResults) -> Findings:
    """Every number the table, the sentences and `--json` show."""
    sizes = results.data or {}
    n_test, n_train = sizes.get("test"), sizes.get("train")
    summaries = [_summarise(wd, results.runs_of(wd), n_test) for wd in results.weight_decays
                 if any(_counts(r) for r in results.runs_of(wd))]
    comparisons = []
    if any(s.weight_decay == 0 for s in summaries):
        for s in summaries:
            if s.weight_decay != 0:
                comparisons += [c for c in (compare(results, s.weight_decay, m)
                                            for m in (*JUDGED, "gap")) if c is not None]
    has_val = bool(summaries) and all(s.final_val_acc is not None for s in summaries)
    key = ((lambda s: (s.final_val_acc.mean, -s.final_val_loss.mean)) if has_val
           else (lambda s: (s.final_test_acc.mean, -s.final_test_loss.mean)))
    best = max(summaries, key=key).weight_decay if summaries else None
    summaries = _with_underfit_seeds(results, summaries)
    penalty, poor, top = _underfitting(summaries)
    diverged = tuple((r.weight_decay, r.seed, len(r.epochs))
                     for r in sorted(results.runs, key=lambda r: r.key)
                     if r.status == "diverged")
    return Findings(
        summaries=tuple(summaries), comparisons=tuple(comparisons), best=best,
        chosen_by="validation accuracy" if has_val else "test accuracy",
        underfitting=penalty, poor_fit=poor,
        overfitting=tuple(s.weight_decay for s in summaries if _overfits(s)),
        top_train_acc=top, n_test=n_test, n_train=n_train, diverged=diverged,
        baseline_train_acc=next((s.final_train_acc.mean for s in summaries
                                 if s.weight_decay == 0), None))


def _with_underfit_seeds(results: SweepResults, summaries: list) -> list:
    """Each summary with the seeds whose run ends more than UNDERFIT_MARGIN below that seed's
    best-fitting weight decay (the per-seed form of the underfitting rule)."""
    from dataclasses import replace

    best: dict[int, float] = {}
    for run in results.runs:
        if _counts(run):
            best[run.seed] = max(best.get(run.seed, 0.0), run.last.train_acc)
    out = []
    for s in summaries:
        under = tuple(r.seed for r in results.runs_of(s.weight_decay)
                      if _counts(r) and r.last.train_acc < best[r.seed] - UNDERFIT_MARGIN)
        out.append(replace(s, underfit_seeds=under))
    return out
