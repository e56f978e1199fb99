#!/usr/bin/env python3
"""Decision offsets chosen on DS1 alone, tried on DS2: an ablation of issue 11's "decision
thresholds or class priors chosen on the validation records, never on DS2".

The probabilities come from benches/ablation.rs runs with --probs:

    cargo bench --bench ablation -- --mode cv --seeds 1,2 --probs target/p_cv      # DS1, out of fold
    cargo bench --bench ablation -- --mode ds2 --seeds 42,1,2,3,4 --probs target/p_ds2

    python3 benches/decision_rule.py target/p_cv 1,2 target/p_ds2 42,1,2,3,4

Log-offsets for S and V (F is left at 0: DS1's F beats are nearly all in record 208, so its
out-of-fold F figures cannot place an F offset) are fitted by coordinate ascent on a grid from
-3 to 1 in steps of 0.25, maximising the mean macro-F1 (N, S, V, F) of the pooled DS1
out-of-fold predictions; optionally with an "irregular background" gate that lowers S by delta
where the beat's background irregularity (RR feature 13) exceeds tau. DS2 only reports.
"""
import sys
import numpy as np

N_RR = 16
IRREGULARITY = 13
DT = np.dtype([('idx', '<u4'), ('rec', '<u4'), ('y', 'u1'), ('d', 'u1'),
               ('p', '<f4', (5,)), ('rr', '<f4', (N_RR,))])


def load(prefix, seeds):
    return {s: np.fromfile(f'{prefix}.{s}.bin', dtype=DT) for s in seeds}


def confusion(y, d):
    m = np.zeros((5, 5), int)
    np.add.at(m, (y, d), 1)
    return m


def per_class(m):
    out = {}
    for c, n in enumerate('NSVFQ'):
        tp = m[c, c]
        se = tp / max(m[c].sum(), 1)
        pp = tp / max(m[:, c].sum(), 1)
        out[n] = (se, pp, 0.0 if se + pp == 0 else 2 * se * pp / (se + pp))
    out['mF1'] = float(np.mean([out[n][2] for n in 'NSVF']))
    return out


def decide(a, off, tau, delta):
    lp = np.log(np.maximum(a['p'], 1e-12)) + off
    lp[a['rr'][:, IRREGULARITY] > tau, 1] -= delta
    return lp.argmax(1)


def score(runs, off, tau, delta):
    return float(np.mean([per_class(confusion(a['y'], decide(a, off, tau, delta)))['mF1'] for a in runs]))


def fit(runs, gate):
    best = (score(runs, np.zeros(5), np.inf, 0.0), np.zeros(5), np.inf, 0.0)
    grid = np.arange(-3, 1.01, 0.25)
    for tau in ([0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3] if gate else [np.inf]):
        for delta in ([0, 0.5, 1, 1.5, 2, 3, 4] if gate else [0.0]):
            off = np.zeros(5)
            for _ in range(3):
                for c in (1, 2):
                    off[c] = max((score(runs, np.where(np.arange(5) == c, g, off), tau, delta), -abs(g), g)
                                 for g in grid)[2]
            s = score(runs, off, tau, delta)
            if s > best[0] + 1e-9:
                best = (s, off.copy(), tau, delta)
    return best


def row(m):
    r = per_class(m)
    return ' | '.join(f"{c} {100 * r[c][0]:.1f}/{100 * r[c][1]:.1f} F1 {r[c][2]:.3f}" for c in 'SVF') + f" | mF1 {r['mF1']:.3f}"


def main():
    cv_prefix, cv_seeds, ds2_prefix, ds2_seeds = sys.argv[1:5]
    cv = list(load(cv_prefix, [int(s) for s in cv_seeds.split(',')]).values())
    ds2 = load(ds2_prefix, [int(s) for s in ds2_seeds.split(',')])
    for gate in (False, True):
        s, off, tau, delta = fit(cv, gate)
        print(f"gate {gate}: DS1 out-of-fold mF1 {s:.3f} (without offsets {score(cv, np.zeros(5), np.inf, 0):.3f}); "
              f"offsets S {off[1]:+.2f} V {off[2]:+.2f}; tau {tau}; delta {delta}")
        for seed, a in ds2.items():
            print(f"  DS2 seed {seed:>3} without: {row(confusion(a['y'], a['d']))}")
            print(f"  DS2 seed {seed:>3} with:    {row(confusion(a['y'], decide(a, off, tau, delta)))}")


if __name__ == '__main__':
    main()
