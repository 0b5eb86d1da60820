//! XLSX input, column mappings and the input file size limit (table_in), read against the
//! CSV path for the same data.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rstest::rstest;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet};

use trappe_formats::table_in::{
    self, parse_mapping, read_areas, read_areas_with, read_decisions, read_departments,
    read_departments_with, read_input_file, read_pools, read_pools_with, ColumnMapping,
    TableOptions, DEFAULT_MAX_FILE_BYTES,
};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn example_mapping(name: &str) -> ColumnMapping {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/mappings")
        .join(name);
    table_in::load_mapping(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// An XLSX workbook with one sheet (named `sheet`) filled by `fill`.
fn xlsx(sheet: &str, fill: impl FnOnce(&mut Worksheet)) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    fill(ws);
    wb.save_to_buffer().unwrap()
}

fn write_row(ws: &mut Worksheet, row: u32, cells: &[&str]) {
    for (c, v) in cells.iter().enumerate() {
        if v.is_empty() {
            continue;
        }
        match v.parse::<f64>() {
            Ok(n) => ws.write_number(row, c as u16, n).map(|_| ()),
            Err(_) => ws.write_string(row, c as u16, *v).map(|_| ()),
        }
        .unwrap();
    }
}

const DEPT_HEADER: &[&str] = &[
    "department_id",
    "name",
    "organisation_id",
    "area_id",
    "local_district",
    "family_homes",
    "residents",
    "unemployment_pct",
    "convictions_pct",
    "primary_education_pct",
    "income_pct",
    "allocated_pct",
];

#[test]
fn xlsx_departments_equal_the_csv_path() {
    let csv = "department_id;name;organisation_id;area_id;local_district;family_homes;residents;unemployment_pct;convictions_pct;primary_education_pct;income_pct;allocated_pct\n\
               d1;Øresund;o1;A1;Amager;120;250;25,4;1,1;30;80,5;15\n\
               d2;Engen;o1;;Amager;1234;2500;12;0,9;22,25;91;\n";
    let from_csv = read_departments(csv.as_bytes(), "d.csv").unwrap();

    let pct = Format::new().set_num_format("0.0%");
    let bytes = xlsx("Data", |ws| {
        write_row(ws, 0, DEPT_HEADER);
        write_row(
            ws,
            1,
            &[
                "d1", "Øresund", "o1", "A1", "Amager", "120", "", "25.4", "1.1", "30", "80.5", "15",
            ],
        );
        // residents as a formula with its cached value.
        ws.write_formula(1, 6, Formula::new("=F2*2+10").set_result("250"))
            .unwrap();
        write_row(
            ws,
            2,
            &[
                "d2", "Engen", "o1", "", "Amager", "1234", "2500", "", "0.9", "22.25", "91", "",
            ],
        );
        // A formula whose cached value carries binary noise (0.1+0.2 style): Excel shows 12.
        ws.write_formula(2, 7, Formula::new("=4*3").set_result("12.000000000000002"))
            .unwrap();
        // Formatting alone (a percent format on an empty cell) is not data.
        ws.write_blank(2, 11, &pct).unwrap();
        // Empty trailing rows, as spreadsheets leave them.
        ws.write_blank(10, 0, &pct).unwrap();
        ws.write_string(11, 1, "  ").unwrap();
    });
    let from_xlsx = read_departments(&bytes, "d.xlsx").unwrap();
    assert_eq!(from_xlsx, from_csv);
    // The zip magic alone makes a file XLSX, whatever its name.
    assert_eq!(read_departments(&bytes, "upload.bin").unwrap(), from_csv);
}

#[test]
fn a_fraction_cell_with_a_mapping_reads_as_a_percentage() {
    let mapping = parse_mapping(
        "[columns]\nunemployment_pct = { header = \"Andel uden for arbejdsmarkedet\", fraction = true }\n",
        "m.toml",
    )
    .unwrap();
    let percent = Format::new().set_num_format("0.0%");
    let mut header = DEPT_HEADER.to_vec();
    header[7] = "Andel uden for arbejdsmarkedet";
    let bytes = xlsx("Ark1", |ws| {
        write_row(ws, 0, &header);
        write_row(
            ws,
            1,
            &[
                "d1", "A", "o1", "", "X", "120", "250", "", "1.1", "30", "80", "15",
            ],
        );
        ws.write_number_with_format(1, 7, 0.254, &percent).unwrap();
    });
    let opts = TableOptions {
        sheet: None,
        mapping: Some(&mapping),
    };
    let rows = read_departments_with(&bytes, "d.xlsx", opts).unwrap();
    let u = rows[0].figures.unwrap().unemployment_pct;
    assert_eq!(u, "25.4".parse().unwrap());
    assert_eq!(u.to_string(), "25.4", "exact, with the digits as written");
}

#[test]
fn an_excel_date_cell_becomes_a_date() {
    let date = Format::new().set_num_format("dd-mm-yyyy");
    let bytes = xlsx("Beslutninger", |ws| {
        write_row(ws, 0, &["area_id", "ground", "decided_by", "decided_on"]);
        write_row(ws, 1, &["A1", "temporary_rehousing", "Københavns Kommune"]);
        ws.write_datetime_with_format(1, 3, ExcelDateTime::from_ymd(2024, 3, 1).unwrap(), &date)
            .unwrap();
        write_row(
            ws,
            2,
            &[
                "A2",
                "residents_over_threshold",
                "Samarbejdsforum",
                "2023-12-01",
            ],
        );
    });
    let csv = "area_id,ground,decided_by,decided_on\nA1,temporary_rehousing,Københavns Kommune,01-03-2024\nA2,residents_over_threshold,Samarbejdsforum,2023-12-01\n";
    assert_eq!(
        read_decisions(&bytes, "b.xlsx").unwrap(),
        read_decisions(csv.as_bytes(), "b.csv").unwrap()
    );
}

#[test]
fn bad_cells_name_the_excel_row_and_the_files_header() {
    let mapping = example_mapping("landsbyggefonden-departments.toml");
    let header = [
        "Afdelingsnr.",
        "Afdelingsnavn",
        "Boligorganisation nr.",
        "Boligområde-id",
        "Lokaludvalgsområde",
        "Antal familieboliger",
        "Antal  beboere ", // spacing differs from the mapping: still matched
        "Andel uden for arbejdsmarkedet",
        "Andel dømte",
        "Andel kun grundskole",
        "Bruttoindkomst i pct. af regionen",
    ];
    let bytes = xlsx("Afdelinger", |ws| {
        // Two empty rows first: the header is on Excel's row 3.
        write_row(ws, 2, &header);
        write_row(
            ws,
            3,
            &[
                "1", "A", "101", "", "X", "10", "20", "0.1", "0.01", "0.2", "90",
            ],
        );
        write_row(
            ws,
            4,
            &[
                "2", "B", "101", "", "X", "10", "mange", "1.5", "0.01", "0.2", "90",
            ],
        );
        ws.write_formula(5, 7, Formula::new("=1/0").set_result("#DIV/0!"))
            .unwrap();
        write_row(
            ws,
            5,
            &[
                "3", "C", "101", "", "X", "10", "20", "", "0.01", "0.2", "90",
            ],
        );
    });
    let opts = TableOptions {
        sheet: None,
        mapping: Some(&mapping),
    };
    let err = read_departments_with(&bytes, "lbf.xlsx", opts)
        .unwrap_err()
        .to_string();
    for expected in [
        "lbf.xlsx line 5, column Antal  beboere (residents): \"mange\" is not a whole number",
        "lbf.xlsx line 5, column Andel uden for arbejdsmarkedet (unemployment_pct): \"1.5\" is outside 0–1 (a fraction",
        "lbf.xlsx line 6, column Andel uden for arbejdsmarkedet (unemployment_pct): \"#DIV/0!\" is not a number",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in\n{err}");
    }
    assert_eq!(err.lines().count(), 3, "{err}");
}

#[test]
fn a_value_right_of_the_header_is_reported() {
    let bytes = xlsx("Ark1", |ws| {
        write_row(ws, 0, &["area_id", "name", "residents"]);
        write_row(ws, 1, &["A1", "Nord", "1200", "", "note"]);
    });
    let err = read_areas(&bytes, "a.xlsx", false).unwrap_err().to_string();
    assert!(
        err.contains("a.xlsx line 2: has the value \"note\" in column E, right of the header's last column C"),
        "{err}"
    );
}

#[test]
fn sheets_are_chosen_by_option_then_mapping_then_first() {
    let mut wb = Workbook::new();
    write_row(wb.add_worksheet().set_name("Noter").unwrap(), 0, &["x"]);
    let ws = wb.add_worksheet().set_name("Boligområder").unwrap();
    write_row(ws, 0, &["area_id", "name", "residents"]);
    write_row(ws, 1, &["A1", "Nord", "1200"]);
    let bytes = wb.save_to_buffer().unwrap();

    let err = read_areas(&bytes, "a.xlsx", false).unwrap_err().to_string();
    assert!(
        err.contains("lacks the column(s) area_id, name, residents"),
        "{err}"
    );
    let opts = TableOptions {
        sheet: Some("Boligområder"),
        mapping: None,
    };
    assert_eq!(
        read_areas_with(&bytes, "a.xlsx", false, opts)
            .unwrap()
            .len(),
        1
    );
    let mapping = parse_mapping("sheet = \"boligområder\"\n[columns]\n", "m.toml").unwrap();
    let opts = TableOptions {
        sheet: None,
        mapping: Some(&mapping),
    };
    assert_eq!(
        read_areas_with(&bytes, "a.xlsx", false, opts)
            .unwrap()
            .len(),
        1
    );
    let opts = TableOptions {
        sheet: Some("Ark9"),
        mapping: Some(&mapping),
    };
    let err = read_areas_with(&bytes, "a.xlsx", false, opts)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "a.xlsx: has no sheet \"Ark9\"; its sheets are: \"Noter\", \"Boligområder\""
    );
}

#[test]
fn pools_read_from_xlsx() {
    let bytes = xlsx("Puljer", |ws| {
        write_row(
            ws,
            0,
            &[
                "pool_id",
                "members",
                "unemployment_pct",
                "convictions_pct",
                "primary_education_pct",
                "income_pct",
            ],
        );
        write_row(ws, 1, &["P1", "d1 d2", "12.5", "1", "30", "80"]);
    });
    let csv = "pool_id;members;unemployment_pct;convictions_pct;primary_education_pct;income_pct\nP1;d1 d2;12,5;1;30;80\n";
    assert_eq!(
        read_pools_with(&bytes, "p.xlsx", TableOptions::default()).unwrap(),
        read_pools(csv.as_bytes(), "p.csv").unwrap()
    );
}

#[test]
fn the_example_mappings_read_their_layouts() {
    let lbf = example_mapping("landsbyggefonden-departments.toml");
    let opts = TableOptions {
        sheet: None,
        mapping: Some(&lbf),
    };
    let mapped = read_departments_with(
        &std::fs::read(data("lbf-departments.csv")).unwrap(),
        "lbf-departments.csv",
        opts,
    )
    .unwrap();
    let plain = read_departments(
        &std::fs::read(data("departments.csv")).unwrap(),
        "departments.csv",
    )
    .unwrap();
    assert_eq!(mapped, plain);

    let ministry = example_mapping("ministry-areas.toml");
    let opts = TableOptions {
        sheet: None,
        mapping: Some(&ministry),
    };
    let mapped = read_areas_with(
        &std::fs::read(data("ministry-areas.csv")).unwrap(),
        "ministry-areas.csv",
        true,
        opts,
    )
    .unwrap();
    let plain = read_areas(
        &std::fs::read(data("areas.csv")).unwrap(),
        "areas.csv",
        true,
    )
    .unwrap();
    assert_eq!(mapped, plain);
}

#[test]
fn a_missing_mapped_column_names_both_names() {
    let mapping = parse_mapping("[columns]\nresidents = \"Antal beboere\"\n", "m.toml").unwrap();
    let opts = TableOptions {
        sheet: None,
        mapping: Some(&mapping),
    };
    let err = read_areas_with(b"area_id;name;Beboere\nA1;N;3\n", "a.csv", false, opts)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "a.csv line 1: the header lacks the column(s) residents (expected header \"Antal beboere\"); found: area_id, name, Beboere"
    );
}

#[test]
fn a_mapped_header_and_trappes_own_name_together_are_an_error() {
    let mapping = parse_mapping("[columns]\nname = \"Navn\"\n", "m.toml").unwrap();
    let opts = TableOptions {
        sheet: None,
        mapping: Some(&mapping),
    };
    let err = read_areas_with(
        b"area_id;Navn;name;residents\nA1;N;N;3\n",
        "a.csv",
        false,
        opts,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("the columns \"Navn\" and \"name\" both give the column name"),
        "{err}"
    );
}

#[rstest]
#[case::syntax(
    "[columns]\nname = \"Navn\nresidents = 3\n",
    &["m.toml line 2: column 13: "]
)]
#[case::unknown_top_level_key(
    "sheets = \"A\"\n[columns]\n",
    &["m.toml line 1: column 1: unknown field `sheets`, expected `sheet` or `columns`"]
)]
#[case::no_columns("sheet = \"A\"\n", &["m.toml line 1: column 1: the mapping has no [columns] table"])]
#[case::errors_with_positions(
    "# a mapping\n[columns]\ndepartment_idx = \"Afd\"\nname = \"  \"\norganisation_id = \"Navn\"\narea_id = \" NAVN \"\nresidents = { header = \"Beboere\", fraction = true }\nfamily_homes = 12\nyouth_homes = { heading = \"U\" }\n",
    &[
        "m.toml line 3, column 1: \"department_idx\" is not a trappe column; known columns: department_id, name,",
        "m.toml line 4, column 8: \"  \" is an empty header for name",
        "m.toml line 6, column 11: \" NAVN \" is already the header of organisation_id (line 5)",
        "m.toml line 7, column 13: \"Beboere\" has fraction = true, but residents is not a percentage column",
        "m.toml line 8, column 16: \"12\" is not a header",
        "m.toml line 9, column 15: \"heading\" is not a key of a column",
    ]
)]
fn mapping_errors_have_positions(#[case] text: &str, #[case] expected: &[&str]) {
    let err = parse_mapping(text, "m.toml").unwrap_err();
    let shown = err.to_string();
    for e in expected {
        assert!(shown.contains(e), "missing {e:?} in\n{shown}");
    }
    assert!(err.errors.len() >= expected.len(), "{shown}");
}

#[test]
fn a_mapping_is_case_and_space_insensitive_and_may_mix_names() {
    let mapping = parse_mapping(
        "[columns]\narea_id = \"Områdenr.\"\nresidents = \"Antal beboere\"\n",
        "m.toml",
    )
    .unwrap();
    let opts = TableOptions {
        sheet: None,
        mapping: Some(&mapping),
    };
    let rows = read_areas_with(
        "OMRÅDENR. ; name ;antal\nbeboere\n".as_bytes(),
        "a.csv",
        false,
        opts,
    );
    // The header cell "antal\nbeboere" is cut by the line break in CSV: quoted, it matches.
    assert!(rows.is_err());
    let rows = read_areas_with(
        "OMRÅDENR. ; name ;\"antal\nbeboere\"\nA1;Nord;1200\n".as_bytes(),
        "a.csv",
        false,
        opts,
    )
    .unwrap();
    assert_eq!(rows[0].id, "A1");
    assert_eq!(rows[0].residents, 1200);
}

// ---------------------------------------------------------------------------------------
// Broken and oversized files

fn one_error(result: Result<impl std::fmt::Debug, table_in::InputErrors>) -> String {
    let err = result.unwrap_err();
    assert_eq!(err.errors.len(), 1, "{err}");
    err.to_string()
}

#[test]
fn an_xlsx_name_that_is_not_a_zip_is_one_clear_error() {
    let err = one_error(read_departments(b"department_id;name\n", "d.XLSX"));
    assert!(
        err.starts_with("d.XLSX: is not an XLSX file (not a zip archive)"),
        "{err}"
    );
}

#[rstest]
#[case::half(2)]
#[case::most(10)]
fn a_truncated_xlsx_is_one_clear_error(#[case] keep_of_eleven: usize) {
    let bytes = xlsx("Ark1", |ws| write_row(ws, 0, DEPT_HEADER));
    let cut = &bytes[..bytes.len() * keep_of_eleven / 11];
    let err = one_error(read_departments(cut, "d.xlsx"));
    assert!(err.starts_with("d.xlsx: is not an XLSX file"), "{err}");
}

#[test]
fn a_zip_that_is_not_a_workbook_is_one_clear_error() {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        zip.start_file("hello.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut zip, b"hello").unwrap();
        zip.finish().unwrap();
    }
    let err = one_error(read_departments(buf.get_ref(), "d.xlsx"));
    assert!(
        err.starts_with("d.xlsx: is not an XLSX file (the zip archive is not an Excel workbook"),
        "{err}"
    );
}

#[test]
fn a_zip_bomb_is_refused() {
    // 70 MB of zeros deflate to about 70 KB; a workbook may unpack to 64 MB.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.xlsx");
    {
        let file = std::fs::File::create(&path).unwrap();
        let mut zip = zip::ZipWriter::new(file);
        zip.start_file(
            "xl/worksheets/sheet1.xml",
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated),
        )
        .unwrap();
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..70 {
            std::io::Write::write_all(&mut zip, &zeros).unwrap();
        }
        zip.finish().unwrap();
    }
    let err = one_error(read_input_file(&path, 1024 * 1024));
    assert!(
        err.contains("expands to 70.0 MB when unpacked, more than the 64 MB trappe unpacks"),
        "{err}"
    );
    assert!(err.contains("possible zip bomb"), "{err}");
    // The full check (directory, then the bytes really unpacked) used when parsing.
    let bytes = std::fs::read(&path).unwrap();
    let err = table_in::check_zip_expansion(&bytes, "bomb.xlsx", 4 * 1024 * 1024)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("bomb.xlsx: expands to more than 4 MB"),
        "{err}"
    );
    table_in::check_zip_expansion(&bytes, "bomb.xlsx", 70 * 1024 * 1024).unwrap();
}

#[test]
fn an_empty_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.csv");
    std::fs::write(&path, b"").unwrap();
    let err = one_error(read_input_file(&path, DEFAULT_MAX_FILE_BYTES));
    assert_eq!(err, format!("{}: the file is empty", path.display()));
    let err = one_error(read_departments(b"", "d.xlsx"));
    assert!(err.contains("the file is empty"), "{err}");
}

#[test]
fn a_missing_file_and_a_directory_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.csv");
    let err = one_error(read_input_file(&path, DEFAULT_MAX_FILE_BYTES));
    assert_eq!(err, format!("{}: does not exist", path.display()));
    let err = one_error(read_input_file(dir.path(), DEFAULT_MAX_FILE_BYTES));
    assert!(
        err.ends_with("is a directory; expected a CSV or XLSX file"),
        "{err}"
    );
}

#[test]
fn a_too_big_file_fails_at_once_without_being_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(2 * 1024 * 1024 * 1024).unwrap(); // sparse: no disk used
    let start = Instant::now();
    let err = one_error(read_input_file(&path, DEFAULT_MAX_FILE_BYTES));
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(
        err,
        format!(
            "{}: is 2.0 GB; trappe reads files up to 20 MB",
            path.display()
        )
    );
    // Within the limit the bytes come back.
    std::fs::write(&path, b"area_id,name,residents\nA1,N,3\n").unwrap();
    let bytes = read_input_file(&path, 1024).unwrap();
    assert_eq!(read_areas(&bytes, "a.csv", false).unwrap().len(), 1);
    let err = one_error(read_input_file(&path, 10));
    assert!(
        err.ends_with("is 30 bytes; trappe reads files up to 10 bytes"),
        "{err}"
    );
}

#[test]
fn a_csv_cut_mid_row_is_reported() {
    let csv = "area_id;name;residents\nA1;Nord;1200\nA2;Sy";
    let err = one_error(read_areas(csv.as_bytes(), "a.csv", false));
    assert_eq!(
        err,
        "a.csv line 3: has 2 fields; the header has 3 (a row cut short, or a separator inside an unquoted value)"
    );
}
