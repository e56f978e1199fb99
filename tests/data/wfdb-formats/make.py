#!/usr/bin/env python3
"""Writes the small WFDB records of tests/wfdb_more_formats.rs with wfdb-python 4.3.1 (formats 24,
32, 508, 516, 524 through wrsamp; formats 8 and 160, which wrsamp does not write, by hand), a
multi-segment record of each layout, and a header in Latin-1; then prints what wfdb-python reads
back (rdrecord(..., physical=False)), the oracle the test holds as literals.

    pip install wfdb==4.3.1 soundfile && python3 tests/data/wfdb-formats/make.py
"""
import os

import numpy as np
import wfdb

here = os.path.dirname(os.path.abspath(__file__))
os.chdir(here)
rng = np.random.default_rng(13)
n = 500


def walk(lo, hi, step):
    x = np.cumsum(rng.integers(-step, step + 1, n))
    x = lo + (x - x.min()) * (hi - lo) // max(1, int(x.max() - x.min()))
    return x.astype(np.int64)


def write(name, fmt, d, gain=(200.0, 200.0), baseline=(0, 0), units=("mV", "mV")):
    wfdb.wrsamp(
        name, fs=250, units=list(units), sig_name=["I", "II"], d_signal=d.astype(np.int32 if fmt in ("24", "32", "524") else np.int16 if fmt != "508" else np.int16),
        fmt=[fmt, fmt], adc_gain=list(gain), baseline=list(baseline),
    )


# 24 and 32: lead I within 16 bits (read exactly), lead II spanning 22 / 30 bits (kept at 16-bit
# precision).
d24 = np.stack([walk(-30000, 30000, 400), walk(-2_000_000, 2_000_000, 30000)], axis=1)
write("f24", "24", d24, gain=(200.0, 12000.0))
d32 = np.stack([walk(-1000, 1000, 30), walk(-500_000_000, 500_000_000, 9_000_000)], axis=1)
write("f32", "32", d32, gain=(200.0, 1.0e6))
# FLAC.
write("f508", "508", np.stack([walk(-100, 100, 9), walk(-120, 120, 9)], axis=1))
write("f516", "516", np.stack([walk(-30000, 30000, 400), walk(-2000, 2000, 50)], axis=1))
write("f524", "524", np.stack([walk(-3000, 3000, 90), walk(-8_000_000, 8_000_000, 90000)], axis=1), gain=(200.0, 50000.0))

# Format 8 (first differences from init_value) and 160 (offset binary), by hand.
d8 = np.stack([walk(-500, 500, 60), walk(200, 900, 60)], axis=1)
init = d8[0].copy()
diffs = np.diff(np.vstack([init[None, :], d8]), axis=0)  # first difference of sample 0 is 0
assert np.abs(diffs).max() <= 127
diffs.astype(np.int8).tofile("f8.dat")


def checksum(x):
    return int((int(x.sum()) + 32768) % 65536 - 32768)


with open("f8.hea", "w") as f:
    f.write(f"f8 2 250 {n}\n")
    f.write(f"f8.dat 8 200 12 0 {init[0]} {checksum(d8[:, 0])} 0 I\n")
    f.write(f"f8.dat 8 200 12 0 {init[1]} {checksum(d8[:, 1])} 0 II\n")
d160 = np.stack([walk(-32767, 32767, 900), walk(-100, 100, 5)], axis=1)
(d160 + 32768).astype("<u2").tofile("f160.dat")
with open("f160.hea", "w") as f:
    f.write(f"f160 2 250 {n}\n")
    for c, name in enumerate(["I", "II"]):
        f.write(f"f160.dat 160 200 16 0 {d160[0, c]} {checksum(d160[:, c])} 0 {name}\n")

# Multi-segment, fixed layout: two segments. (wfdb-python 4.3.1 cannot read a null segment in a
# fixed layout in digital units, so the null segment is in the variable-layout record.)
seg = [np.stack([walk(-900, 900, 40), walk(-500, 500, 40)], axis=1) for _ in range(2)]
for i, d in enumerate(seg):
    wfdb.wrsamp(f"fixed_{i}", fs=250, units=["mV", "mV"], sig_name=["I", "II"], d_signal=d.astype(np.int16),
                fmt=["16", "16"], adc_gain=[200.0, 200.0], baseline=[0, 0])
with open("fixed.hea", "w") as f:
    f.write(f"fixed/2 2 250 {2 * n}\nfixed_0 {n}\nfixed_1 {n}\n")
# Variable layout: the layout header names I, II and V1; segments hold some of them, and a null
# segment none.
with open("var_layout.hea", "w") as f:
    f.write("var_layout 3 250 0\n~ 0 200 12 0 0 0 0 I\n~ 0 200 12 0 0 0 0 II\n~ 0 200 12 0 0 0 0 V1\n")
va = np.stack([walk(-900, 900, 40), walk(-500, 500, 40)], axis=1)
wfdb.wrsamp("var_0", fs=250, units=["mV", "mV"], sig_name=["I", "II"], d_signal=va.astype(np.int16),
            fmt=["212", "212"], adc_gain=[200.0, 200.0], baseline=[0, 0])
vb = np.stack([walk(-700, 700, 40)], axis=1)
wfdb.wrsamp("var_1", fs=250, units=["mV"], sig_name=["V1"], d_signal=vb.astype(np.int16),
            fmt=["212"], adc_gain=[200.0], baseline=[0])
with open("var.hea", "w") as f:
    f.write(f"var/4 3 250 {3 * n}\nvar_layout 0\nvar_0 {n}\n~ {n}\nvar_1 {n}\n")

# A header in Latin-1: units and description with accented letters, and a comment.
wfdb.wrsamp("latin1", fs=250, units=["mV"], sig_name=["I"], d_signal=seg[0][:, :1].astype(np.int16),
            fmt=["16"], adc_gain=[200.0], baseline=[0])
with open("latin1.hea", "wb") as f:
    f.write(f"latin1 1 250 {n}\n".encode())
    f.write("latin1.dat 16 200/µV 16 0 0 0 0 Ableitung I (Brustwand rechts, ä)\n".encode("latin-1"))
    f.write("# Patient: José Müller\n".encode("latin-1"))

# The oracle.
def show(name, **kw):
    r = wfdb.rdrecord(name, physical=False, **kw)
    d = r.d_signal if r.d_signal is not None else None
    print(f"// {name}: rdrecord('{name}', physical=False) → sig_len {r.sig_len}, fmt {r.fmt}")
    for c in range(d.shape[1]):
        col = d[:, c].astype(np.int64)
        print(f"//   {r.sig_name[c]}: first {list(col[:6])}, last {int(col[-1])}, sum {int(col.sum())}, "
              f"min {int(col.min())}, max {int(col.max())}, gain {r.adc_gain[c]}, baseline {r.baseline[c]}, units {r.units[c]}")
    p = wfdb.rdrecord(name).p_signal
    print(f"//   physical: first rows {[[round(float(v), 6) for v in row] for row in p[:2]]}, "
          f"sum of |p| {[round(float(np.nansum(np.abs(p[:, c]))), 3) for c in range(p.shape[1])]}")


for name in ["f8", "f160", "f24", "f32", "f508", "f516", "f524", "fixed", "var", "latin1"]:
    show(name)
