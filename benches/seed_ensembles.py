#!/usr/bin/env python3
"""Seed ensembles of the default model on DS2: does averaging the class probabilities of k
independently trained networks lift every ensemble above issue 11's floor (S F1 > 0.54 and
V F1 > 0.86)? An ablation of the issue's "a small ensemble" lever.

The probabilities come from benches/ablation.rs with --probs (metrics are seeded and do not
depend on load):

    cargo bench --bench ablation -- --mode ds2 --seeds 42,1,2,3,4,5,6,7,8,9 --probs target/p_ds2
    python3 benches/seed_ensembles.py target/p_ds2 42,1,2,3,4,5,6,7,8,9 3

prints each seed alone, then every ensemble of k seeds (argmax of the mean probabilities), and a
summary: the mean and worst S F1 and V F1 over the ensembles and how many meet the floor.
Needs numpy.
"""
import itertools
import sys

import numpy as np

from decision_rule import DT, confusion, per_class  # the same beats file and the same scores

FLOOR_S, FLOOR_V = 0.54, 0.86


def main():
    prefix, seeds, k = sys.argv[1], [int(s) for s in sys.argv[2].split(',')], int(sys.argv[3])
    runs = {s: np.fromfile(f'{prefix}.{s}.bin', dtype=DT) for s in seeds}
    y = runs[seeds[0]]['y']
    for s, a in runs.items():
        if not (a['y'] == y).all():
            sys.exit(f'seed {s}: the beats differ from seed {seeds[0]}')
        r = per_class(confusion(y, a['d']))
        print(f"seed {s}: S F1 {r['S'][2]:.3f} | V F1 {r['V'][2]:.3f} | F F1 {r['F'][2]:.3f} | mF1 {r['mF1']:.3f}")
    results = []
    for combo in itertools.combinations(seeds, k):
        r = per_class(confusion(y, np.mean([runs[s]['p'] for s in combo], axis=0).argmax(1)))
        results.append(r)
        print(f"{combo}: S {100 * r['S'][0]:.1f}/{100 * r['S'][1]:.1f} F1 {r['S'][2]:.3f} | "
              f"V F1 {r['V'][2]:.3f} | F F1 {r['F'][2]:.3f} | mF1 {r['mF1']:.3f}")
    s_f1 = [r['S'][2] for r in results]
    v_f1 = [r['V'][2] for r in results]
    met = sum(1 for s, v in zip(s_f1, v_f1) if s > FLOOR_S and v > FLOOR_V)
    print(f"k = {k}: {len(results)} ensembles; S F1 mean {np.mean(s_f1):.3f}, worst {min(s_f1):.3f}; "
          f"V F1 mean {np.mean(v_f1):.3f}, worst {min(v_f1):.3f}; "
          f"mF1 mean {np.mean([r['mF1'] for r in results]):.3f}; floor met by {met} of {len(results)}")


if __name__ == '__main__':
    main()
