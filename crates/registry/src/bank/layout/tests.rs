use super::*;

const SMALL: &str = r#"
id = "kecil"
label = { id = "Kecil", en = "Small" }
format = "csv"
delimiter = ";"
totals = "last_row"
columns = [
    { header = "Rekening", value = "account_no" },
    { header = "Nama", value = "holder_name" },
    { header = "Jumlah", value = "amount" },
    { header = "Ref", value = "reference" },
]

[result]
reference = "Ref"
status = "Status"
amount = "Jumlah"
date = "Tanggal"
paid = ["SUKSES"]
failed = ["GAGAL"]
date_formats = ["%d/%m/%Y"]
"#;

fn problems(text: &str) -> Vec<String> {
    parse("bank.toml", text).unwrap_err()
}

#[test]
fn the_shipped_layouts_are_valid() {
    for (name, text) in SHIPPED {
        parse(name, text).unwrap_or_else(|e| panic!("{name}: {e:#?}"));
    }
    let ids: Vec<String> = shipped().into_iter().map(|l| l.id).collect();
    assert_eq!(ids, ["generic", "generic_xlsx", "contoh_bank_tetap"]);
    let generic = &shipped()[0];
    assert_eq!((generic.format, generic.delimiter), (Format::Csv, b';'));
    assert_eq!(generic.totals.place, Place::LastRow);
    assert_eq!(
        generic.result.paid,
        ["SUKSES", "BERHASIL", "SUCCESS", "PAID"]
    );
    let tetap = &shipped()[2];
    assert_eq!(
        (tetap.delimiter, tetap.totals.place),
        (b',', Place::FirstRow)
    );
    assert_eq!(tetap.columns[0].value, Value::AccountNo);
    assert_eq!(tetap.result.totals_count, "NO_REF");
    assert_eq!(shipped()[1].format, Format::Xlsx);
}

#[test]
fn a_small_layout_with_its_defaults() {
    let l = parse("kecil.toml", SMALL).unwrap();
    assert_eq!(l.totals.label, "TOTAL");
    assert_eq!(l.totals.count, Value::Reference);
    assert_eq!(l.result.totals, Place::None);
    assert_eq!(l.result.totals_count, "Ref");
    assert!(l.result.returned.is_empty() && l.result.account_no.is_none());
    assert!(!l.bom);
}

#[test]
fn problems_are_named_by_line_and_column() {
    let bad = SMALL
        .replace(r#"value = "holder_name""#, r#"value = "nama_pemilik""#)
        .replace(r#"header = "Ref""#, r#"header = "nama""#)
        .replace(r#"failed = ["GAGAL"]"#, r#"failed = ["GAGAL", "sukses"]"#)
        .replace(r#"date = "Tanggal""#, "")
        .replace(r#"reference = "Ref""#, "");
    let p = problems(&bad);
    let has = |needle: &str| p.iter().any(|m| m.contains(needle));
    assert!(
        has("bank.toml:9:32: unknown value `nama_pemilik` (known: reference,"),
        "{p:#?}"
    );
    assert!(has("bank.toml:11:16: duplicate header `nama`"), "{p:#?}");
    assert!(
        has("bank.toml:20:20: status word `SUKSES` is in both `paid` and `failed`"),
        "{p:#?}"
    );
    assert!(has("[result] needs `reference`"), "{p:#?}");
    assert!(has("[result] needs `date`"), "{p:#?}");
    assert!(has("no column holds `holder_name`"), "{p:#?}");
    assert!(p.iter().all(|m| m.starts_with("bank.toml:")), "{p:#?}");
}

#[test]
fn more_problems() {
    for (from, to, says) in [
        (
            r#"format = "csv""#,
            r#"format = "pdf""#,
            "unknown format `pdf`",
        ),
        (r#"delimiter = ";""#, r#"delimiter = "|""#, "delimiter `|`"),
        (r#"delimiter = ";""#, "", "needs `delimiter`"),
        (
            r#"totals = "last_row""#,
            r#"totals = "bottom""#,
            "unknown totals `bottom`",
        ),
        (r#"id = "kecil""#, r#"id = "Bank Kecil""#, "id `Bank Kecil`"),
        (
            "date_formats = [\"%d/%m/%Y\"]",
            "date_formats = [\"%d/%m\"]",
            "date format `%d/%m`",
        ),
        (
            r#"paid = ["SUKSES"]"#,
            r#"paid = ["SUKSES", "Sukses"]"#,
            "twice in `paid`",
        ),
        (r#"paid = ["SUKSES"]"#, "", "needs `paid`"),
        (
            "[result]",
            "warna = \"merah\"\n[result]",
            "unknown field `warna`",
        ),
        (
            r#"{ header = "Jumlah", value = "amount" }"#,
            r#"{ header = "Jumlah", value = "amount", max = 5 }"#,
            "`max` does not apply to `amount`",
        ),
        (
            r#"{ header = "Nama", value = "holder_name" }"#,
            r#"{ header = "Nama", value = "reference" }"#,
            "value `reference` in two columns",
        ),
        (
            r#"{ header = "Rekening", value = "account_no" },"#,
            r#"{ header = "Rekening", value = "account_no" }, { header = "Rek2", value = "account_no" },"#,
            "value `account_no` in two columns",
        ),
        (
            r#"status = "Status""#,
            r#"status = "ref""#,
            "duplicate header `ref`",
        ),
        (
            "columns = [",
            "columns = [\n    { header = \"Ref0\", value = \"reference\" },",
            "",
        ),
    ] {
        assert!(SMALL.contains(from), "{from}");
        let p = parse("bank.toml", &SMALL.replacen(from, to, 1))
            .err()
            .unwrap_or_else(|| panic!("{to}"));
        assert!(p.iter().any(|m| m.contains(says)), "{to}: {p:#?}");
    }
    // The count cannot go where the label is.
    let first = SMALL
        .replace("    { header = \"Ref\", value = \"reference\" },\n", "")
        .replace(
            "columns = [\n",
            "columns = [\n    { header = \"Ref\", value = \"reference\" },\n",
        );
    let p = problems(&first);
    assert!(
        p.iter()
            .any(|m| m.contains("cannot go in the first column")),
        "{p:#?}"
    );
    // A syntax error is one line, at its place.
    let p = problems("id = \"x\"\nlabel = {");
    assert_eq!(p.len(), 1);
    assert!(p[0].starts_with("bank.toml:2:"), "{p:?}");
}

#[test]
fn a_folder_of_layouts() {
    let dir = std::env::temp_dir().join(format!("pantau-bank-layouts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.toml"), SMALL).unwrap();
    std::fs::write(dir.join("catatan.txt"), "bukan tata letak").unwrap();
    let layouts = load_dir(&dir).unwrap();
    assert_eq!(layouts.len(), 1);
    std::fs::write(dir.join("b.toml"), SMALL).unwrap();
    std::fs::write(dir.join("c.toml"), SMALL.replace("Kecil", "")).unwrap();
    let p = load_dir(&dir).unwrap_err();
    assert!(
        p.iter()
            .any(|m| m.ends_with("b.toml:1:1: layout id `kecil` is used twice")),
        "{p:#?}"
    );
    assert!(
        p.iter()
            .any(|m| m.contains("c.toml:3:") && m.contains("label text")),
        "{p:#?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(load_dir(&dir).is_err());
}
