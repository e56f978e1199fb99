"""The pyarrow oracle of tests/parquet_export.rs: reads the file the test's `oracle_set` makes
and prints what pyarrow and pandas see, as Rust literals to paste into `mod pyarrow`.

    ECG_PARQUET_ORACLE_OUT=/tmp/oracle.parquet cargo test --test parquet_export pyarrow
    python3 tests/data/parquet_oracle.py /tmp/oracle.parquet

Needs pyarrow and pandas (pip install pyarrow pandas). Floats are printed as their IEEE 754
bits, so the comparison in the test is exact.
"""

import hashlib
import sys

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.parquet as pq


def bits(values):
    return "[" + ", ".join(f"0x{v:08x}" for v in np.asarray(values, dtype=np.float32).view(np.uint32)) + "]"


def main(path):
    data = open(path, "rb").read()
    table = pq.read_table(path)
    meta = pq.read_metadata(path)
    df = pd.read_parquet(path)
    print(f"// pyarrow {pyarrow.__version__}, pandas {pd.__version__}")
    print(f'pub const SHA256: &str = "{hashlib.sha256(data).hexdigest()}";')
    print(f"pub const ROWS: usize = {table.num_rows};")
    print(f"pub const ROW_GROUPS: usize = {meta.num_row_groups};")
    fields = ", ".join(f'("{f.name}", "{f.type}", {str(f.nullable).lower()})' for f in table.schema)
    print(f"pub const FIELDS: &[(&str, &str, bool)] = &[{fields}];")
    kv = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
    pairs = ", ".join(f'("{k}", "{kv[k]}")' for k in ("fs_hz", "window_len", "r_index"))
    print(f"pub const METADATA: &[(&str, &str)] = &[{pairs}];")
    print("pub const LABELS: &[&str] = &[" + ", ".join(f'"{v}"' for v in df["label"]) + "];")
    print("pub const LABEL_INDEX: &[i32] = &[" + ", ".join(str(v) for v in df["label_index"]) + "];")
    print("pub const RECORDS: &[&str] = &[" + ", ".join(f'"{v}"' for v in df["record"]) + "];")
    print("pub const ORIGINS: &[&str] = &[" + ", ".join(f'"{v}"' for v in df["origin"]) + "];")
    print("pub const R_SAMPLES: &[i64] = &[" + ", ".join(str(v) for v in df["r_sample"]) + "];")
    # The windows as a PyTorch user would stack them: one row per beat.
    samples = np.stack(df["samples"].to_numpy())
    samples_2 = np.stack(df["samples_2"].to_numpy())
    print(f"pub const SAMPLES_SHAPE: [usize; 2] = [{samples.shape[0]}, {samples.shape[1]}];")
    print("pub const SAMPLES: &[&[u32]] = &[" + ", ".join("&" + bits(r) for r in samples) + "];")
    print("pub const SAMPLES_2: &[&[u32]] = &[" + ", ".join("&" + bits(r) for r in samples_2) + "];")
    print("pub const PRE_RR_S: &[u32] = &" + bits(df["pre_rr_s"]) + ";")
    print("pub const POST_OVER_LONG: &[u32] = &" + bits(df["post_over_long"]) + ";")
    print(f"pub const SAMPLES_DTYPE: &str = \"{samples.dtype}\";")


if __name__ == "__main__":
    main(sys.argv[1])
