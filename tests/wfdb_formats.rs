//! Signal formats 61, 80, 212 (three signals), 310 and 311, several files per record with byte
//! offsets, several samples per frame, skew, `sig_len` inferred from the file size, and a file
//! longer than `sig_len`: small records built byte by byte, read by our reader and compared
//! sample for sample with wfdb-python 4.3.1.

use ecg_balance_lab::io::wfdb::read_record_checked;

/// One small record: its header, its signal files, and what wfdb-python reads from them.
struct Case {
    name: &'static str,
    hea: &'static str,
    files: &'static [(&'static str, &'static [u8])],
    sig_len: usize,
    /// `rdrecord(name, physical=False).d_signal`, one row per signal.
    samples: &'static [&'static [i16]],
}

/// Produced by `/tmp/venv-wfdb/bin/python formats.py /tmp/wfdb-oracle/fmt` (venv:
/// `python3 -m venv /tmp/venv-wfdb && /tmp/venv-wfdb/bin/pip install wfdb==4.3.1`). The
/// header checksums and initial values are computed from the stored samples, so a correct
/// reader reports no warnings. `formats.py`:
///
/// ```text
/// # Small WFDB records built byte by byte (encoders follow WFDB lib/signal.c w16/w61/w80/w212/w310/w311),
/// # then read back with wfdb-python 4.3.1 rdrecord(physical=False); prints Rust literals.
/// import os, random, sys, wfdb, numpy as np
/// out = sys.argv[1]
/// os.makedirs(out, exist_ok=True)
/// rng = random.Random(1234)
///
/// def enc(fmt, samples):
///     b = bytearray()
///     if fmt == 16:
///         for v in samples: b += (v & 0xffff).to_bytes(2, 'little')
///     elif fmt == 61:
///         for v in samples: b += (v & 0xffff).to_bytes(2, 'big')
///     elif fmt == 80:
///         for v in samples: b.append((v + 128) & 0xff)
///     elif fmt == 212:
///         for i in range(0, len(samples), 2):
///             a = samples[i] & 0xfff
///             if i + 1 < len(samples):
///                 c = samples[i + 1] & 0xfff
///                 b += bytes([a & 0xff, ((a >> 8) & 0x0f) | ((c >> 4) & 0xf0), c & 0xff])
///             else:
///                 b += bytes([a & 0xff, (a >> 8) & 0x0f])
///     elif fmt == 310:
///         for i in range(0, len(samples), 3):
///             g = samples[i:i + 3]
///             data = (g[0] << 1) & 0x7fe
///             if len(g) == 1:
///                 b += (data & 0xffff).to_bytes(2, 'little'); break
///             datb = (g[1] << 1) & 0x7fe
///             if len(g) == 3:
///                 data |= (g[2] << 11); datb |= ((g[2] << 6) & ~0x7fe)
///             b += (data & 0xffff).to_bytes(2, 'little') + (datb & 0xffff).to_bytes(2, 'little')
///     elif fmt == 311:
///         for i in range(0, len(samples), 3):
///             g = samples[i:i + 3]
///             data = g[0] & 0x3ff
///             if len(g) == 1:
///                 b += (data & 0xffff).to_bytes(2, 'little'); break
///             data |= (g[1] << 10)
///             datb = (g[1] >> 6) & 0xf
///             if len(g) == 2:
///                 b += (data & 0xffff).to_bytes(2, 'little') + bytes([datb & 0xff]); break
///             datb |= (g[2] << 4); datb &= 0x3fff
///             b += (data & 0xffff).to_bytes(2, 'little') + (datb & 0xffff).to_bytes(2, 'little')
///     return bytes(b)
///
/// RANGE = {16: 15, 61: 15, 80: 7, 212: 11, 310: 9, 311: 9}
/// def vals(fmt, n):
///     lo, hi = -(1 << RANGE[fmt]), (1 << RANGE[fmt]) - 1
///     v = [rng.randint(lo, hi) for _ in range(n)]
///     if n >= 3: v[1], v[2] = lo, hi   # the invalid value and the maximum
///     return v
///
/// def s16(x):
///     x &= 0xffff
///     return x - 0x10000 if x >= 0x8000 else x
///
/// cases = []
/// def case(name, sigs, sig_len, write_len=True, prefix=b'', extra=b''):
///     """sigs: list of (file, fmt, spf, skew, byte_offset). Frames: sig_len (+ max skew for skewed files)."""
///     files = {}
///     order = []
///     for s in sigs:
///         if s[0] not in order: order.append(s[0])
///     streams = {}
///     for fn in order:
///         members = [i for i, s in enumerate(sigs) if s[0] == fn]
///         fmt = sigs[members[0]][1]
///         per = {i: vals(fmt, sig_len * sigs[i][2]) for i in members}
///         streams.update(per)
///         flat = []
///         for t in range(sig_len):
///             for i in members:
///                 spf = sigs[i][2]
///                 flat += per[i][t * spf:(t + 1) * spf]
///         off = sigs[members[0]][4]
///         files[fn] = (bytes(rng.randrange(256) for _ in range(off)) if off else b'') + enc(fmt, flat) + extra
///     lines = [f"{name} {len(sigs)} 250" + (f" {sig_len}" if write_len else "")]
///     for i, (fn, fmt, spf, skew, off) in enumerate(sigs):
///         spec = f"{fmt}" + (f"x{spf}" if spf != 1 else "") + (f":{skew}" if skew else "") + (f"+{off}" if off else "")
///         raw = streams[i]
///         lines.append(f"{fn} {spec} 100(0)/mV 12 0 {raw[0]} {s16(sum(raw))} 0 sig{i}")
///     hea = "\n".join(lines) + "\n"
///     with open(f"{out}/{name}.hea", "w") as f: f.write(hea)
///     for fn, b in files.items():
///         with open(f"{out}/{fn}", "wb") as f: f.write(b)
///     r = wfdb.rdrecord(f"{out}/{name}", physical=False)
///     d = r.d_signal
///     expect = [[int(v) for v in d[:, c]] for c in range(d.shape[1])]
///     cases.append((name, hea, files, r.sig_len, expect))
///
/// case("f61", [("f61.dat", 61, 1, 0, 0), ("f61.dat", 61, 1, 0, 0)], 5)
/// case("f80", [("f80.dat", 80, 1, 0, 0)], 9)
/// case("f310a", [("f310a.dat", 310, 1, 0, 0)], 7)
/// case("f310b", [("f310b.dat", 310, 1, 0, 0), ("f310b.dat", 310, 1, 0, 0)], 4)
/// case("f311a", [("f311a.dat", 311, 1, 0, 0)], 8)
/// case("f311b", [("f311b.dat", 311, 1, 0, 0), ("f311b.dat", 311, 1, 0, 0), ("f311b.dat", 311, 1, 0, 0)], 3)
/// case("f212c", [("f212c.dat", 212, 1, 0, 0)] * 3, 5)
/// case("multi", [("m_a.dat", 16, 1, 0, 6), ("m_a.dat", 16, 1, 0, 6), ("m_b.dat", 212, 1, 0, 0), ("m_c.dat", 80, 1, 0, 3)], 6)
/// case("spf", [("spf.dat", 16, 2, 0, 0), ("spf.dat", 16, 1, 0, 0), ("spf.dat", 16, 3, 0, 0)], 4)
/// case("skew", [("skew.dat", 16, 1, 0, 0), ("skew.dat", 16, 1, 2, 0)], 6)
/// case("nolen", [("nolen.dat", 212, 1, 0, 0), ("nolen.dat", 212, 1, 0, 0)], 3, write_len=False, extra=b'\x01')
/// case("longer", [("longer.dat", 16, 1, 0, 0)], 4, extra=b'\x05\x00\x06\x00\x07')
///
/// def rs_bytes(b):
///     return "&[" + ", ".join(str(x) for x in b) + "]"
/// for name, hea, files, sig_len, expect in cases:
///     fl = ", ".join(f'("{fn}", {rs_bytes(b)})' for fn, b in files.items())
///     ex = ", ".join("&[" + ", ".join(map(str, c)) + "]" for c in expect)
///     print(f'    Case {{\n        name: "{name}",\n        hea: {hea!r},\n        files: &[{fl}],\n        sig_len: {sig_len},\n        samples: &[{ex}],\n    }},')
/// ```
const CASES: &[Case] = &[
    Case {
        name: "f61",
        hea: "f61 2 250 5\nf61.dat 61 100(0)/mV 12 0 24999 -24081 0 sig0\nf61.dat 61 100(0)/mV 12 0 -21767 11555 0 sig1\n",
        files: &[(
            "f61.dat",
            &[
                97, 167, 170, 249, 128, 0, 128, 0, 127, 255, 127, 255, 174, 104, 249, 63, 145, 225,
                136, 236,
            ],
        )],
        sig_len: 5,
        samples: &[
            &[24999, -32768, 32767, -20888, -28191],
            &[-21767, -32768, 32767, -1729, -30484],
        ],
    },
    Case {
        name: "f80",
        hea: "f80 1 250 9\nf80.dat 80 100(0)/mV 12 0 -113 -125 0 sig0\n",
        files: &[("f80.dat", &[15, 0, 255, 247, 237, 76, 46, 93, 58])],
        sig_len: 9,
        samples: &[&[-113, -128, 127, 119, 109, -52, -82, -35, -70]],
    },
    Case {
        name: "f310a",
        hea: "f310a 1 250 7\nf310a.dat 310 100(0)/mV 12 0 -483 -1124 0 sig0\n",
        files: &[("f310a.dat", &[58, 252, 0, 124, 8, 101, 116, 163, 108, 5])],
        sig_len: 7,
        samples: &[&[-483, -512, 511, -380, 442, -372, -330]],
    },
    Case {
        name: "f310b",
        hea: "f310b 2 250 4\nf310b.dat 310 100(0)/mV 12 0 -418 -312 0 sig0\nf310b.dat 310 100(0)/mV 12 0 473 470 0 sig1\n",
        files: &[(
            "f310b.dat",
            &[188, 4, 178, 131, 0, 252, 254, 123, 214, 0, 252, 7],
        )],
        sig_len: 4,
        samples: &[&[-418, -512, 511, 107], &[473, -512, 511, -2]],
    },
    Case {
        name: "f311a",
        hea: "f311a 1 250 8\nf311a.dat 311 100(0)/mV 12 0 -103 -564 0 sig0\n",
        files: &[("f311a.dat", &[153, 3, 248, 31, 144, 46, 184, 10, 38, 35, 7])],
        sig_len: 8,
        samples: &[&[-103, -512, 511, -368, -501, 171, -218, 456]],
    },
    Case {
        name: "f311b",
        hea: "f311b 3 250 3\nf311b.dat 311 100(0)/mV 12 0 260 259 0 sig0\nf311b.dat 311 100(0)/mV 12 0 -356 -357 0 sig1\nf311b.dat 311 100(0)/mV 12 0 -358 -359 0 sig2\n",
        files: &[(
            "f311b.dat",
            &[4, 113, 170, 41, 0, 2, 8, 32, 255, 253, 247, 31],
        )],
        sig_len: 3,
        samples: &[&[260, -512, 511], &[-356, -512, 511], &[-358, -512, 511]],
    },
    Case {
        name: "f212c",
        hea: "f212c 3 250 5\nf212c.dat 212 100(0)/mV 12 0 -1826 -2266 0 sig0\nf212c.dat 212 100(0)/mV 12 0 1672 171 0 sig1\nf212c.dat 212 100(0)/mV 12 0 -596 -968 0 sig2\n",
        files: &[(
            "f212c.dat",
            &[
                222, 104, 136, 172, 141, 0, 0, 136, 0, 255, 119, 255, 255, 199, 132, 219, 16, 155,
                197, 145, 73, 242, 12,
            ],
        )],
        sig_len: 5,
        samples: &[
            &[-1826, -2048, 2047, -892, 453],
            &[1672, -2048, 2047, 219, -1719],
            &[-596, -2048, 2047, 411, -782],
        ],
    },
    Case {
        name: "multi",
        hea: "multi 4 250 6\nm_a.dat 16+6 100(0)/mV 12 0 28115 19875 0 sig0\nm_a.dat 16+6 100(0)/mV 12 0 28589 6357 0 sig1\nm_b.dat 212 100(0)/mV 12 0 1524 4531 0 sig2\nm_c.dat 80+3 100(0)/mV 12 0 -30 -119 0 sig3\n",
        files: &[
            (
                "m_a.dat",
                &[
                    224, 151, 140, 63, 95, 213, 211, 109, 173, 111, 0, 128, 0, 128, 255, 127, 255,
                    127, 253, 50, 17, 113, 224, 125, 6, 215, 244, 46, 18, 97,
                ],
            ),
            ("m_b.dat", &[244, 133, 0, 255, 119, 134, 14, 4, 44]),
            ("m_c.dat", &[165, 228, 36, 98, 0, 255, 80, 137, 79]),
        ],
        sig_len: 6,
        samples: &[
            &[28115, -32768, 32767, 13053, 32224, 12020],
            &[28589, -32768, 32767, 28945, -10490, 24850],
            &[1524, -2048, 2047, 1926, 1038, 44],
            &[-30, -128, 127, -48, 9, -49],
        ],
    },
    Case {
        name: "spf",
        hea: "spf 3 250 4\nspf.dat 16x2 100(0)/mV 12 0 -22480 -31799 0 sig0\nspf.dat 16 100(0)/mV 12 0 8779 -15310 0 sig1\nspf.dat 16x3 100(0)/mV 12 0 973 -21597 0 sig2\n",
        files: &[(
            "spf.dat",
            &[
                48, 168, 0, 128, 75, 34, 205, 3, 0, 128, 255, 127, 255, 127, 112, 152, 0, 128, 95,
                231, 220, 179, 21, 75, 128, 18, 116, 147, 255, 127, 162, 227, 76, 107, 255, 248,
                84, 240, 226, 172, 232, 161, 246, 56, 0, 233, 164, 87,
            ],
        )],
        sig_len: 4,
        samples: &[
            &[-27624, 3127, -11526, -12645],
            &[8779, -32768, 32767, -24088],
            &[324, -2192, 6137, 10376],
        ],
    },
    Case {
        name: "skew",
        hea: "skew 2 250 6\nskew.dat 16 100(0)/mV 12 0 -9872 31526 0 sig0\nskew.dat 16:2 100(0)/mV 12 0 32713 -23948 0 sig1\n",
        files: &[(
            "skew.dat",
            &[
                112, 217, 201, 127, 0, 128, 0, 128, 255, 127, 255, 127, 225, 158, 7, 199, 121, 52,
                9, 195, 93, 206, 156, 152,
            ],
        )],
        sig_len: 6,
        samples: &[
            &[-9872, -32768, 32767, -24863, 13433, -12707],
            &[32767, -14585, -15607, -26468, -32768, -32768],
        ],
    },
    Case {
        name: "nolen",
        hea: "nolen 2 250\nnolen.dat 212 100(0)/mV 12 0 -696 -697 0 sig0\nnolen.dat 212 100(0)/mV 12 0 616 615 0 sig1\n",
        files: &[("nolen.dat", &[72, 45, 104, 0, 136, 0, 255, 119, 255, 1])],
        sig_len: 3,
        samples: &[&[-696, -2048, 2047], &[616, -2048, 2047]],
    },
    Case {
        name: "longer",
        hea: "longer 1 250 4\nlonger.dat 16 100(0)/mV 12 0 -24796 -29118 0 sig0\n",
        files: &[(
            "longer.dat",
            &[36, 159, 0, 128, 255, 127, 31, 239, 5, 0, 6, 0, 7],
        )],
        sig_len: 4,
        samples: &[&[-24796, -32768, 32767, -4321]],
    },
];

#[test]
fn small_records_match_wfdb_python() {
    for case in CASES {
        let read = read_record_checked(
            case.name,
            case.hea.as_bytes(),
            |f| case.files.iter().find(|(n, _)| *n == f).map(|(_, b)| *b),
            None,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert!(
            read.warnings.is_empty(),
            "{}: {:?}",
            case.name,
            read.warnings
        );
        assert_eq!(read.record.sig_len(), case.sig_len, "{}", case.name);
        let got: Vec<&[i16]> = read
            .record
            .signals
            .iter()
            .map(|s| s.samples_adu.as_slice())
            .collect();
        assert_eq!(got, case.samples, "{}", case.name);
        for (i, s) in read.record.signals.iter().enumerate() {
            assert_eq!(s.name, format!("sig{i}"), "{}", case.name);
            assert_eq!((s.adc_gain, s.baseline), (100.0, 0), "{}", case.name);
        }
    }
}

#[test]
fn invalid_values_per_format() {
    let invalid = |name: &str| -> Vec<Option<i16>> {
        let case = CASES.iter().find(|c| c.name == name).expect("case");
        let r = read_record_checked(
            name,
            case.hea.as_bytes(),
            |f| case.files.iter().find(|(n, _)| *n == f).map(|(_, b)| *b),
            None,
        )
        .expect("record");
        r.record.signals.iter().map(|s| s.invalid_adu).collect()
    };
    assert_eq!(invalid("f61"), [Some(-32768); 2]);
    assert_eq!(invalid("f80"), [Some(-128)]);
    assert_eq!(invalid("f310a"), [Some(-512)]);
    assert_eq!(invalid("f311a"), [Some(-512)]);
    assert_eq!(
        invalid("multi"),
        [Some(-32768), Some(-32768), Some(-2048), Some(-128)]
    );
    // The skewed signal's last two samples lie beyond the file: marked missing.
    let case = CASES.iter().find(|c| c.name == "skew").expect("skew");
    let r = read_record_checked("skew", case.hea.as_bytes(), |_| Some(case.files[0].1), None)
        .expect("record");
    assert!(r.record.signals[1].physical(5).is_nan());
    assert!(!r.record.signals[0].physical(5).is_nan());
}
