//! The report writers: CSV in both languages exactly, JSON, the text table, and XLSX read
//! back with calamine (numbers and dates must be typed cells, not text).

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;

use trappe_formats::output::Format;
use trappe_formats::report::{report_xlsx, write_report, Cell, Column, Report};
use trappe_formats::Lang;

fn dec(s: &str, places: u32) -> Cell {
    Cell::Dec {
        value: s.parse().unwrap(),
        places,
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn sample() -> Report {
    Report {
        title_da: "Ændringer: trin/placering".into(),
        title_en: "Changes: steps/placements".into(),
        columns: vec![
            Column::new("department_id", "Afdeling", "Department"),
            Column::new("family_homes", "Familieboliger", "Family homes"),
            Column::new("allocated_pct", "Andel anviste", "Allocated share"),
            Column::new("placed_on", "Placeret", "Placed on"),
        ],
        rows: vec![
            vec![
                Cell::from("101-1; \"Solgården\""),
                Cell::Int(1234),
                dec("25.45", 1),
                Cell::Date(date(2024, 3, 1)),
            ],
            vec![Cell::from("101-2"), Cell::Int(-7), dec("8", 2), Cell::Empty],
            // A short row is padded with empty cells.
            vec![Cell::from("205-3")],
        ],
    }
}

fn written(report: &Report, format: Format, lang: Lang) -> String {
    let mut out = Vec::new();
    write_report(&mut out, report, format, lang).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn csv_in_danish() {
    assert_eq!(
        written(&sample(), Format::Csv, Lang::Da),
        "Afdeling;Familieboliger;Andel anviste;Placeret\n\
         \"101-1; \"\"Solgården\"\"\";1234;25,45;01-03-2024\n\
         101-2;-7;8,00;\n\
         205-3;;;\n"
    );
}

#[test]
fn csv_in_english() {
    assert_eq!(
        written(&sample(), Format::Csv, Lang::En),
        "Department,Family homes,Allocated share,Placed on\n\
         \"101-1; \"\"Solgården\"\"\",1234,25.45,2024-03-01\n\
         101-2,-7,8.00,\n\
         205-3,,,\n"
    );
}

#[test]
fn json_keeps_exact_numbers_and_iso_dates() {
    let text = written(&sample(), Format::Json, Lang::Da);
    assert_eq!(written(&sample(), Format::JsonWithText, Lang::En), text);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v,
        serde_json::json!([
            {"department_id": "101-1; \"Solgården\"", "family_homes": 1234, "allocated_pct": 25.45, "placed_on": "2024-03-01"},
            {"department_id": "101-2", "family_homes": -7, "allocated_pct": 8.0, "placed_on": null},
            {"department_id": "205-3", "family_homes": null, "allocated_pct": null, "placed_on": null},
        ])
    );
    assert!(text.contains("\"allocated_pct\": 25.45,"), "{text}");
    let empty = Report {
        columns: sample().columns,
        ..Report::default()
    };
    assert_eq!(written(&empty, Format::Json, Lang::Da), "[]\n");
}

#[test]
fn the_text_table_aligns_and_formats_numbers_per_language() {
    assert_eq!(
        written(&sample(), Format::Table, Lang::Da),
        "Ændringer: trin/placering\n\
         \n\
         Afdeling            Familieboliger  Andel anviste  Placeret\n\
         ------------------  --------------  -------------  ----------\n\
         101-1; \"Solgården\"           1.234           25,5  01-03-2024\n\
         101-2                           -7           8,00\n\
         205-3\n"
    );
    let en = written(&sample(), Format::Table, Lang::En);
    assert!(
        en.contains("Department          Family homes  Allocated share  Placed on\n"),
        "{en}"
    );
    assert!(
        en.contains("\"Solgården\"         1,234             25.5  2024-03-01\n"),
        "{en}"
    );
}

#[test]
fn xlsx_cells_are_typed_and_equal_the_input() {
    let report = sample();
    let bytes = report_xlsx(&report, Lang::Da).unwrap();
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec!["Ændringer- trin-placering".to_string()]
    );
    let range = wb.worksheet_range("Ændringer- trin-placering").unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(
        rows[0],
        ["Afdeling", "Familieboliger", "Andel anviste", "Placeret"]
            .map(|s| Data::String(s.into()))
            .to_vec()
    );
    assert_eq!(rows[1][0], Data::String("101-1; \"Solgården\"".into()));
    assert_eq!(rows[1][1], Data::Float(1234.0));
    assert_eq!(rows[1][2], Data::Float(25.45));
    match &rows[1][3] {
        Data::DateTime(dt) => {
            assert!(dt.is_datetime());
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            assert_eq!((y, m, d), (2024, 3, 1));
        }
        other => panic!("expected a date cell, got {other:?}"),
    }
    assert_eq!(rows[2][1], Data::Float(-7.0));
    assert_eq!(rows[2][2], Data::Float(8.0));
    assert_eq!(rows[2][3], Data::Empty);
    assert_eq!(rows[3][1..], [Data::Empty, Data::Empty, Data::Empty]);
    assert_eq!(rows.len(), 4);
}

#[test]
fn xlsx_uses_number_formats_per_places_a_frozen_header_and_an_autofilter() {
    let bytes = report_xlsx(&sample(), Lang::En).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let styles = read("xl/styles.xml");
    for code in [
        "formatCode=\"0.0\"",
        "formatCode=\"0.00\"",
        "formatCode=\"dd-mm-yyyy\"",
    ] {
        assert!(styles.contains(code), "{code} missing in {styles}");
    }
    let sheet = read("xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<pane ySplit=\"1\""), "{sheet}");
    assert!(sheet.contains("<autoFilter ref=\"A1:D4\""), "{sheet}");
    assert!(sheet.contains("<col "), "{sheet}");
    let workbook = read("xl/workbook.xml");
    assert!(
        workbook.contains("name=\"Changes- steps-placements\""),
        "{workbook}"
    );
}

#[test]
fn decimals_keep_their_value_in_every_format() {
    let report = Report {
        title_da: "x".into(),
        title_en: "x".into(),
        columns: vec![Column::new("v", "Værdi", "Value")],
        rows: vec![vec![dec("0.125", 1)], vec![dec("1234567.5", 0)]],
    };
    assert_eq!(
        written(&report, Format::Csv, Lang::Da),
        "Værdi\n0,125\n1234567,5\n"
    );
    let table = written(&report, Format::Table, Lang::Da);
    assert!(table.ends_with("      0,1\n1.234.568\n"), "{table:?}");
    let json: serde_json::Value =
        serde_json::from_str(&written(&report, Format::Json, Lang::En)).unwrap();
    assert_eq!(json[0]["v"].to_string(), "0.125");
    let bytes = report_xlsx(&report, Lang::En).unwrap();
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let values: Vec<Data> = range.rows().skip(1).map(|r| r[0].clone()).collect();
    assert_eq!(values, vec![Data::Float(0.125), Data::Float(1234567.5)]);
}
