"""The findings in words: every sentence quotes the numbers of `findings.Findings` it rests on.

An effect is claimed ("helps", "hurts", "lowers", "raises") only where the paired 95 % interval
excludes 0; otherwise the sentence says the difference is within seed noise and by how much.
With one seed the noise is unmeasured, and the sentences say so and give the test set's
binomial error instead. This module must not compute statistics (findings.py and stats.py do),
read files or print.
"""

from __future__ import annotations

from pa2cli.sweep.config import wd_label
from pa2cli.sweep.findings import (CLASSES, CONVERGED_TRAIN_ACC, OVERFIT_EPOCHS,
                                   OVERFIT_RISE, UNDERFIT_MARGIN, Comparison, Findings)

METRIC_NAMES = {"test_loss": "test loss", "test_acc": "test accuracy",
                "gap": "train-test accuracy gap"}


def _points(fraction: float, signed: bool = False) -> str:
    """A fraction as percentage points with one decimal, never "-0.0"."""
    value = fraction * 100
    value = 0.0 if abs(value) < 0.05 else value
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def _value(metric: str, value: float, signed: bool = False) -> str:
    if metric == "test_loss":
        return f"{value:+.4f}" if signed else f"{value:.4f}"
    if signed:
        return f"{_points(value, signed=True)} points"
    return f"{value:.2%}" if metric == "test_acc" else f"{_points(value)} points"


def _interval(c: Comparison) -> str:
    i = c.interval
    if c.metric == "test_loss":
        return f"95 % interval {i.low:+.4f} to {i.high:+.4f}"
    return f"95 % interval {_points(i.low, True)} to {_points(i.high, True)} points"


def _direction(c: Comparison) -> str:
    lower = c.metric in ("test_loss", "gap")
    if c.verdict == "helps":
        return "lower" if lower else "higher"
    return "higher" if lower else "lower"


def _signs(c: Comparison) -> str:
    i = c.interval
    if c.metric == "test_acc":
        return f"higher in {i.positive} of {i.n} seeds"
    return f"lower in {i.negative} of {i.n} seeds"


def _metric_clause(c: Comparison) -> str:
    i = c.interval
    name = METRIC_NAMES[c.metric]
    numbers = (f"{name} {_value(c.metric, c.treated)} against {_value(c.metric, c.baseline)}, "
               f"{_value(c.metric, i.mean, signed=True)}")
    if c.verdict == "unmeasured":
        return numbers
    if c.verdict == "no spread":
        return (f"{numbers}, the same in all {i.n} seeds (no spread to build an interval on, "
                "so not called an effect)")
    if c.verdict == "same sign":
        way = "higher" if i.mean > 0 else "lower"
        count = i.positive if i.mean > 0 else i.negative
        return (f"{way} in {count} of {i.n} seeds: {numbers} ({_interval(c)}): every seed moves the same way, "
                "but by amounts so uneven that the interval includes 0; a consistent "
                "direction, not yet beyond seed noise (more --seeds would settle it)")
    if c.verdict == "collapsed":
        return _metric_clause(c.rest) if c.rest is not None else numbers
    detail = f"({_interval(c)}; {_signs(c)})"
    if c.verdict == "noise":
        return f"{numbers} {detail}: within seed noise"
    word = "helps" if c.verdict == "helps" else "hurts"
    return f"{numbers} {detail}: {_direction(c)} beyond seed noise, so it {word}"


def method_sentence(f: Findings) -> str:
    if f.n_seeds >= 2:
        return (f"Each weight decay is compared with wd 0 seed by seed (the same seed gives both "
                f"the same initial weights and batch order), over up to {f.n_seeds} seeds: the "
                "mean paired difference, its 95 % t interval and how many seeds went each way. "
                "An effect is claimed only when the interval excludes 0.")
    return ("One seed per weight decay: the seed-to-seed noise is unmeasured, so no difference "
            "below can be called an effect" + _binomial_clause(f) +
            ". Run with --seeds 3 or more to judge differences.")


def _binomial_clause(f: Findings) -> str:
    ses = [s.test_se for s in f.summaries if s.test_se is not None]
    if not ses or not f.n_test:
        return ""
    return (f"; the test set alone gives each accuracy a standard error of up to ±"
            f"{_points(max(ses))} points (binomial, sqrt(p(1-p)/n) with n = {f.n_test} test "
            "images)")


def comparison_sentences(f: Findings) -> list[str]:
    lines = []
    for s in f.summaries:
        if s.weight_decay == 0:
            continue
        parts = [c for m in ("test_loss", "test_acc")
                 if (c := f.comparison(s.weight_decay, m)) is not None]
        if not parts:
            continue
        fallen = parts[0].collapsed
        if fallen:
            lines.append(_collapse_sentence(f, s.weight_decay, fallen, parts[0].interval.n))
            parts = [c.rest for c in parts if c.rest is not None]
            if not parts:
                continue
        n = parts[0].interval.n
        seeds = "one seed" if n == 1 else f"{n} paired seeds"
        other = "the other " if fallen else ""
        text = f"wd {wd_label(s.weight_decay)} against wd 0 ({other}{seeds}): " + "; ".join(
            _metric_clause(c) for c in parts)
        if n == 1:
            text += " (seed noise unmeasured)"
        lines.append(text + ".")
    return lines


def _collapse_sentence(f: Findings, weight_decay: float, fallen, n: int) -> str:
    """Bimodal seeds named as such, never hidden in a mean."""
    summary = f.summary(weight_decay)
    by_seed = dict(zip(summary.seeds, summary.final_train_acc.values))
    losses = dict(zip(summary.seeds, summary.final_train_loss.values))
    which = "; ".join(f"seed {seed} ends at train accuracy {by_seed[seed]:.1%}, train loss "
                      f"{losses[seed]:.4f}" for seed in fallen)
    return (f"{len(fallen)} of {n} seeds collapsed to chance at wd {wd_label(weight_decay)} "
            f"({which}; chance is {1 / CLASSES:.0%}): too strong for this learning rate, so "
            "no mean over its seeds is a verdict" +
            (" (the other seeds are compared alone below)." if len(fallen) < n else "."))


def verdict_sentence(f: Findings) -> str | None:
    judged = [c for c in f.comparisons if c.metric in ("test_loss", "test_acc")]
    if not judged or all(c.verdict == "unmeasured" for c in judged):
        return None
    judged = [c.rest if c.verdict == "collapsed" and c.rest is not None else c
              for c in judged]
    helps = [c for c in judged if c.verdict == "helps"]
    hurts = [c for c in judged if c.verdict == "hurts"]
    one_way = [c for c in judged if c.verdict == "same sign"]
    if not helps and not hurts:
        if one_way:
            return ("No weight decay differs from wd 0 beyond seed noise by the t interval, "
                    "but every seed moves the same way at " +
                    ", ".join(f"wd {wd_label(c.weight_decay)} ({METRIC_NAMES[c.metric]})"
                              for c in one_way) + "; more --seeds would settle it.")
        return ("No weight decay differs from wd 0 beyond seed noise in test loss or test "
                "accuracy (every 95 % interval includes 0); more seeds or a smaller "
                "--train-size may show an effect.")
    out = []
    for label, group in (("helps", helps), ("hurts", hurts)):
        if group:
            by_wd: dict[float, list[str]] = {}
            for c in group:
                by_wd.setdefault(c.weight_decay, []).append(METRIC_NAMES[c.metric])
            out.append(f"{label}: " + ", ".join(f"wd {wd_label(wd)} ({' and '.join(names)})"
                                                for wd, names in by_wd.items()))
    return "Beyond seed noise, weight decay " + "; ".join(out) + "."


def best_sentence(f: Findings) -> str:
    best = f.summary(f.best)
    spread = best.final_val_acc if f.chosen_by.startswith("validation") else best.final_test_acc
    text = (f"Highest mean final {f.chosen_by}: wd {wd_label(best.weight_decay)} "
            f"({_mean_sd(spread)}).")
    if f.chosen_by.startswith("validation"):
        text += (f" Its test accuracy, which played no part in the choice: "
                 f"{_mean_sd(best.final_test_acc)} at the final epoch")
        if best.test_acc_at_best_val is not None:
            text += f", {_mean_sd(best.test_acc_at_best_val)} at each run's best validation epoch"
        text += "."
    if f.summary(0.0) is None:
        return text + " The sweep has no wd 0 run, so there is no baseline to compare against."
    if best.weight_decay == 0:
        return text + " No weight decay beat none on it."
    c = f.comparison(best.weight_decay, "test_acc")
    if c is not None and c.verdict == "noise":
        text += " Its lead over wd 0 in test accuracy is within seed noise."
    return text


def _mean_sd(spread) -> str:
    if spread.sd is None:
        return f"{spread.mean:.2%}"
    return f"{spread.mean:.2%} ± {_points(spread.sd)} points sd over {len(spread.values)} seeds"


def fit_sentences(f: Findings) -> list[str]:
    lines = []
    rule = (f"mean final train accuracy more than {_points(UNDERFIT_MARGIN)} points below the "
            f"highest ({f.top_train_acc:.2%})")
    if not f.underfitting and not f.poor_fit:
        lines.append(f"No value underfits: no {rule}.")
    if not f.converged:
        lines.append(f"Not converged: wd 0 ends at a mean train accuracy of "
                     f"{f.baseline_train_acc:.1%} (below {CONVERGED_TRAIN_ACC:.0%}), so "
                     "\"hurts\" and \"underfits\" verdicts are premature: the runs may "
                     "still be fitting; run more --epochs.")
    if f.underfitting:
        lines.append(f"Underfitting ({rule}): " + _train_accs(f, f.underfitting, seeds=True) +
                     "; the penalty is too strong there.")
    if f.poor_fit:
        lines.append(f"Poor fit not explained by the penalty ({rule}, though a larger weight "
                     f"decay fits better): {_train_accs(f, f.poor_fit)}; that points at "
                     "unsteady training (a smaller --lr or more --epochs), not at the decay.")
    lines += _gap_sentences(f)
    lines += _norm_sentences(f)
    for wd in f.overfitting:
        curve = f.summary(wd).mean_test_loss_curve
        lowest = min(range(len(curve)), key=curve.__getitem__)
        lines.append(f"Overfitting at wd {wd_label(wd)} (the mean test loss ends more than "
                     f"{OVERFIT_RISE:.0%} above its lowest, reached {OVERFIT_EPOCHS}+ epochs "
                     f"before the end): lowest {curve[lowest]:.4f} at epoch {lowest + 1}, "
                     f"{curve[-1]:.4f} at epoch {len(curve)}.")
    return lines


def _train_accs(f: Findings, decays, seeds: bool = False) -> str:
    def one(wd) -> str:
        s = f.summary(wd)
        text = f"wd {wd_label(wd)} (train {s.final_train_acc.mean:.2%}"
        if seeds and s.n > 1:  # per seed: below that seed's own best-fitting weight decay
            text += f"; underfits in {len(s.underfit_seeds)} of {s.n} seeds"
        return text + ")"

    return ", ".join(one(wd) for wd in decays)


def _gap_sentences(f: Findings) -> list[str]:
    base = f.summary(0.0)
    candidates = [s for s in f.summaries if s.weight_decay != 0
                  and s.weight_decay not in f.underfitting + f.poor_fit]
    if base is None or not candidates:
        return []
    narrowest = min(candidates, key=lambda s: s.gap.mean)
    c = f.comparison(narrowest.weight_decay, "gap")
    text = (f"Train-test accuracy gap: {_points(base.gap.mean)} points at wd 0; narrowest "
            f"without underfitting at wd {wd_label(narrowest.weight_decay)} "
            f"({_points(narrowest.gap.mean)} points)")
    if c is None or c.verdict == "unmeasured":
        return [text + "."]
    if c.verdict == "noise":
        return [text + f", a paired change of {_points(c.interval.mean, True)} points "
                       f"({_interval(c)}): within seed noise."]
    word = "narrower" if c.interval.mean < 0 else "wider"
    return [text + f", {word} by {_points(abs(c.interval.mean))} points beyond seed noise "
                   f"({_interval(c)})."]


def _norm_sentences(f: Findings) -> list[str]:
    """Why weight decay works: the largest value that still fits ends with smaller weights
    and, paired by seed, with this change in the train-test gap."""
    base = f.summary(0.0)
    fitting = [s for s in f.summaries if s.weight_decay != 0 and not s.collapsed
               and s.weight_decay not in f.underfitting + f.poor_fit]
    if base is None or base.final_weight_norm is None or not fitting or \
            fitting[-1].final_weight_norm is None or base.final_weight_norm.mean <= 0:
        return []
    s = fitting[-1]
    share = s.final_weight_norm.mean / base.final_weight_norm.mean
    text = (f"wd {wd_label(s.weight_decay)} ends with weights at {share:.0%} of wd 0's norm "
            f"(‖w‖ {s.final_weight_norm.mean:.1f} against {base.final_weight_norm.mean:.1f})")
    c = f.comparison(s.weight_decay, "gap")
    if c is not None and c.verdict != "collapsed":
        size = _points(abs(c.interval.mean))
        way = "smaller" if c.interval.mean < 0 else "larger"
        text += f", and a {size}-point {way} train-test gap"
        if c.verdict == "noise":
            text += " (within seed noise)"
    return [text + ": the penalty keeps the weights small, and small weights fit the "
            "training images less exactly."]


def diverged_sentences(f: Findings) -> list[str]:
    return [f"wd {wd_label(wd)} seed {seed} diverged after {n} finished "
            f"epoch{'' if n == 1 else 's'}; it is left "
            "out of the comparison." for wd, seed, n in f.diverged]


def sentences(f: Findings) -> list[str]:
    """Every finding, in reading order."""
    lines = diverged_sentences(f)
    if not f.summaries:
        return lines + ["No run finished an epoch without diverging, so there is nothing to "
                        "compare."]
    if f.summary(0.0) is not None and len(f.summaries) > 1:
        lines.append(method_sentence(f))
        lines += comparison_sentences(f)
        verdict = verdict_sentence(f)
        if verdict:
            lines.append(verdict)
    lines.append(best_sentence(f))
    return lines + fit_sentences(f)
