//! PTB-XL as a 12-lead set: the 20 sample records at 100 and 500 Hz read by the crate's WFDB
//! reader (lead names, gains, rates, lengths, physical values against wfdb-python 4.3.1), the
//! metadata tables (`ptbxl_database.csv`, `scp_statements.csv`) against pandas, and
//! Challenge-style header comments.

use ecg_balance_lab::Record;
use ecg_balance_lab::ecg::aami::AamiClass;
use ecg_balance_lab::io::ptbxl::{
    BeatHint, PtbxlError, Sex, parse_challenge_comments, read_database, read_statements,
};
use ecg_balance_lab::io::wfdb::{parse_header, read_record};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/ptbxl-sample");

const LEADS: [&str; 12] = [
    "I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6",
];

fn read(rel: &str) -> Record {
    let path = format!("{DATA}/{rel}");
    let hea = std::fs::read(format!("{path}.hea")).unwrap_or_else(|e| panic!("{path}: {e}"));
    let dat = std::fs::read(format!("{path}.dat")).unwrap_or_else(|e| panic!("{path}: {e}"));
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let dat_name = format!("{name}.dat");
    read_record(
        name,
        &hea,
        |f| (f == dat_name).then_some(dat.as_slice()),
        None,
    )
    .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Record path, fs, sig_len, and the physical values (mV) of all 12 leads at samples 0,
/// sig_len / 3 and sig_len − 1, as wfdb-python 4.3.1 reads them (`rdrecord(rec).p_signal`).
/// Produced by `/tmp/venv-detect/bin/python ptbxl_phys.py .` run in ../shared/data/ptbxl-sample
/// (venv: `python3 -m venv /tmp/venv-detect && /tmp/venv-detect/bin/pip install wfdb==4.3.1`),
/// where `ptbxl_phys.py` is:
///
/// ```text
/// import glob, os, sys, wfdb
/// root = sys.argv[1]
/// for path in sorted(glob.glob(f'{root}/records*/00000/*.hea')):
///     rec = path[:-4]
///     r = wfdb.rdrecord(rec)
///     n = r.sig_len
///     idx = [0, n // 3, n - 1]
///     rel = os.path.relpath(rec, root)
///     assert r.sig_name == ['I', 'II', 'III', 'AVR', 'AVL', 'AVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'], r.sig_name
///     assert set(r.adc_gain) == {1000.0} and set(r.baseline) == {0} and set(r.units) == {'mV'}
///     spots = ", ".join("(%d, [%s])" % (i, ", ".join(repr(round(float(v), 6)) for v in r.p_signal[i])) for i in idx)
///     print(f'    ("{rel}", {r.fs}, {n}, [{spots}]),')
/// ```
#[allow(clippy::type_complexity)]
#[rustfmt::skip]
const PHYSICAL: [(&str, u32, usize, [(usize, [f64; 12]); 3]); 40] = [
    ("records100/00000/00001_lr", 100, 1000, [(0, [-0.119, -0.055, 0.064, 0.086, -0.091, 0.004, -0.069, -0.031, 0.0, -0.026, -0.039, -0.079]), (333, [-0.037, 0.054, 0.091, -0.009, -0.064, 0.073, 0.024, 0.079, 0.063, 0.051, 0.05, 0.069]), (999, [0.022, -0.031, -0.054, 0.005, 0.038, -0.042, -0.001, 0.107, -0.149, 0.143, -0.035, -0.12])]),
    ("records100/00000/00002_lr", 100, 1000, [(0, [0.004, 0.138, 0.134, -0.072, -0.065, 0.136, -0.123, 0.088, 0.143, 0.192, 0.083, 0.088]), (333, [0.001, -0.028, -0.029, 0.013, 0.015, -0.028, 0.02, -0.03, -0.075, -0.075, -0.068, -0.094]), (999, [-0.348, -0.056, 0.292, 0.202, -0.32, 0.118, 0.029, -0.058, -0.177, -0.308, -0.231, -0.145])]),
    ("records100/00000/00003_lr", 100, 1000, [(0, [-0.029, -0.079, -0.049, 0.054, 0.011, -0.064, 0.005, -0.051, -0.116, -0.103, -0.076, -0.066]), (333, [-0.004, 0.051, 0.055, -0.024, -0.03, 0.053, 0.031, 0.038, 0.025, 0.032, 0.023, 0.032]), (999, [-0.049, -0.288, -0.239, 0.169, 0.095, -0.263, 0.129, 0.071, -0.038, 0.001, -0.018, 0.006])]),
    ("records100/00000/00004_lr", 100, 1000, [(0, [-0.054, -0.138, -0.083, 0.096, 0.015, -0.11, 0.025, -0.035, -0.04, -0.3, -0.184, -0.174]), (333, [-0.019, -0.307, -0.287, 0.163, 0.134, -0.297, 0.101, -0.03, -0.103, -0.143, -0.051, -0.035]), (999, [0.028, -0.899, -0.927, 0.436, 0.478, -0.913, 0.329, 0.347, 0.393, 0.295, 0.239, 0.236])]),
    ("records100/00000/00005_lr", 100, 1000, [(0, [-0.034, -0.574, -0.54, 0.304, 0.253, -0.556, 0.2, 0.25, 0.135, 0.165, 0.135, 0.115]), (333, [0.068, 0.109, 0.042, -0.089, 0.013, 0.075, -0.001, 0.242, 0.177, 0.117, 0.104, 0.058]), (999, [-0.012, 0.148, 0.16, -0.068, -0.087, 0.154, -0.01, -0.08, -0.204, -0.184, -0.171, -0.141])]),
    ("records100/00000/00006_lr", 100, 1000, [(0, [-0.032, -0.239, -0.208, 0.135, 0.088, -0.223, -0.599, 0.079, 0.02, 0.12, -0.015, -0.035]), (333, [0.05, 0.147, 0.098, -0.099, -0.024, 0.122, 0.442, -0.022, -0.007, 0.056, 0.021, 0.021]), (999, [-0.419, -0.351, 0.068, 0.385, -0.243, -0.142, 0.227, -0.183, -0.187, -0.15, 0.065, 0.024])]),
    ("records100/00000/00007_lr", 100, 1000, [(0, [-0.09, -0.02, 0.07, 0.055, -0.08, 0.025, 0.045, -0.045, -0.07, -0.025, 0.02, -0.005]), (333, [-0.162, -0.193, -0.03, 0.178, -0.066, -0.111, -0.04, -0.298, -0.415, -0.416, -0.34, -0.272]), (999, [0.03, -0.001, -0.031, -0.014, 0.031, -0.016, -0.017, 0.061, -0.077, -0.122, -0.084, -0.095])]),
    ("records100/00000/00008_lr", 100, 1000, [(0, [-0.041, -0.08, -0.039, 0.06, -0.001, -0.06, 0.045, -0.005, 0.005, -0.055, -0.07, -0.04]), (333, [-0.084, -0.388, -0.304, 0.236, 0.11, -0.345, 0.167, 0.109, 0.031, 0.01, 0.029, 0.039]), (999, [-0.097, 0.378, 0.474, -0.141, -0.286, 0.426, -0.064, -0.255, -0.315, -0.187, -0.19, -0.002])]),
    ("records100/00000/00009_lr", 100, 1000, [(0, [-0.145, -0.097, 0.049, 0.121, -0.096, -0.024, -0.579, -0.818, -0.647, -0.452, -0.269, -0.032]), (333, [-0.132, -0.116, 0.017, 0.124, -0.074, -0.049, 0.007, -0.069, -0.081, -0.095, -0.065, -0.08]), (999, [0.338, 0.361, 0.023, -0.35, 0.157, 0.191, 0.197, 0.473, 0.531, 0.515, 0.447, 0.299])]),
    ("records100/00000/00010_lr", 100, 1000, [(0, [-0.065, -0.117, -0.053, 0.091, -0.006, -0.084, 0.071, -0.173, -0.106, -0.118, -0.047, -0.074]), (333, [-0.048, -0.065, -0.017, 0.057, -0.015, -0.041, 0.005, -0.07, -0.035, -0.09, -0.03, 0.03]), (999, [-0.009, 0.129, 0.138, -0.06, -0.073, 0.134, -0.014, 0.007, -0.008, -0.019, -0.009, -0.286])]),
    ("records100/00000/00011_lr", 100, 1000, [(0, [0.199, 0.084, -0.115, -0.142, 0.157, -0.015, -0.146, 0.038, 0.157, -0.038, 0.041, 0.127]), (333, [-0.038, -0.072, -0.034, 0.055, -0.002, -0.052, 0.14, 0.156, -0.009, 0.021, -0.015, -0.006]), (999, [-0.072, -0.159, -0.088, 0.116, 0.008, -0.123, 0.001, 0.088, -0.06, -0.026, -0.046, -0.023])]),
    ("records100/00000/00012_lr", 100, 1000, [(0, [0.079, 0.163, 0.084, -0.121, -0.003, 0.123, 0.069, -0.085, 0.377, 0.391, 0.308, -0.048]), (333, [-0.031, -0.015, 0.016, 0.023, -0.023, 0.0, 0.01, -0.025, -0.136, -0.109, -0.1, 0.004]), (999, [0.326, 0.651, 0.325, -0.488, 0.0, 0.488, -0.849, -1.222, 0.206, 0.664, 0.796, 0.582])]),
    ("records100/00000/00013_lr", 100, 1000, [(0, [-0.117, -0.121, -0.004, 0.119, -0.056, -0.062, 0.16, 0.122, 0.023, -0.089, -0.198, -0.206]), (333, [0.03, 0.025, -0.005, -0.027, 0.017, 0.01, 0.047, 0.112, 0.165, 0.136, 0.111, 0.09]), (999, [-0.057, -0.14, -0.083, 0.099, 0.013, -0.111, -0.173, -0.038, -0.14, -0.158, -0.076, -0.05])]),
    ("records100/00000/00014_lr", 100, 1000, [(0, [-0.091, -0.039, 0.052, 0.065, -0.071, 0.006, -0.111, -0.138, -0.164, -0.029, 0.02, -0.019]), (333, [-0.109, -0.159, -0.05, 0.134, -0.029, -0.104, -0.075, -0.235, -0.128, -0.14, -0.101, -0.13]), (999, [-0.115, 0.025, 0.141, 0.045, -0.129, 0.083, -0.046, 0.17, -0.02, 0.196, -0.003, 0.012])]),
    ("records100/00000/00015_lr", 100, 1000, [(0, [-0.049, 0.055, 0.104, -0.003, -0.077, 0.08, 0.0, -0.02, -0.055, -0.05, -0.02, 0.076]), (333, [0.027, 0.222, 0.194, -0.124, -0.084, 0.208, 0.071, 0.247, 0.074, 0.042, 0.034, 0.06]), (999, [0.078, -0.344, -0.423, 0.133, 0.25, -0.383, -0.259, -0.073, 0.056, -0.06, 0.014, -0.08])]),
    ("records100/00000/00016_lr", 100, 1000, [(0, [0.007, -0.038, -0.045, 0.016, 0.027, -0.042, -0.614, -0.136, 0.378, 0.105, -0.046, -0.065]), (333, [0.153, 0.204, 0.051, -0.178, 0.05, 0.127, -0.181, 0.331, 0.472, 0.414, 0.348, 0.225]), (999, [-0.074, -0.075, 0.0, 0.075, -0.037, -0.037, 0.394, 0.462, -0.565, -0.225, -0.136, 0.037])]),
    ("records100/00000/00017_lr", 100, 1000, [(0, [-0.041, -0.305, -0.264, 0.173, 0.112, -0.284, 0.174, 0.241, 0.02, -1.588, -0.394, -0.465]), (333, [-0.063, 0.176, 0.239, -0.057, -0.151, 0.207, -0.018, 0.098, 0.016, 0.155, -0.041, 0.001]), (999, [0.079, 0.166, 0.087, -0.123, -0.004, 0.126, -0.084, 0.27, 0.489, 1.085, 0.28, 0.306])]),
    ("records100/00000/00018_lr", 100, 1000, [(0, [-0.053, 0.077, 0.13, -0.012, -0.091, 0.103, 0.055, 0.029, 0.062, 0.036, 0.053, 0.08]), (333, [-0.048, 0.03, 0.078, 0.009, -0.063, 0.054, -0.005, -0.061, -0.059, -0.064, -0.055, -0.041]), (999, [0.078, 0.104, 0.026, -0.091, 0.026, 0.064, 0.014, 0.27, -0.208, 0.148, -0.069, 0.041])]),
    ("records100/00000/00019_lr", 100, 1000, [(0, [-0.125, 0.01, 0.135, 0.057, -0.13, 0.072, -0.03, -0.025, -0.295, -0.23, -0.19, -0.24]), (333, [0.039, -0.062, -0.101, 0.012, 0.07, -0.081, -0.018, -0.231, -0.131, -0.116, -0.089, -0.073]), (999, [0.013, -0.041, -0.054, 0.015, 0.033, -0.047, 0.011, 0.23, 0.079, -0.057, -0.022, 0.06])]),
    ("records100/00000/00020_lr", 100, 1000, [(0, [-0.07, 0.051, 0.12, 0.01, -0.095, 0.085, -0.18, 0.15, 0.167, 0.123, 0.073, 0.014]), (333, [-0.137, -0.243, -0.105, 0.191, -0.016, -0.174, 0.048, 0.044, -0.123, -0.193, -0.258, -0.214]), (999, [-0.048, -0.179, -0.13, 0.114, 0.041, -0.154, 0.148, -0.319, -0.095, -0.161, -0.082, -0.116])]),
    ("records500/00000/00001_hr", 500, 5000, [(0, [-0.115, -0.05, 0.065, 0.082, -0.09, 0.007, -0.065, -0.04, -0.005, -0.035, -0.035, -0.075]), (1666, [-0.048, 0.043, 0.09, 0.003, -0.069, 0.066, 0.026, 0.08, 0.065, 0.051, 0.05, 0.07]), (4999, [0.21, 0.205, -0.005, -0.207, 0.107, 0.1, 0.075, 0.225, 0.175, 0.185, 0.17, 0.18])]),
    ("records500/00000/00002_hr", 500, 5000, [(0, [-0.015, 0.12, 0.135, -0.053, -0.075, 0.127, -0.105, 0.07, 0.115, 0.16, 0.06, 0.065]), (1666, [0.005, -0.026, -0.03, 0.01, 0.018, -0.028, 0.02, -0.03, -0.075, -0.075, -0.075, -0.095]), (4999, [-0.055, 0.015, 0.07, 0.02, -0.063, 0.042, 0.055, -0.085, -0.185, -0.215, -0.195, -0.13])]),
    ("records500/00000/00003_hr", 500, 5000, [(0, [-0.035, -0.07, -0.035, 0.053, 0.0, -0.052, 0.01, -0.05, -0.115, -0.1, -0.075, -0.065]), (1666, [-0.027, 0.049, 0.076, -0.011, -0.052, 0.062, 0.033, 0.036, 0.022, 0.031, 0.021, 0.031]), (4999, [-0.04, -0.18, -0.14, 0.11, 0.05, -0.16, 0.105, 0.045, 0.02, -0.015, 0.02, 0.025])]),
    ("records500/00000/00004_hr", 500, 5000, [(0, [-0.055, -0.155, -0.1, 0.105, 0.023, -0.127, 0.025, -0.04, -0.045, -0.305, -0.185, -0.175]), (1666, [-0.025, -0.306, -0.282, 0.165, 0.129, -0.294, 0.101, -0.03, -0.105, -0.14, -0.05, -0.035]), (4999, [0.105, 0.375, 0.27, -0.24, -0.083, 0.322, -0.09, -0.915, 0.365, 3.025, 2.125, 1.59])]),
    ("records500/00000/00005_hr", 500, 5000, [(0, [-0.04, -0.575, -0.535, 0.308, 0.248, -0.555, 0.2, 0.25, 0.13, 0.165, 0.135, 0.115]), (1666, [0.077, 0.123, 0.045, -0.101, 0.016, 0.084, 0.0, 0.24, 0.188, 0.123, 0.115, 0.064]), (4999, [0.02, 0.235, 0.215, -0.128, -0.098, 0.225, -0.03, -0.065, -0.175, -0.17, -0.175, -0.125])]),
    ("records500/00000/00006_hr", 500, 5000, [(0, [-0.03, -0.235, -0.205, 0.133, 0.088, -0.22, -0.6, 0.08, 0.025, 0.12, -0.015, -0.08]), (1666, [0.041, 0.141, 0.1, -0.091, -0.03, 0.121, 0.442, -0.02, -0.006, 0.055, 0.02, 0.021]), (4999, [-0.105, -0.02, 0.085, 0.062, -0.095, 0.032, 0.15, 0.055, -0.075, -0.075, 0.015, 0.07])]),
    ("records500/00000/00007_hr", 500, 5000, [(0, [-0.09, -0.02, 0.07, 0.055, -0.08, 0.025, 0.045, -0.045, -0.07, -0.03, 0.02, -0.005]), (1666, [-0.142, -0.193, -0.051, 0.167, -0.045, -0.122, -0.064, -0.321, -0.445, -0.441, -0.354, -0.276]), (4999, [-0.045, 0.02, 0.065, 0.012, -0.055, 0.042, 0.03, 0.0, 0.015, -0.07, -0.035, -0.06])]),
    ("records500/00000/00008_hr", 500, 5000, [(0, [-0.04, -0.075, -0.035, 0.058, -0.002, -0.055, 0.045, -0.005, 0.0, -0.055, -0.07, -0.04]), (1666, [-0.085, -0.39, -0.305, 0.238, 0.11, -0.347, 0.17, 0.11, 0.03, 0.01, 0.03, 0.04]), (4999, [-0.1, 0.345, 0.445, -0.123, -0.273, 0.395, -0.09, -0.23, -0.31, -0.17, -0.16, -0.16])]),
    ("records500/00000/00009_hr", 500, 5000, [(0, [-0.12, -0.085, 0.035, 0.102, -0.077, -0.025, -0.39, -0.55, -0.485, -0.35, -0.25, -0.045]), (1666, [-0.105, -0.115, -0.01, 0.111, -0.047, -0.063, 0.005, -0.07, -0.08, -0.095, -0.065, -0.08]), (4999, [0.17, 0.155, -0.015, -0.162, 0.092, 0.07, 0.175, 0.21, 0.14, 0.14, 0.13, 0.07])]),
    ("records500/00000/00010_hr", 500, 5000, [(0, [-0.065, -0.12, -0.055, 0.093, -0.005, -0.087, 0.07, -0.18, -0.105, -0.115, -0.045, -0.08]), (1666, [-0.043, -0.065, -0.022, 0.054, -0.01, -0.043, 0.005, -0.07, -0.035, -0.09, -0.03, 0.03]), (4999, [-0.005, 0.13, 0.135, -0.063, -0.07, 0.132, -0.01, 0.165, 0.01, -0.01, -0.065, -0.27])]),
    ("records500/00000/00011_hr", 500, 5000, [(0, [0.25, 0.085, -0.165, -0.167, 0.207, -0.04, -0.155, 0.065, 0.18, -0.015, 0.07, 0.15]), (1666, [-0.035, -0.07, -0.035, 0.053, 0.0, -0.052, 0.14, 0.155, 0.0, 0.034, -0.01, -0.001]), (4999, [-0.07, -0.24, -0.17, 0.155, 0.05, -0.205, 0.085, 0.11, -0.025, -0.005, -0.005, -0.01])]),
    ("records500/00000/00012_hr", 500, 5000, [(0, [0.265, 0.35, 0.085, -0.308, 0.09, 0.217, -0.265, -0.66, 0.495, 0.72, 0.7, 0.28]), (1666, [-0.038, -0.015, 0.023, 0.026, -0.03, 0.004, 0.01, -0.025, -0.135, -0.11, -0.1, 0.005]), (4999, [-0.09, -0.02, 0.07, 0.055, -0.08, 0.025, 0.1, -0.005, -0.01, -0.03, -0.02, -0.23])]),
    ("records500/00000/00013_hr", 500, 5000, [(0, [-0.035, -0.045, -0.01, 0.04, -0.012, -0.027, 0.125, 0.135, 0.18, 0.075, -0.09, -0.13]), (1666, [0.046, 0.026, -0.019, -0.036, 0.032, 0.003, 0.049, 0.111, 0.162, 0.127, 0.107, 0.087]), (4999, [-0.015, -0.1, -0.085, 0.058, 0.035, -0.092, -0.02, -0.045, -0.12, -0.085, -0.02, -0.07])]),
    ("records500/00000/00014_hr", 500, 5000, [(0, [-0.055, -0.045, 0.01, 0.05, -0.032, -0.017, -0.065, -0.06, -0.145, -0.015, 0.02, -0.035]), (1666, [-0.122, -0.18, -0.058, 0.151, -0.032, -0.119, -0.062, -0.192, -0.112, -0.145, -0.126, -0.146]), (4999, [-0.15, -0.04, 0.11, 0.095, -0.13, 0.035, -0.025, 0.065, -0.045, -0.125, -0.155, -0.035])]),
    ("records500/00000/00015_hr", 500, 5000, [(0, [-0.045, 0.055, 0.1, -0.005, -0.073, 0.077, 0.0, -0.02, -0.055, -0.05, -0.025, 0.075]), (1666, [0.027, 0.229, 0.202, -0.128, -0.088, 0.215, 0.07, 0.248, 0.085, 0.044, 0.038, 0.063]), (4999, [0.13, -0.215, -0.345, 0.043, 0.238, -0.28, 0.0, -0.03, -0.01, 0.03, 0.0, -0.035])]),
    ("records500/00000/00016_hr", 500, 5000, [(0, [0.015, -0.07, -0.085, 0.028, 0.05, -0.077, -0.61, -0.18, 0.36, 0.1, -0.05, -0.07]), (1666, [0.157, 0.205, 0.049, -0.182, 0.054, 0.127, -0.18, 0.332, 0.47, 0.411, 0.348, 0.223]), (4999, [-0.03, -0.235, -0.205, 0.133, 0.088, -0.22, 0.36, 0.5, -0.235, -0.29, -0.235, -0.12])]),
    ("records500/00000/00017_hr", 500, 5000, [(0, [-0.06, -0.31, -0.25, 0.185, 0.095, -0.28, 0.18, 0.26, 0.04, -1.58, -0.39, -0.465]), (1666, [-0.026, 0.18, 0.206, -0.077, -0.116, 0.193, -0.031, 0.12, 0.045, 0.181, -0.04, 0.001]), (4999, [-0.085, -0.225, -0.14, 0.155, 0.028, -0.182, 0.025, -0.055, 0.01, 0.59, -0.045, 0.1])]),
    ("records500/00000/00018_hr", 500, 5000, [(0, [-0.05, 0.065, 0.115, -0.008, -0.083, 0.09, 0.035, 0.03, 0.065, 0.04, 0.055, 0.075]), (1666, [-0.06, 0.021, 0.081, 0.019, -0.07, 0.051, 0.004, -0.055, -0.06, -0.075, -0.055, -0.04]), (4999, [-0.145, -0.06, 0.085, 0.102, -0.115, 0.012, 0.265, -0.01, -0.065, -0.065, -0.1, -0.095])]),
    ("records500/00000/00019_hr", 500, 5000, [(0, [-0.125, 0.01, 0.135, 0.057, -0.13, 0.072, -0.03, -0.025, -0.295, -0.23, -0.19, -0.24]), (1666, [0.046, -0.07, -0.115, 0.012, 0.08, -0.092, -0.016, -0.205, -0.105, -0.1, -0.085, -0.075]), (4999, [0.195, 0.16, -0.035, -0.177, 0.115, 0.062, 0.1, 0.875, 0.605, 0.37, 0.27, 0.24])]),
    ("records500/00000/00020_hr", 500, 5000, [(0, [-0.07, 0.05, 0.12, 0.01, -0.095, 0.085, -0.175, 0.15, 0.16, 0.11, 0.06, 0.01]), (1666, [-0.136, -0.25, -0.114, 0.194, -0.011, -0.181, 0.054, 0.049, -0.13, -0.199, -0.26, -0.22]), (4999, [0.03, 0.075, 0.045, -0.053, -0.008, 0.06, 0.1, 0.25, 0.09, 0.01, 0.09, 0.03])]),
];

#[test]
fn all_40_ptbxl_records_have_12_named_leads_and_wfdb_python_values() {
    for (rel, fs, sig_len, spots) in PHYSICAL {
        let r = read(rel);
        assert_eq!(r.fs_hz, f64::from(fs), "{rel}");
        assert_eq!(r.sig_len(), sig_len, "{rel}");
        assert_eq!(r.duration_s(), 10.0, "{rel}");
        let names: Vec<&str> = r.signals.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, LEADS, "{rel}");
        for s in &r.signals {
            assert_eq!(
                (s.adc_gain, s.baseline, s.units.as_str()),
                (1000.0, 0, "mV"),
                "{rel}"
            );
            assert_eq!(s.len(), sig_len);
        }
        for (i, values) in spots {
            for (lead, want) in values.iter().enumerate() {
                let got = f64::from(r.signals[lead].physical(i));
                assert!(
                    (got - want).abs() < 1e-6,
                    "{rel} lead {} sample {i}: {got} vs {want}",
                    LEADS[lead]
                );
            }
        }
    }
    // Both rates of every record are there.
    let lr = PHYSICAL.iter().filter(|p| p.1 == 100).count();
    assert_eq!((lr, PHYSICAL.len() - lr), (20, 20));
}

/// ecg_id, patient_id, age, sex, strat_fold, filename_hr, and (code, likelihood, description)
/// of each statement, from pandas: `/tmp/venv-detect/bin/python ptbxl_statements.py .` run in
/// ../shared/data/ptbxl-sample (pandas as installed with wfdb 4.3.1), where
/// `ptbxl_statements.py` is:
///
/// ```text
/// import ast, sys, pandas as pd
/// root = sys.argv[1]
/// db = pd.read_csv(f'{root}/ptbxl_database.csv', index_col='ecg_id')
/// st = pd.read_csv(f'{root}/scp_statements.csv', index_col=0)
/// print(len(db), len(st))                      # 500 71
/// for i in [1, 8, 17, 20, 143, 170, 219, 266, 316]:
///     row = db.loc[i]
///     codes = ast.literal_eval(row.scp_codes)
///     items = ", ".join(f'("{k}", {v!r}, "{st.loc[k].description}")' for k, v in codes.items())
///     age = float(row.age)
///     print(f'    ({i}, {int(row.patient_id)}, {age!r}, {int(row.sex)}, {int(row.strat_fold)}, "{row.filename_hr}", &[{items}]),')
/// ```
#[allow(clippy::type_complexity)]
#[rustfmt::skip]
const STATEMENTS: [(u32, u32, f32, u8, u8, &str, &[(&str, f64, &str)]); 9] = [
    (1, 15709, 56.0, 1, 3, "records500/00000/00001_hr", &[("NORM", 100.0, "normal ECG"), ("LVOLT", 0.0, "low QRS voltages in the frontal and horizontal leads"), ("SR", 0.0, "sinus rhythm")]),
    (8, 11275, 48.0, 0, 9, "records500/00000/00008_hr", &[("IMI", 35.0, "inferior myocardial infarction"), ("ABQRS", 0.0, "abnormal QRS"), ("SR", 0.0, "sinus rhythm")]),
    (17, 13619, 56.0, 0, 9, "records500/00000/00017_hr", &[("AFLT", 100.0, "atrial flutter"), ("ABQRS", 0.0, "abnormal QRS"), ("AFIB", 0.0, "atrial fibrillation")]),
    (20, 13619, 56.0, 0, 9, "records500/00000/00020_hr", &[("AFLT", 100.0, "atrial flutter"), ("ABQRS", 0.0, "abnormal QRS")]),
    (143, 16914, 81.0, 0, 9, "records500/00000/00143_hr", &[("PACE", 100.0, "normal functioning artificial pacemaker")]),
    (170, 15691, 77.0, 1, 9, "records500/00000/00170_hr", &[("NST_", 100.0, "non-specific ST changes"), ("PVC", 100.0, "ventricular premature complex"), ("SR", 0.0, "sinus rhythm")]),
    (219, 21519, 78.0, 1, 9, "records500/00000/00219_hr", &[("NORM", 50.0, "normal ECG"), ("PVC", 100.0, "ventricular premature complex"), ("SR", 0.0, "sinus rhythm")]),
    (266, 641, 81.0, 1, 9, "records500/00000/00266_hr", &[("ALMI", 100.0, "anterolateral myocardial infarction"), ("IMI", 80.0, "inferior myocardial infarction"), ("LAFB", 100.0, "left anterior fascicular block"), ("PVC", 100.0, "ventricular premature complex"), ("ANEUR", 50.0, "ST-T changes compatible with ventricular aneurysm"), ("QWAVE", 0.0, "Q waves present"), ("INVT", 0.0, "inverted T-waves"), ("SR", 0.0, "sinus rhythm")]),
    (316, 380, 69.0, 1, 1, "records500/00000/00316_hr", &[("LVH", 50.0, "left ventricular hypertrophy"), ("ISC_", 50.0, "non-specific ischemic"), ("EL", 100.0, "electrolytic disturbance or drug (former EDIS)"), ("PVC", 100.0, "ventricular premature complex"), ("PAC", 0.0, "atrial premature complex"), ("VCLVH", 0.0, "voltage criteria (QRS) for left ventricular hypertrophy"), ("STD_", 0.0, "non-specific ST depression"), ("SARRH", 0.0, "sinus arrhythmia")]),
];

#[test]
fn ptbxl_metadata_matches_pandas() {
    let db = read_database(&std::fs::read(format!("{DATA}/ptbxl_database.csv")).expect("csv"))
        .expect("database");
    let table = read_statements(&std::fs::read(format!("{DATA}/scp_statements.csv")).expect("csv"))
        .expect("statements");
    assert_eq!((db.len(), table.len()), (500, 71));
    for (id, patient, age, sex, fold, hr, codes) in STATEMENTS {
        let r = db.iter().find(|r| r.ecg_id == id).expect("row");
        assert_eq!(r.patient_id, Some(patient));
        assert_eq!(r.age_years, Some(age));
        assert_eq!(r.sex, Some(if sex == 0 { Sex::Male } else { Sex::Female }));
        assert_eq!(r.strat_fold, fold);
        assert_eq!(r.filename_hr, hr);
        assert_eq!(
            r.filename_lr,
            hr.replace("500", "100").replace("_hr", "_lr")
        );
        let got: Vec<(&str, f64, &str)> = r
            .statements(&table)
            .iter()
            .map(|s| {
                (
                    s.code.code.as_str(),
                    s.code.likelihood_percent,
                    s.statement.map_or("", |t| t.description.as_str()),
                )
            })
            .collect();
        assert_eq!(got, codes, "ecg_id {id}");
    }
    // Beat-level meaning of record-level statements.
    let hints = |id: u32| {
        db.iter()
            .find(|r| r.ecg_id == id)
            .expect("row")
            .beat_hints()
    };
    assert_eq!(hints(1), []);
    assert_eq!(hints(219), [BeatHint::Class(AamiClass::V)]);
    assert_eq!(hints(143), [BeatHint::Class(AamiClass::Q)]);
    assert_eq!(
        hints(316),
        [BeatHint::Class(AamiClass::V), BeatHint::Class(AamiClass::S)]
    );
    let with_pvc = db
        .iter()
        .filter(|r| r.scp_codes.iter().any(|c| c.code == "PVC"))
        .count();
    let with_pac = db
        .iter()
        .filter(|r| r.scp_codes.iter().any(|c| c.code == "PAC"))
        .count();
    println!("PTB-XL rows with PVC {with_pvc}, with PAC {with_pac}");
    // Columns of scp_statements.csv: PVC and PAC are form statements, not diagnostic.
    let pvc = table.iter().find(|s| s.code == "PVC").expect("PVC");
    assert!(pvc.form && !pvc.diagnostic && !pvc.rhythm);
    assert_eq!(pvc.aha_code.as_deref(), Some("60"));
    assert_eq!(
        pvc.category,
        "Statements related to ectopic rhythm abnormalities"
    );
    let imi = table.iter().find(|s| s.code == "IMI").expect("IMI");
    assert_eq!(
        (
            imi.diagnostic_class.as_deref(),
            imi.diagnostic_subclass.as_deref()
        ),
        (Some("MI"), Some("IMI"))
    );
    // Every statement a record uses is described, and every file on disk has its row.
    for r in &db {
        for s in r.statements(&table) {
            assert!(s.statement.is_some(), "{} uses {}", r.ecg_id, s.code.code);
        }
    }
    for id in 1..=20u32 {
        let r = db.iter().find(|r| r.ecg_id == id).expect("row");
        for rel in [&r.filename_lr, &r.filename_hr] {
            assert!(
                std::path::Path::new(&format!("{DATA}/{rel}.hea")).exists(),
                "{rel}"
            );
        }
    }
}

#[test]
fn challenge_header_comments_give_age_sex_and_snomed_codes() {
    // A header in the Challenge 2021 layout (signals in a .mat file after a 24-byte header,
    // `# Age/Sex/Dx/Rx/Hx/Sx` comments), with the signal lines of PTB-XL 00001_hr and made-up
    // labels: low QRS voltages, sinus rhythm, PVCs.
    let header = "HR00001 12 500 5000\n\
        HR00001.mat 16+24 1000/mV 16 0 -115 13047 0 I\n\
        HR00001.mat 16+24 1000/mV 16 0 -50 11561 0 II\n\
        HR00001.mat 16+24 1000/mV 16 0 65 64050 0 III\n\
        HR00001.mat 16+24 1000/mV 16 0 82 53190 0 aVR\n\
        HR00001.mat 16+24 1000/mV 16 0 -90 7539 0 aVL\n\
        HR00001.mat 16+24 1000/mV 16 0 7 5145 0 aVF\n\
        HR00001.mat 16+24 1000/mV 16 0 -65 59817 0 V1\n\
        HR00001.mat 16+24 1000/mV 16 0 -40 44027 0 V2\n\
        HR00001.mat 16+24 1000/mV 16 0 -5 64232 0 V3\n\
        HR00001.mat 16+24 1000/mV 16 0 -35 50309 0 V4\n\
        HR00001.mat 16+24 1000/mV 16 0 -35 4821 0 V5\n\
        HR00001.mat 16+24 1000/mV 16 0 -75 12159 0 V6\n\
        # Age: 56\n\
        # Sex: Female\n\
        # Dx: 251146004,426783006,427172004\n\
        # Rx: Unknown\n\
        # Hx: Unknown\n\
        # Sx: Unknown\n";
    let h = parse_header(header.as_bytes()).expect("header");
    assert_eq!((h.n_sig, h.fs), (12, 500.0));
    let labels = parse_challenge_comments(&h.comments).expect("comments");
    assert_eq!(labels.age_years, Some(56.0));
    assert_eq!(labels.sex, Some(Sex::Female));
    assert_eq!(labels.dx_snomed, [251146004, 426783006, 427172004]);
    assert_eq!((labels.rx.as_deref(), labels.hx.as_deref()), (None, None));
    let beats: Vec<(&str, BeatHint)> = labels
        .beat_codes()
        .iter()
        .map(|s| (s.abbreviation, s.beats))
        .collect();
    assert_eq!(
        beats,
        [
            ("SNR", BeatHint::Class(AamiClass::N)),
            ("PVC", BeatHint::Class(AamiClass::V))
        ]
    );

    let other = parse_challenge_comments(&["#Age: NaN", "Sex: M", "Dx: 284470004, 164889003"])
        .expect("comments");
    assert_eq!((other.age_years, other.sex), (None, Some(Sex::Male)));
    let classes: Vec<BeatHint> = other.beat_codes().iter().map(|s| s.beats).collect();
    assert_eq!(
        classes,
        [BeatHint::Class(AamiClass::S), BeatHint::Class(AamiClass::N)]
    );
    assert!(matches!(
        parse_challenge_comments(&["Dx: 426783006,PVC"]),
        Err(PtbxlError::Comment { key: "Dx", .. })
    ));
    assert!(matches!(
        parse_challenge_comments(&["Sex: 2"]),
        Err(PtbxlError::Comment { key: "Sex", .. })
    ));
    assert!(matches!(
        parse_challenge_comments(&["Age: old"]),
        Err(PtbxlError::Comment { key: "Age", .. })
    ));
    assert_eq!(
        parse_challenge_comments(&["no labels here"]),
        Ok(Default::default())
    );
}

/// Dropped together, PTB-XL's tables give each record its statements in the record list (and
/// the beat class a statement implies); the records add no beat labels. A Challenge header's
/// `# Dx:` codes are statements too.
#[test]
fn dropped_ptbxl_tables_give_records_their_statements_and_no_beats() {
    use ecg_balance_lab::io::files::{Grouped, InputFile};
    use ecg_balance_lab::workspace::Workspace;
    let file = |rel: &str| InputFile {
        path: rel.to_string(),
        bytes: std::fs::read(format!("{DATA}/{rel}")).unwrap(),
    };
    let mut ws = Workspace::new();
    let report = ws.load_all(&Grouped::new(vec![
        file("ptbxl_database.csv"),
        file("scp_statements.csv"),
        file("records100/00000/00001_lr.hea"),
        file("records100/00000/00001_lr.dat"),
        file("records500/00000/00017_hr.hea"),
        file("records500/00000/00017_hr.dat"),
    ]));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let rows = ws.record_summaries();
    assert_eq!(rows.len(), 2);
    let s1 = &rows
        .iter()
        .find(|r| r.name == "00001_lr")
        .unwrap()
        .statements;
    let codes: Vec<&str> = s1.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes, ["NORM", "LVOLT", "SR"]);
    assert_eq!(s1[0].likelihood_percent, Some(100.0));
    assert_eq!(s1[0].description.as_deref(), Some("normal ECG"));
    assert!(s1.iter().all(|s| s.beats.is_none()));
    let s17 = &rows
        .iter()
        .find(|r| r.name == "00017_hr")
        .unwrap()
        .statements;
    assert_eq!(s17[0].code, "AFLT");
    assert!(rows.iter().all(|r| r.counts.total() == 0), "no beat labels");

    // A Challenge-style header: its Dx codes, named when they imply beats.
    let mut ws = Workspace::new();
    let hea = "A0001 1 500 1000\nA0001.dat 16 1000/mV 16 0 0 0 0 I\n# Age: 74\n# Sex: Male\n# Dx: 427172004,59118001\n";
    let report = ws.load_all(&Grouped::new(vec![
        InputFile {
            path: "A0001.hea".into(),
            bytes: hea.as_bytes().to_vec(),
        },
        InputFile {
            path: "A0001.dat".into(),
            bytes: vec![0u8; 2000],
        },
    ]));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let rows = ws.record_summaries();
    let s = &rows[0].statements;
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].code, "427172004");
    assert_eq!(s[0].beats, Some(BeatHint::Class(AamiClass::V)));
    assert!(s[1].beats.is_none());
}
