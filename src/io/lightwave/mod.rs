//! PhysioNet's LightWAVE JSON service, without I/O: request URLs, parsers of its answers, and an
//! [`Assembler`] that turns a record's `info` and its signal windows into a [`Record`](crate::Record).
//!
//! The protocol is the one of the LightWAVE server, `server/lightwave.c` by G. B. Moody (version
//! 0.67, 12 March 2019, in the `bemoody/lightwave` repository; earlier versions 0.24 and 0.62
//! agree on everything used here), and of its own client, `client/js/lightwave.js`. Everything
//! below was checked against that source:
//!
//! | request | answer |
//! |---|---|
//! | `?action=dblist` | `{"database":[{"name","desc"}],"version","success":true}` |
//! | `?action=rlist&db=D` | `{"record":["100",…],"success":true}` |
//! | `?action=alist&db=D` | `{"annotator":[{"name","desc"}],"success":true}` |
//! | `?action=info&db=D&record=R` | `{"info":{"db","record","tfreq","start","end","duration","signal":[{"name","tps","units","gain","adcres","adczero","baseline"}]\|null,"note":[…]\|null},"success":true}` |
//! | `?action=fetch&db=D&record=R&signal=S…&annotator=A…&t0=T&dt=N` | `{"fetch":{"signal":[{"name","units","t0","tf","gain","base","tps","scale","samp"}],"annotator":[{"name","annotation":[{"t","a","s","c","n","x"}],"description":{…}}]}}` |
//!
//! A refusal is `{"success":false,"error":"…"}` (`lwfail`).
//!
//! Facts the source fixes, and this module relies on:
//!
//! - **Samples**: `samp` holds the first sample in adu, then each following sample minus the one
//!   before it (`delta = *sbo - prev`, `prev` starting at 0). Samples are what the WFDB
//!   library's `getframe` returns, so a missing sample is `WFDB_INVALID_SAMPLE` (−32768) whatever
//!   the file's format: the assembled signals carry `invalid_adu = Some(-32768)`.
//! - **Times**: `t0` is parsed by WFDB's `strtim` (plain seconds rounded to the nearest frame,
//!   `(long)(x*f + 0.5)`, or `sNNN` for frame NNN); `dt` by `atoi`, so whole seconds only, then
//!   `dt *= ffreq` (truncated). A `dt` over 120 s *and* over 120 000 samples is cut to 120 s
//!   ([`served_frames`]). The answer's `t0`/`tf` are in ticks of `tfreq` (frames when every
//!   signal has one sample per frame). A window past the end holds fewer samples.
//! - **Annotations**: `dt=0` with no `t0` returns every annotation of the record (what
//!   LightWAVE's client does, `read_annotations`); `t` is in ticks, `a` the mnemonic (`annstr`:
//!   `N`, `V`, `+`, …, `[15]` for an unnamed code), `s`/`c`/`n` subtype, chan and num, `x` the
//!   aux string or `null`.
//! - **Text** (`strjson`): a string ends at its first NUL byte, control characters become
//!   spaces and bytes that are not UTF-8 become `?`. So an `aux_note` of `"(N\0"`, as MIT-BIH
//!   stores rhythm labels, arrives as `"(N"`: the one difference from the files that no client
//!   can undo.
//! - **Names**: a signal without a description (WFDB's `record 100, signal 0`) is named `v[0]`;
//!   repeated names get a suffix `:k*` (`force_unique_signames`). The assembler maps both back
//!   to this crate's conventions (`signal 0`, the repeated name).
//! - **Numbers** are printed with `%g`: six significant digits for `gain` and `tfreq`.
//! - **Header comments** come as `note` (WFDB's `getinfo`), trimmed here of spaces, tabs and
//!   `#` as the header reader does.
//!
//! Not supported (the assembler says so): records whose signals have several samples per frame
//! (`tps` > 1, so ticks are not frames) and records whose `info` gives no duration.
//!
//! The answer's `Content-type` is `application/javascript` (the server also speaks JSONP with a
//! `callback` parameter, which this client never sends).

mod answer;
mod assemble;
mod error;
mod fetch;
#[cfg(test)]
mod tests;
mod url;

pub use answer::{
    Entry, Info, InfoSignal, parse_alist, parse_dblist, parse_duration_s, parse_info, parse_rlist,
};
pub use assemble::{Assembler, RecordPlan};
pub use error::LightwaveError;
pub use fetch::{
    Fetch, FetchAnnotation, FetchAnnotator, FetchSignal, code_of_mnemonic, parse_fetch,
};
pub use url::{Server, Window, encode_query_value, plan_windows, served_frames};

/// PhysioNet's public LightWAVE server.
pub const DEFAULT_SERVER: &str = "https://physionet.org/lightwave/server";

/// Seconds of signal asked for per `fetch` (LightWAVE's client asks for its window width; the
/// server serves at least 120 s, see [`served_frames`]).
pub const WINDOW_S: u32 = 60;

/// What `WFDB_INVALID_SAMPLE` is: the value of a missing sample in every answer.
pub const INVALID_SAMPLE_ADU: i16 = i16::MIN;
