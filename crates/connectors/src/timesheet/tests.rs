use super::*;
use rust_decimal_macros::dec;

fn opts(name: &str) -> ReadOptions {
    ReadOptions {
        file_name: name.into(),
        ..ReadOptions::default()
    }
}

fn dt(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

#[test]
fn clockify_detailed_csv_is_recognised_and_durations_come_from_start_and_end() {
    let t = read(
        include_bytes!("../../tests/fixtures/clockify_detailed.csv"),
        &opts("c.csv"),
    )
    .unwrap();
    assert_eq!(
        (t.format, t.encoding, t.separator),
        (Format::Clockify, "UTF-8", ',')
    );
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    assert_eq!(t.rows.len(), 4);
    let r = &t.rows[1];
    // 14:00–16:20 is 2:20 exactly; the decimal column says 2.33.
    assert_eq!((r.seconds, r.start), (8400, dt("2026-10-02 14:00")));
    assert_eq!(
        (r.rate, r.currency.as_deref()),
        (Some(dec!(95.00)), Some("EUR"))
    );
    assert_eq!(r.client.as_deref(), Some("Boulangeries Lefèvre SAS"));
    assert_eq!(r.task.as_deref(), Some("Développement"));
    assert!(!t.rows[2].billable);
    // Past midnight, with an end date.
    assert_eq!(t.rows[3].seconds, 5400);
    assert_eq!(t.rows[0].tags, vec!["ux".to_owned(), "web".to_owned()]);
}

#[test]
fn toggl_csv_derives_the_rate_from_the_amount() {
    let t = read(
        include_bytes!("../../tests/fixtures/toggl_detailed.csv"),
        &opts("t.csv"),
    )
    .unwrap();
    assert_eq!(t.format, Format::Toggl);
    assert_eq!(t.rows.len(), 2);
    assert_eq!(t.rows[1].seconds, 2700);
    assert_eq!(t.rows[1].rate, Some(dec!(95.00)));
    assert_eq!(t.rows[0].user, "Camille Durand");
}

#[test]
fn kimai_with_bom_semicolons_and_decimal_commas() {
    let t = read(
        include_bytes!("../../tests/fixtures/kimai_semicolon_bom.csv"),
        &opts("k.csv"),
    )
    .unwrap();
    assert_eq!(
        (t.format, t.encoding, t.separator),
        (Format::Kimai, "UTF-8 (BOM)", ';')
    );
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    assert_eq!(t.rows[0].seconds, 12600);
    assert_eq!(t.rows[0].rate, Some(dec!(95.00)));
    assert_eq!(t.rows[0].start, dt("2026-10-07 08:30"));
    assert_eq!(t.rows[1].seconds, 6300);
    assert_eq!(t.rows[1].task.as_deref(), Some("Développement"));
}

#[test]
fn generic_windows_1252_tabs_and_every_duration_form_with_a_mapping() {
    let mut o = opts("g.tsv");
    o.mapping = Mapping::parse("date=Jour,project=Projet,client=Client,user=Consultant,task=Tâche,duration=Heures,description=Remarque").unwrap();
    let t = read(
        include_bytes!("../../tests/fixtures/generic_cp1252_tab.tsv"),
        &o,
    )
    .unwrap();
    assert_eq!(
        (t.format, t.encoding, t.separator),
        (Format::Generic, "Windows-1252", '\t')
    );
    assert!(t.errors.is_empty(), "{:?}", t.errors);
    assert!(t.rows.iter().all(|r| r.seconds == 5400), "{:?}", t.rows);
    assert_eq!(
        t.rows[0].client.as_deref(),
        Some("Boulangeries Lefèvre SAS")
    );
    assert_eq!(t.rows[0].user, "Céline");
}

#[test]
fn errors_name_file_line_and_column_and_what_was_expected() {
    let mut o = opts("heures.csv");
    o.mapping =
        Mapping::parse("date=Jour,project=Projet,client=Client,user=Consultant,duration=Heures")
            .unwrap();
    let t = read(
        include_bytes!("../../tests/fixtures/generic_with_errors.csv"),
        &o,
    )
    .unwrap();
    assert_eq!(t.rows.len(), 2);
    let msgs: Vec<String> = t.errors.iter().map(ToString::to_string).collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(
        msgs[0].starts_with("heures.csv:3:5 (column `Heures`): expected a duration"),
        "{}",
        msgs[0]
    );
    assert!(msgs[0].contains("found `deux heures`"));
    assert!(
        msgs[1].starts_with("heures.csv:4:1 (column `Jour`): expected a date"),
        "{}",
        msgs[1]
    );
}

#[test]
fn unknown_formats_and_mappings_say_what_to_do() {
    let e = read(b"a,b\n1,2\n", &opts("x.csv")).unwrap_err();
    assert!(
        e.to_string().contains("--format") && e.to_string().contains("--map"),
        "{e}"
    );
    let mut o = opts("x.csv");
    o.mapping = Mapping::parse("date=a,project=nope").unwrap();
    let e = read(b"a,b\n1,2\n", &o).unwrap_err();
    assert!(e.to_string().contains("`nope`"), "{e}");
    assert!(Mapping::parse("colour=a").is_err());
    o.mapping = Mapping::parse("date=a,project=b").unwrap();
    let e = read(b"a,b\n1,2\n", &o).unwrap_err();
    assert!(e.to_string().contains("duration"), "{e}");
    assert!(matches!(
        read(b"  \n", &opts("e.csv")),
        Err(TimesheetError::Empty(_))
    ));
}

#[test]
fn identical_rows_get_distinct_stable_ids() {
    let file = "Jour,Projet,Heures\n01/10/2026,P,1\n01/10/2026,P,1\n";
    let mut o = opts("d.csv");
    o.mapping = Mapping::parse("date=Jour,project=Projet,duration=Heures").unwrap();
    let a = read(file.as_bytes(), &o).unwrap();
    let b = read(file.as_bytes(), &o).unwrap();
    assert_ne!(a.rows[0].external_id, a.rows[1].external_id);
    assert_eq!(
        a.rows.iter().map(|r| &r.external_id).collect::<Vec<_>>(),
        b.rows.iter().map(|r| &r.external_id).collect::<Vec<_>>()
    );
}

#[test]
fn separators_and_encodings_are_detected() {
    assert_eq!(detect_separator("a;b;\"c,d\"\n"), ';');
    assert_eq!(detect_separator("a\tb\tc\n"), '\t');
    assert_eq!(decode(b"\xef\xbb\xbfx").1, "UTF-8 (BOM)");
    assert_eq!(decode(b"caf\xe9").0, "café");
    let utf16: Vec<u8> = [0xFFu8, 0xFE]
        .into_iter()
        .chain("ab".encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    assert_eq!(decode(&utf16), ("ab".to_owned(), "UTF-16LE"));
}

proptest::proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
        let mut o = opts("fuzz.csv");
        let _ = read(&bytes, &o);
        o.mapping = Mapping::parse("date=a,project=b,duration=c").unwrap();
        let mut with_header = b"a,b,c\n".to_vec();
        with_header.extend(&bytes);
        let _ = read(&with_header, &o);
    }
}
