#!/usr/bin/env bash
# One run, on a quiet machine, of the issue-12 native figures: seconds per epoch of the default
# model on DS1's training beats with 1 and 2 threads (`ecg-balance train`, epochs 2–3 after the
# first, which warms up), and the same model in PyTorch on one thread
# (benches/pytorch_same_model.py; needs `pip install torch`). Prints the ratios as JSON.
# It also prints what two shards could give at best on this machine, whatever the messages cost:
# a step on half a batch (`--batch-size 128`, one thread) against a whole one, and that same
# half-batch run twice at once (each core busy, as under two workers) against alone, so that
#   ceiling = (t256 / t128_alone) × 2 × (t128_alone / t128_together)
# bounds the 2-thread (and 2-worker) speed-up from above.
#   benches/epoch_threads.sh [path/to/ecg-balance] [path/to/mitdb]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/ecg-balance}
DATA=${2:-../shared/data/mitdb}
out=$(mktemp -d)
for t in 1 2; do
  "$BIN" train --data "$DATA" --epochs 3 --threads "$t" --out "$out/t$t.json" 2>/dev/null >/dev/null
done
"$BIN" train --data "$DATA" --epochs 3 --threads 1 --batch-size 128 --out "$out/h.json" 2>/dev/null >/dev/null
"$BIN" train --data "$DATA" --epochs 3 --threads 1 --batch-size 128 --out "$out/h1.json" 2>/dev/null >/dev/null &
"$BIN" train --data "$DATA" --epochs 3 --threads 1 --batch-size 128 --out "$out/h2.json" 2>/dev/null >/dev/null
wait
python3 benches/pytorch_same_model.py --epochs 3 --threads 1 > "$out/torch.json"
python3 - "$out" <<'PY'
import json, sys
d = sys.argv[1]
def steady(f):
    e = json.load(open(f))["epoch_seconds"]
    return sum(e[1:]) / len(e[1:])
t1, t2 = steady(f"{d}/t1.json"), steady(f"{d}/t2.json")
torch = json.load(open(f"{d}/torch.json"))
half = steady(f"{d}/h.json")
together = (steady(f"{d}/h1.json") + steady(f"{d}/h2.json")) / 2
print(json.dumps({
    "native_epoch_s_1_thread": round(t1, 3),
    "native_epoch_s_2_threads": round(t2, 3),
    "speedup_2_over_1": round(t1 / t2, 3),
    "pytorch_epoch_s_1_thread": round(torch["steady_epoch_seconds"], 3),
    "native_1_thread_speed_over_pytorch_1_thread": round(torch["steady_epoch_seconds"] / t1, 3),
    "half_batch_epoch_s_alone": round(half, 3),
    "half_batch_epoch_s_two_at_once": round(together, 3),
    "half_batch_step_over_whole_step": round(half / 2 / t1, 3),
    "two_shard_ceiling": round(t1 / half * 2 * half / together, 3),
}, indent=1))
PY
