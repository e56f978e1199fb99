//! The readers built on crates (issue 15 step 4): the Kaggle and plain CSV readers (`csv`) and
//! zip extraction (`zip`). The hand-written readers they replaced, and the comparison with them,
//! are in git history (commit af57919).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::io::Write as _;

fn kaggle(rows: usize) -> Vec<u8> {
    let mut s = String::new();
    for r in 0..rows {
        for i in 0..187 {
            s.push_str(&format!("{:.18e},", ((r * 7 + i) % 97) as f64 / 97.0));
        }
        s.push_str(&format!("{}.000000000000000000e+00\n", r % 5));
    }
    s.into_bytes()
}

fn plain(rows: usize) -> Vec<u8> {
    let mut s = String::from("time,MLII,V5\n");
    for r in 0..rows {
        s.push_str(&format!(
            "{:.4},{:.3},{:.3}\n",
            r as f64 / 360.0,
            (r % 200) as f64 / 100.0,
            (r % 77) as f64 / 50.0
        ));
    }
    s.into_bytes()
}

fn mitdb_zip(records: &[&str]) -> Vec<u8> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/mitdb");
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for r in records {
        for ext in ["hea", "dat", "atr"] {
            w.start_file(format!("mitdb/{r}.{ext}"), o).unwrap();
            w.write_all(&std::fs::read(format!("{dir}/{r}.{ext}")).unwrap())
                .unwrap();
        }
    }
    w.finish().unwrap().into_inner()
}

fn readers(c: &mut Criterion) {
    let mut g = c.benchmark_group("kaggle_csv");
    g.sample_size(10);
    let rows = 5_000usize;
    let bytes = kaggle(rows);
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_with_input(BenchmarkId::new("csv crate", rows), &bytes, |b, x| {
        b.iter(|| {
            ecg_balance_lab::io::csv::read_kaggle(black_box(x), &mut |_| {})
                .unwrap()
                .labels
                .len()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("plain_csv");
    g.sample_size(10);
    let rows = 650_000usize;
    let bytes = plain(rows);
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_with_input(BenchmarkId::new("csv crate", rows), &bytes, |b, x| {
        b.iter(|| {
            ecg_balance_lab::io::csv::read_plain(black_box(x))
                .unwrap()
                .leads_mv
                .len()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("zip");
    g.sample_size(10);
    let records = ["100", "101", "103", "105", "106", "108", "109", "111"];
    let bytes = mitdb_zip(&records);
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_with_input(
        BenchmarkId::new("zip crate", records.len()),
        &bytes,
        |b, x| {
            b.iter(|| {
                ecg_balance_lab::io::zip::read_zip(black_box(x), &mut |_, _| {})
                    .unwrap()
                    .len()
            })
        },
    );
    g.finish();
}

criterion_group!(benches, readers);
criterion_main!(benches);
