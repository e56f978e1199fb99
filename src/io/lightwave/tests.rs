use super::fetch::file_signal_name;
use super::*;

#[test]
fn urls_follow_the_service() {
    let s = Server::new(DEFAULT_SERVER).unwrap();
    assert_eq!(
        s.dblist_url(),
        "https://physionet.org/lightwave/server?action=dblist"
    );
    assert_eq!(
        s.rlist_url("mitdb/1.0.0"),
        "https://physionet.org/lightwave/server?action=rlist&db=mitdb/1.0.0"
    );
    assert_eq!(
        s.annotations_url("mitdb", "100", &["atr"]),
        "https://physionet.org/lightwave/server?action=fetch&db=mitdb&record=100&annotator=atr&dt=0"
    );
    let w = &plan_windows(360.0, 650_000, 60)[2];
    assert_eq!(
        s.signals_url("mitdb", "100", &["MLII", "V 5"], w),
        "https://physionet.org/lightwave/server?action=fetch&db=mitdb&record=100&signal=MLII&signal=V%205&t0=120&dt=60"
    );
    let flags = Server::new("http://127.0.0.1:9/lw?x=1").unwrap();
    assert_eq!(
        flags.dblist_url(),
        "http://127.0.0.1:9/lw?x=1&action=dblist"
    );
    assert!(Server::new("ftp://x").is_err());
    assert!(Server::new("https://").is_err());
}

#[test]
fn windows_tile_the_record_as_the_server_counts_frames() {
    let w = plan_windows(360.0, 650_000, 60);
    assert_eq!(w.len(), 31);
    assert!(w.iter().all(|x| x.frames == 21_600));
    assert_eq!(w[30].t0_frame, 648_000);
    assert_eq!(w[30].t0_param, "1800");
    // 1 s of 2.5 Hz is not whole frames: the server truncates to 2, and frames are named.
    let odd = plan_windows(2.5, 9, 1);
    assert_eq!(odd.len(), 5);
    assert_eq!((odd[1].t0_frame, odd[1].t0_param.as_str()), (2, "s2"));
    // The server's cap: 120 s when over 120 s and over 120 000 samples.
    assert_eq!(served_frames(60, 360.0), 21_600);
    assert_eq!(served_frames(300, 360.0), 108_000);
    assert_eq!(served_frames(600, 360.0), 43_200);
    assert_eq!(served_frames(1000, 128.0), 15_360);
    assert_eq!(served_frames(900, 128.0), 115_200);
}

#[test]
fn durations_and_mnemonics() {
    assert_eq!(parse_duration_s("30:05.556"), Some(1805.556));
    assert_eq!(parse_duration_s("1:00:00.000"), Some(3600.0));
    assert_eq!(parse_duration_s("0:10.000"), Some(10.0));
    assert_eq!(parse_duration_s("x"), None);
    assert_eq!(code_of_mnemonic("N"), Some(1));
    assert_eq!(code_of_mnemonic("+"), Some(28));
    assert_eq!(code_of_mnemonic("["), Some(32));
    assert_eq!(code_of_mnemonic("[15]"), Some(15));
    assert_eq!(code_of_mnemonic("?!"), None);
}

#[test]
fn names_map_back() {
    let all = ["v[0]", "A:0*", "A:1*", "B:2*"];
    assert_eq!(file_signal_name("v[0]", 0, &all), "signal 0");
    assert_eq!(file_signal_name("A:0*", 1, &all), "A");
    assert_eq!(file_signal_name("B:2*", 3, &all), "B:2*");
}

#[test]
fn refusals_and_broken_answers() {
    let e = parse_rlist(br#"{"success": false, "error": "The list of records could not be read"}"#)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the LightWAVE server refused rlist: The list of records could not be read"
    );
    assert!(matches!(
        parse_info(b"<html>"),
        Err(LightwaveError::Json { what: "info", .. })
    ));
    let f = parse_fetch(br#"{"fetch":{"signal":[{"name":"I","units":"mV","t0":10,"tf":14,"gain":200,"base":0,"tps":1,"scale":1,"samp":[5,-1,2,0]}]}}"#).unwrap();
    assert_eq!(f.signals[0].samples_adu, vec![5, 4, 6, 6]);
    assert!(
        parse_fetch(br#"{"fetch":null}"#)
            .unwrap()
            .signals
            .is_empty()
    );
    assert!(parse_fetch(br#"{"fetch":{"signal":[{"name":"I","t0":0,"tf":1,"gain":200,"base":0,"tps":1,"samp":[40000]}]}}"#).is_err());
}
