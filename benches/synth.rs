//! Synthetic-ECG speed: class-specific beats (windows with RR features, `synth_beats`), the
//! three-equation ECGSYN (`ecgsyn`) and the demo set (`demo_records`).
//!
//! ```text
//! cargo bench --bench synth
//! ```
//!
//! Throughput is reported in beats per second. For comparison, NeuroKit2 0.3.0's ECGSYN
//! (`nk.ecg_simulate(duration=D, sampling_rate=360, heart_rate=70, method="ecgsyn")`, best of 3,
//! one thread) made 181 beats/s for D = 60 s and 131 beats/s for D = 300 s on the machine these
//! benches were first run on, where `synth_beats` made 40–47 k beats/s, `ecgsyn` 6.0–6.7 k
//! beats/s and `demo_records` 36 000 beats in 0.34 s. The beats training adds
//! (`synth_patient_beats`: two beats more of strip, for the patient's own sinus beat) made
//! 24.6–27.6 k beats/s, the guide's whole plan (`synth_plan`, 9,000 beats) 26 k beats/s, on the
//! 2-core machine issue 5 was finished on (while another build ran).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ecg_balance_lab::dataset::demo::{DEMO_TOTAL_BEATS, demo_records};
use ecg_balance_lab::dataset::synthetic::synth_beats;
use ecg_balance_lab::ecg::aami::AamiClass;
use ecg_balance_lab::ecg::beats::BeatLayout;
use ecg_balance_lab::ecg::simulate::{EcgSynConfig, RrSpectrum, ecgsyn};

fn beats(c: &mut Criterion) {
    let mut g = c.benchmark_group("synth_beats");
    for count in [100usize, 1000] {
        g.throughput(Throughput::Elements(count as u64));
        for class in [AamiClass::N, AamiClass::V] {
            g.bench_with_input(BenchmarkId::new(class.code(), count), &count, |b, &n| {
                b.iter(|| synth_beats(class, n, BeatLayout::default(), 7).map(|s| s.len()))
            });
        }
    }
    g.finish();
}

/// The beats training adds: each with its virtual patient's sinus beat (for templates), and the
/// seed guide's whole plan (F 4,000, S 3,000, V 2,000) in chunks as the page makes it.
fn training_beats(c: &mut Criterion) {
    use ecg_balance_lab::dataset::synthetic::plan::{SynthGeneration, SynthTrainConfig};
    use ecg_balance_lab::dataset::synthetic::{SynthConfig, synth_patient_beats};
    let mut g = c.benchmark_group("synth_patient_beats");
    let count = 1000usize;
    g.throughput(Throughput::Elements(count as u64));
    for class in [AamiClass::S, AamiClass::V, AamiClass::F] {
        g.bench_with_input(BenchmarkId::new(class.code(), count), &count, |b, &n| {
            b.iter(|| {
                synth_patient_beats(&SynthConfig::default(), class, n, BeatLayout::default(), 7)
                    .map(|s| s.beats.len())
            })
        });
    }
    g.finish();
    let mut g = c.benchmark_group("synth_plan");
    g.sample_size(10);
    let plan = SynthTrainConfig::default();
    g.throughput(Throughput::Elements(plan.total() as u64));
    let real = ecg_balance_lab::dataset::BeatSet::new(BeatLayout::default());
    g.bench_with_input(BenchmarkId::new("guide", plan.total()), &plan, |b, p| {
        b.iter(|| {
            SynthGeneration::new(&real, p)
                .and_then(SynthGeneration::run)
                .map(|s| s.beats.beats.len())
        })
    });
    g.finish();
}

fn continuous(c: &mut Criterion) {
    let mut g = c.benchmark_group("ecgsyn");
    for seconds in [60.0f64, 300.0] {
        // 70 bpm: beats per run.
        g.throughput(Throughput::Elements((seconds * 70.0 / 60.0) as u64));
        g.bench_with_input(
            BenchmarkId::new("360Hz_70bpm_s", seconds),
            &seconds,
            |b, &s| {
                let config = EcgSynConfig {
                    fs_hz: 360.0,
                    internal_factor: 1,
                    duration_s: s,
                    rr: RrSpectrum {
                        hr_mean_bpm: 70.0,
                        ..RrSpectrum::default()
                    },
                    ..EcgSynConfig::default()
                };
                b.iter(|| ecgsyn(&config).map(|e| e.r_samples.len()))
            },
        );
    }
    g.finish();
    let mut g = c.benchmark_group("demo_records");
    g.sample_size(10);
    g.throughput(Throughput::Elements(DEMO_TOTAL_BEATS as u64));
    g.bench_function(BenchmarkId::new("24_patients", DEMO_TOTAL_BEATS), |b| {
        b.iter(|| demo_records(0).len())
    });
    g.finish();
}

criterion_group!(benches, beats, training_beats, continuous);
criterion_main!(benches);
