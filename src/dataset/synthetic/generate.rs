//! Making beats: each one the centre of a short simulated rhythm strip, cut as real beats are
//! cut ([`synth_beats`], [`synth_patient_beats`]).

use super::config::SynthConfig;
use super::model::{After, ClassModel};
use crate::Signal;
use crate::dataset::{BeatSet, Origin};
use crate::ecg::aami::AamiClass;
use crate::ecg::beats::{BeatLayout, N_RR, Resampler, RrFeatures, rr_features};
use crate::ecg::simulate::{
    PlannedBeat, SimulateError, StripConfig, internal_factor_for, simulate_strip,
};
use crate::rng::Rng;

/// Beats of the strip before and after the synthetic beat (five each way are what the local
/// RR average of [`rr_features`] spans).
const N_SIDE: usize = 6;
/// Lead-in before the window, s: the model's baseline relaxes with a 1-s time constant.
const LEAD_IN_S: f64 = 1.0;
/// ADC gain of the strips, adu/mV (MIT-BIH's).
const STRIP_GAIN: f64 = 200.0;

/// Rate the strips are simulated at for windows of `layout`.
pub fn strip_rate_hz(layout: &BeatLayout) -> f64 {
    let fs = f64::from(layout.fs_hz);
    if fs <= 180.0 { 360.0 } else { 2.0 * fs }
}

fn check_layout(layout: &BeatLayout) -> Result<(), SimulateError> {
    let fs = f64::from(layout.fs_hz);
    if !(20.0..=2000.0).contains(&fs)
        || !(8..=4096).contains(&layout.len)
        || layout.r_index >= layout.len
    {
        return Err(SimulateError::Invalid {
            what: "layout",
            reason: format!(
                "windows need 20–2000 Hz, 8–4096 samples and the R peak inside; found {fs} Hz, {} samples, R at {}",
                layout.len, layout.r_index
            ),
        });
    }
    Ok(())
}

/// `count` synthetic beats of `class` from the built-in tables, cut in `layout`, marked
/// [`Origin::Synthetic`], all in one record named `synthetic-{class}-{seed}`.
pub fn synth_beats(
    class: AamiClass,
    count: usize,
    layout: BeatLayout,
    seed: u64,
) -> Result<BeatSet, SimulateError> {
    synth_beats_with(&SynthConfig::default(), class, count, layout, seed)
}

/// As [`synth_beats`] with given models (e.g. [`fitted_config`](super::fitted_config)).
pub fn synth_beats_with(
    config: &SynthConfig,
    class: AamiClass,
    count: usize,
    layout: BeatLayout,
    seed: u64,
) -> Result<BeatSet, SimulateError> {
    check_layout(&layout)?;
    config.validate()?;
    let generator = Generator::new(config, layout);
    let mut set = BeatSet::new(layout);
    let id = set.record_index(&format!("synthetic-{class}-{seed}"));
    set.windows.reserve(count * layout.len);
    set.rr.reserve(count * N_RR);
    let mut rng = Rng::new(seed);
    let mut window = vec![0.0f32; layout.len];
    let mut scratch = Scratch::default();
    for _ in 0..count {
        let mut beat_rng = rng.fork(class.index() as u64);
        let (rr, r_sample) = generator.beat(class, &mut beat_rng, &mut window, &mut scratch);
        set.push(&window, &rr, class, id, r_sample, Origin::Synthetic);
    }
    Ok(set)
}

/// Synthetic beats with their virtual patients' normal beats.
#[derive(Debug, Clone)]
pub struct PatientBeats {
    /// The beats, one record (virtual patient) per beat, named `synthetic-{class}-{seed}-{k}`.
    pub beats: BeatSet,
    /// Window of a sinus beat of each record, in record-id order (what a real record's
    /// template is made from: its typical, normal beat).
    pub normal_windows: Vec<Vec<f32>>,
}

/// As [`synth_beats_with`], each beat its own virtual patient (record) with a window of that
/// patient's sinus beat from the same strip, so that inputs relative to the patient's typical
/// beat ([`crate::features::Templates`]) can be formed for synthetic beats as for real ones.
/// The strips are two beats longer, so this costs about 1.6× [`synth_beats_with`].
pub fn synth_patient_beats(
    config: &SynthConfig,
    class: AamiClass,
    count: usize,
    layout: BeatLayout,
    seed: u64,
) -> Result<PatientBeats, SimulateError> {
    check_layout(&layout)?;
    config.validate()?;
    let generator = Generator::new(config, layout);
    let mut set = BeatSet::new(layout);
    set.windows.reserve(count * layout.len);
    set.rr.reserve(count * N_RR);
    let mut normal_windows = Vec::with_capacity(count);
    let mut rng = Rng::new(seed);
    let mut window = vec![0.0f32; layout.len];
    let mut scratch = Scratch::default();
    for k in 0..count {
        // Record names are unique, so pushing skips `record_index`'s linear search.
        set.records.push(format!("synthetic-{class}-{seed}-{k}"));
        let id = (set.records.len() - 1) as u32;
        let mut beat_rng = rng.fork(class.index() as u64);
        let mut normal = vec![0.0f32; layout.len];
        let (rr, r_sample) = generator.beat_and_template(
            class,
            &mut beat_rng,
            &mut window,
            Some(&mut normal),
            &mut scratch,
        );
        set.push(&window, &rr, class, id, r_sample, Origin::Synthetic);
        normal_windows.push(normal);
    }
    Ok(PatientBeats {
        beats: set,
        normal_windows,
    })
}

/// Buffers reused from beat to beat.
#[derive(Default)]
struct Scratch {
    signal: Option<Signal>,
    resample: Vec<f32>,
    beats: Vec<PlannedBeat>,
}

struct Generator<'a> {
    config: &'a SynthConfig,
    resampler: Resampler,
    fs_strip: f64,
    q: usize,
    pre_s: f64,
    post_s: f64,
}

impl<'a> Generator<'a> {
    fn new(config: &'a SynthConfig, layout: BeatLayout) -> Self {
        let fs_strip = strip_rate_hz(&layout);
        let fs = f64::from(layout.fs_hz);
        Self {
            config,
            resampler: Resampler::new(fs_strip, layout),
            fs_strip,
            q: internal_factor_for(fs_strip),
            pre_s: layout.r_index as f64 / fs,
            post_s: (layout.len - layout.r_index) as f64 / fs,
        }
    }

    fn model(&self, class: AamiClass) -> &ClassModel {
        // validate() has checked every class has a model.
        self.config.model(class).unwrap_or(&self.config.models[0])
    }

    /// Simulates one strip and cuts its centre beat into `window`; returns its RR features and
    /// its R sample in the strip.
    fn beat(
        &self,
        class: AamiClass,
        rng: &mut Rng,
        window: &mut [f32],
        scratch: &mut Scratch,
    ) -> ([f32; N_RR], u64) {
        self.beat_and_template(class, rng, window, None, scratch)
    }

    /// As [`Generator::beat`]; with `template`, the strip starts two beats earlier and the
    /// window of the virtual patient's sinus beat two before the synthetic one (a normal
    /// interval on each side of it) is cut into `template` too.
    fn beat_and_template(
        &self,
        class: AamiClass,
        rng: &mut Rng,
        window: &mut [f32],
        template: Option<&mut [f32]>,
        scratch: &mut Scratch,
    ) -> ([f32; N_RR], u64) {
        let tau = std::f64::consts::TAU;
        let paced = class == AamiClass::Q;
        let base = if paced {
            self.model(AamiClass::Q)
        } else {
            self.model(AamiClass::N)
        };
        let target_model = self.model(class);
        // The virtual patient.
        let hr = target_model.hr_bpm.draw(rng);
        let cycle0 = 60.0 / hr;
        let (lf, hf) = if paced {
            (0.0, 0.0)
        } else {
            (
                self.config.sinus_modulation.draw(rng),
                self.config.sinus_modulation.draw(rng),
            )
        };
        let (ph_lf, ph_hf) = (tau * rng.uniform(), tau * rng.uniform());
        let patient = base.sample(rng);
        let jitter = self.config.beat_jitter;
        // The beat itself.
        let target = match class {
            AamiClass::N | AamiClass::Q => base.spread.sample(&patient, jitter, rng),
            AamiClass::S => {
                // Conducted normally: the patient's QRS–T, the ectopic P.
                let s = target_model.sample(rng);
                let mut m = base.spread.sample(&patient, jitter, rng);
                m.theta_deg[0] = s.theta_deg[0];
                m.a[0] = s.a[0];
                m.b_rad[0] = s.b_rad[0];
                m
            }
            AamiClass::V | AamiClass::F => target_model.sample(rng),
        };
        // Timing.
        let n = 2 * N_SIDE + 1;
        let m = N_SIDE;
        let cycle_at = |t: f64| {
            cycle0
                * (1.0 + lf * (tau * 0.1 * t + ph_lf).sin() + hf * (tau * 0.25 * t + ph_hf).sin())
        };
        let beats = &mut scratch.beats;
        beats.clear();
        let mut t = 0.0;
        let mut r_times = [0.0f64; 2 * N_SIDE + 1];
        for (j, rt) in r_times.iter_mut().enumerate().take(n) {
            *rt = t;
            let c = cycle_at(t);
            let morph = if j == m {
                target
            } else {
                base.spread.sample(&patient, jitter, rng)
            };
            let mut rr = c;
            if j + 1 == m {
                rr = target_model.timing.pre_ratio.draw(rng) * c;
            } else if j == m {
                let pre = beats[m - 1].rr_s;
                let c_pre = beats[m - 1].cycle_s;
                rr = match target_model.timing.after {
                    After::Ratio(range) => range.draw(rng) * c,
                    After::Compensatory(range) => range.draw(rng) * (2.0 * c_pre) - pre,
                };
                rr = rr.max(0.3 * c);
            }
            let cycle = if j == m { beats[m - 1].cycle_s } else { c };
            beats.push(PlannedBeat {
                rr_s: rr,
                cycle_s: cycle,
                waves: morph.at_heart_rate(60.0 / cycle),
            });
            t += rr;
        }
        let t_r = r_times[m];
        let t_first = if template.is_some() {
            r_times[m - 2]
        } else {
            t_r
        };
        let margin_s = 0.05;
        let strip_config = StripConfig {
            fs_hz: self.fs_strip,
            internal_factor: self.q,
            first_r_s: 0.0,
            start_s: t_first - self.pre_s - margin_s - LEAD_IN_S,
            end_s: t_r + self.post_s + margin_s,
            wander_z: self.config.wander_z.draw(rng),
            wander_hz: rng.uniform_range(0.15, 0.35),
            wander_phase_rad: tau * rng.uniform(),
            noise_mv: self.config.noise_mv.draw(rng),
        };
        let strip = simulate_strip(beats, &strip_config, rng);
        let signal = scratch.signal.get_or_insert_with(|| Signal {
            name: "MLII".into(),
            units: "mV".into(),
            adc_gain: STRIP_GAIN,
            baseline: 0,
            invalid_adu: Some(i16::MIN),
            samples_adu: Vec::new(),
        });
        signal.samples_adu.clear();
        signal
            .samples_adu
            .extend(strip.signal_mv.iter().map(|&v| mv_to_adu(v, STRIP_GAIN)));
        let r_strip = strip.r_samples[m];
        let r_local = (r_strip as usize).saturating_sub(strip.start_sample);
        self.resampler
            .window_into_with(signal, r_local, window, &mut scratch.resample);
        if let Some(t) = template {
            let r_t = (strip.r_samples[m - 2] as usize).saturating_sub(strip.start_sample);
            self.resampler
                .window_into_with(signal, r_t, t, &mut scratch.resample);
        }
        let rr = rr_features(&strip.r_samples, self.fs_strip)
            .get(m)
            .map_or([f32::NAN; N_RR], RrFeatures::to_array);
        (rr, r_strip)
    }
}

/// mV to 16-bit adu at `gain` adu/mV, clamped to the valid range (−32768 marks a gap).
pub fn mv_to_adu(v: f32, gain: f64) -> i16 {
    let x = (f64::from(v) * gain).round();
    if x.is_finite() {
        x.clamp(-32767.0, 32767.0) as i16
    } else {
        0
    }
}
