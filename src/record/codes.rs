//! MIT annotation codes and their symbols: the table of WFDB's `ecgcodes.h`, in the order of
//! wfdb-python's `ann_label_table` (codes 0–49). Codes 59–63 are the file format's pseudo-codes
//! (SKIP, NUM, SUB, CHN, AUX) and never reach an [`crate::Annotation`].
//!
//! It lives beside [`crate::Annotation`] (whose [`symbol`](crate::Annotation::symbol) reads it)
//! rather than in the WFDB reader, so the record type does not depend on a reader;
//! `crate::io::wfdb::codes` re-exports it.

/// Symbol of each MIT annotation code 0..=49 (empty where the code is unassigned).
pub const SYMBOLS: [&str; 50] = [
    " ", "N", "L", "R", "a", "V", "F", "J", "A", "S", // 0–9
    "E", "j", "/", "Q", "~", "", "|", "", "s", "T", // 10–19
    "*", "D", "\"", "=", "p", "B", "^", "t", "+", "u", // 20–29
    "?", "!", "[", "]", "e", "n", "@", "x", "f", "(", // 30–39
    ")", "r", "", "", "", "", "", "", "", "", // 40–49
];

/// Highest annotation code that names an annotation (ACMAX in WFDB).
pub const ACMAX: u8 = 49;

/// Symbol of `code` (`""` for unassigned codes).
pub fn symbol(code: u8) -> &'static str {
    SYMBOLS.get(usize::from(code)).copied().unwrap_or("")
}

/// Code of `symbol`, if it names an annotation.
pub fn code(symbol: &str) -> Option<u8> {
    if symbol.is_empty() {
        return None;
    }
    SYMBOLS
        .iter()
        .position(|s| *s == symbol)
        .and_then(|i| u8::try_from(i).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_round_trips_and_symbols_are_unique() {
        for (i, s) in SYMBOLS.iter().enumerate() {
            if s.is_empty() {
                continue;
            }
            assert_eq!(code(s), Some(i as u8), "symbol {s:?}");
            assert_eq!(SYMBOLS.iter().filter(|t| *t == s).count(), 1, "{s:?} twice");
        }
        assert_eq!(symbol(1), "N");
        assert_eq!(symbol(5), "V");
        assert_eq!(symbol(12), "/");
        assert_eq!(symbol(38), "f");
        assert_eq!(symbol(200), "");
        assert_eq!(code(""), None);
    }
}
