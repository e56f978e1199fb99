//! The "Get data" panel of the Data screen: a catalogue of public databases that add minority
//! beats, fetching records through PhysioNet's LightWAVE service or from any CORS-enabled folder
//! of WFDB files, a cache of fetched records in this browser, and the fingerprints of what was
//! fetched.
//!
//! Only the network is the page's: it fetches what the user asked for (with retries and
//! exponential back-off, and Cancel), parses the few small listings (`dblist`, `rlist`, `info`,
//! `RECORDS`, a header), and hands the large answers to the worker, which assembles the record
//! ([`crate::session::fetch`]). Fetched records end as WFDB files loaded by the same
//! `LoadFiles` request as dropped files, so they appear in the records list and the
//! distribution exactly the same way.
//!
//! - [`state`]: the panel's state ([`FetchState`], held by the app state) and its steps;
//! - [`net`]: GET with retries, and the browser's cache, through `remote.js`;
//! - [`cache`]: records kept in the cache, and loading fetched files;
//! - [`answers`]: what the panel does with the worker's answers;
//! - [`lightwave`], [`folder`]: the two ways of fetching a record;
//! - [`views`], [`forms`]: the panel's components.

pub mod answers;
pub mod cache;
pub mod folder;
pub mod forms;
pub mod lightwave;
pub mod net;
pub mod state;
pub mod views;

pub use state::FetchState;
pub use views::GetDataPanel;
