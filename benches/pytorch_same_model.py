#!/usr/bin/env python3
"""The page's default classifier written in PyTorch, layer for layer, to time one training epoch
on one CPU thread against `ecg-balance train` on one thread (issue 12).

Same model as src/model.rs with the defaults of ModelConfig and TrainConfig:
  input: 2 channels x 126 samples (the beat at 180 Hz and the beat minus the record's template)
         and 16 RR features;
  conv 2->8 k7 'same', ReLU, max-pool 2; conv 8->16 k5, ReLU, pool 2; conv 16->16 k5, ReLU,
  pool 2; flatten (16 x 15); RR: linear 16->16, ReLU; concatenate; linear -> 32, ReLU,
  dropout 0.5; linear 32 -> 5.
  Adam, learning rate 5e-4, batch 256, class-weighted focal loss (gamma 2), weights
  max-over-count capped at 100 from the DS1 training counts.

The inputs are random numbers of the same shapes and the same number of beats as DS1's training
side (40,434 beats with the default validation records held out: the count `ecg-balance train`
prints); timing does not depend on their values.

Usage (one thread each, in one run on a quiet machine):
  python3 benches/pytorch_same_model.py --beats 40434 --epochs 2
  ecg-balance train --data ../shared/data/mitdb --epochs 2 --threads 1 --out /tmp/m.json
Reports seconds per epoch (the first epoch is warm-up; the figure is the mean of the others).
"""

import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self, channels=2, length=126, n_rr=16):
        super().__init__()
        self.conv1 = nn.Conv1d(channels, 8, 7, padding="same")
        self.conv2 = nn.Conv1d(8, 16, 5, padding="same")
        self.conv3 = nn.Conv1d(16, 16, 5, padding="same")
        self.rr = nn.Linear(n_rr, 16)
        self.dense = nn.Linear(16 * (length // 8) + 16, 32)
        self.drop = nn.Dropout(0.5)
        self.out = nn.Linear(32, 5)

    def forward(self, x, rr):
        x = F.max_pool1d(F.relu(self.conv1(x)), 2)
        x = F.max_pool1d(F.relu(self.conv2(x)), 2)
        x = F.max_pool1d(F.relu(self.conv3(x)), 2)
        x = torch.cat([x.flatten(1), F.relu(self.rr(rr))], 1)
        return self.out(self.drop(F.relu(self.dense(x))))


def focal(logits, y, weights, gamma=2.0):
    logp = F.log_softmax(logits, 1).gather(1, y[:, None])[:, 0]
    p = logp.exp()
    w = weights[y]
    return -(w * (1 - p) ** gamma * logp).sum() / w.sum()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--beats", type=int, default=40434)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=256)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    n = a.beats
    x = torch.randn(n, 2, 126)
    rr = torch.randn(n, 16)
    # DS1 training counts N S V F Q (ecg-balance train, default validation records held out).
    counts = torch.tensor([36420.0, 737.0, 2882.0, 387.0, 8.0])
    y = torch.multinomial(counts / counts.sum(), n, replacement=True)
    w = counts.max() / counts
    w = torch.minimum(w, w.min() * 100)
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=5e-4)
    times = []
    for _ in range(a.epochs):
        net.train()
        t0 = time.perf_counter()
        order = torch.randperm(n)
        for i in range(0, n, a.batch):
            idx = order[i : i + a.batch]
            opt.zero_grad()
            loss = focal(net(x[idx], rr[idx]), y[idx], w)
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    steady = times[1:] or times
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": a.threads,
                "beats": n,
                "parameters": sum(p.numel() for p in net.parameters()),
                "epoch_seconds": times,
                "steady_epoch_seconds": sum(steady) / len(steady),
                "beats_per_second": n * len(steady) / sum(steady),
            }
        )
    )


if __name__ == "__main__":
    main()
