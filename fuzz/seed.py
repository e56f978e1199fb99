#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, made at run time from the real files in ../shared (never
committed): fuzz/corpus/<target>/ gets small inputs each reader accepts.

Usage: python3 fuzz/seed.py [SHARED_DATA_DIR]   (default: ../shared/data beside the project)
"""
import glob
import io
import json
import os
import struct
import sys
import zipfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "data")
mitdb = os.path.join(data, "mitdb")
ptbxl = os.path.join(data, "ptbxl-sample")
corpus = os.path.join(here, "corpus")


def put(target, name, content):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(content)


def read(path, limit=None):
    with open(path, "rb") as f:
        return f.read() if limit is None else f.read(limit)


records = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(mitdb, "*.hea")))
ptb_headers = sorted(glob.glob(os.path.join(ptbxl, "records*", "**", "*.hea"), recursive=True))

# WFDB headers, single and multi-segment.
for r in records:
    put("wfdb_header", r, read(os.path.join(mitdb, r + ".hea")))
for p in ptb_headers[:20]:
    put("wfdb_header", "ptb_" + os.path.basename(p), read(p))
put("wfdb_header", "multi", b"m/3 2 360 30\nlayout 0\ns1 10\n~ 10\ns2 10\n")
put("wfdb_header", "latin1", b"r 1 500 10\nr.dat 16 200/\xb5V 16 0 0 0 0 Ableitung \xe4\n# Jos\xe9\n")

# Signal files: format byte, layout byte, length byte, then real bytes.
for i, r in enumerate(records[:8]):
    dat = read(os.path.join(mitdb, r + ".dat"), 600)
    for f in range(13):
        put("wfdb_signal", f"{r}_{f}", bytes([f, (i * 37) & 0xFF, 100]) + dat)

# Annotation files (the first 4 KiB: the reader's paths are all in there).
for r in records:
    put("wfdb_annotation", r, read(os.path.join(mitdb, r + ".atr"), 4096))

# Whole records: header, 0xFE, signal bytes, 0xFE, annotations.
for r in records[:12]:
    hea = read(os.path.join(mitdb, r + ".hea")).replace(b" 650000", b" 200")
    put(
        "wfdb_record",
        r,
        hea + b"\xfe" + read(os.path.join(mitdb, r + ".dat"), 600) + b"\xfe" + read(os.path.join(mitdb, r + ".atr"), 600),
    )

# Zip archives, stored and deflated.
for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
    for r in records[:4]:
        b = io.BytesIO()
        with zipfile.ZipFile(b, "w", method) as z:
            z.writestr(f"mitdb/{r}.hea", read(os.path.join(mitdb, r + ".hea")).replace(b" 650000", b" 100"))
            z.writestr(f"mitdb/{r}.dat", read(os.path.join(mitdb, r + ".dat"), 300))
            z.writestr(f"mitdb/{r}.atr", read(os.path.join(mitdb, r + ".atr"), 200))
            z.writestr("mitdb/RECORDS", r + "\n")
        put("zip", f"{r}_{method}", b.getvalue())

# Kaggle heartbeat CSV rows, and plain CSVs, from record 100's first samples (format 212).
def samples_212(raw, n):
    out = []
    for k in range(0, len(raw) - 2, 3):
        b0, b1, b2 = raw[k], raw[k + 1], raw[k + 2]
        a = b0 | ((b1 & 0x0F) << 8)
        c = b2 | ((b1 & 0xF0) << 4)
        out.append((a - 4096 if a > 2047 else a, c - 4096 if c > 2047 else c))
        if len(out) >= n:
            break
    return out


pairs = samples_212(read(os.path.join(mitdb, "100.dat"), 3 * 400), 400)
rows = []
for b in range(3):
    w = [(pairs[b * 100 + k][0] - 900) / 400 for k in range(187)] if b * 100 + 187 <= len(pairs) else [0.0] * 187
    lo, hi = min(w), max(w)
    w = [(v - lo) / (hi - lo or 1) for v in w]
    rows.append(",".join(f"{v:.18e}" for v in w) + f",{b}.000000000000000000e+00")
put("kaggle_csv", "rows", ("\n".join(rows) + "\n").encode())
put("kaggle_csv", "crlf", ("\r\n".join(rows[:2]) + "\r\n").encode())
plain = "time,MLII,V5\n" + "".join(f"{t / 360:.4f},{a / 200:.3f},{c / 200:.3f}\n" for t, (a, c) in enumerate(pairs[:200]))
put("plain_csv", "with_time", plain.encode())
put("plain_csv", "bare", "".join(f"{a},{c}\n" for a, c in pairs[:100]).encode())
put("plain_csv", "quoted", b'"lead I","lead II"\r\n"0.1","0.2"\r\n0.3,0.4\r\n')

# PTB-XL tables: the header and first rows of each.
db = read(os.path.join(ptbxl, "ptbxl_database.csv")).decode("utf-8").splitlines(keepends=True)
put("ptbxl_database", "head", "".join(db[:6]).encode())
st = read(os.path.join(ptbxl, "scp_statements.csv")).decode("utf-8").splitlines(keepends=True)
put("ptbxl_statements", "head", "".join(st[:12]).encode())

# Challenge headers: PTB-XL headers with Challenge comments.
for p in ptb_headers[:4]:
    put(
        "challenge_header",
        os.path.basename(p),
        read(p) + b"# Age: 63\n# Sex: Male\n# Dx: 426783006,164889003\n# Rx: Unknown\n",
    )

# LightWAVE answers: info, 0xFE, fetch — record 100's first samples as the service sends them.
info = {
    "info": {
        "db": "mitdb",
        "record": "100",
        "tfreq": 360,
        "start": None,
        "end": None,
        "duration": "0:00.556",
        "signal": [
            {"name": "MLII", "tps": 1, "units": "mV", "gain": 200, "adcres": 11, "adczero": 1024, "baseline": 1024},
            {"name": "V5", "tps": 1, "units": "mV", "gain": 200, "adcres": 11, "adczero": 1024, "baseline": 1024},
        ],
        "note": ["69 M 1085 1629 x1"],
    },
    "success": True,
}
def deltas(values):
    out, prev = [], 0
    for v in values:
        out.append(v - prev)
        prev = v
    return out
fetch = {
    "fetch": {
        "signal": [
            {"name": n, "units": "mV", "t0": 0, "tf": 200, "gain": 200, "base": 1024, "tps": 1, "scale": 1,
             "samp": deltas([p[i] for p in pairs[:200]])}
            for i, n in enumerate(["MLII", "V5"])
        ],
        "annotator": [{"name": "atr", "annotation": [{"t": 18, "a": "+", "s": 0, "c": 0, "n": 0, "x": "(N"},
                                                      {"t": 77, "a": "N", "s": 0, "c": 0, "n": 0, "x": None}]}],
    }
}
put("lightwave", "info_fetch", json.dumps(info).encode() + b"\xfe" + json.dumps(fetch).encode())
put("lightwave", "dblist", json.dumps({"database": [{"name": "mitdb", "desc": "MIT-BIH"}], "success": True}).encode())
put("lightwave", "refused", b'{"success":false,"error":"no such record"}')

# Saved settings (TrainConfig as JSON) and window settings.
settings = {
    "split": {"InterPatient": {"seed": 0, "test_fraction": 0.5}},
    "weights": "MaxOverCount",
    "weight_cap": 100.0,
    "focal_gamma": 2.0,
    "epochs": 16,
    "batch_size": 256,
    "learning_rate": 0.0005,
    "seed": 42,
    "patience": 4,
    "rebalance": None,
    "synthetic": None,
    "jitter": True,
    "ensemble": 3,
    "validation_fraction": 0.2,
}
put("settings", "train_config", json.dumps(settings).encode())
put("settings", "window", json.dumps({"pre_ms": 250, "post_ms": 450, "fs_hz": 180, "lead": {"preferred": ["MLII"]}}).encode())

# A beat file of two beats (the format of dataset/file.rs), without and with the magic.
n, length, n_rr = 2, 126, 10
header = json.dumps({"version": 1, "layout": {"fs_hz": 180.0, "len": length, "r_index": 45},
                     "records": ["100"], "n": n, "n_rr": n_rr}).encode()
body = b"".join(struct.pack("<f", (k % 40) / 40) for k in range(n * length))
body += b"".join(struct.pack("<f", 0.8) for _ in range(n * n_rr))
body += bytes([0, 2]) + struct.pack("<II", 0, 0) + struct.pack("<QQ", 77, 370) + bytes([0, 1]) + struct.pack("<II", 0, 0)
beats = struct.pack("<I", len(header)) + header + body
put("beat_file", "two_beats", b"ECG-BALANCE-LAB-BEATS\n" + beats)

print("seed corpora in", corpus, ":", {t: len(os.listdir(os.path.join(corpus, t))) for t in sorted(os.listdir(corpus))})
