use chrono::NaiveDate;
use pantau_domain::Rupiah;
use proptest::prelude::*;

use super::*;
use crate::bank::layout::{self, Format, Layout};

fn generic() -> Layout {
    layout::shipped().remove(0)
}

fn xlsx_layout() -> Layout {
    layout::shipped().remove(1)
}

fn tetap() -> Layout {
    layout::shipped().remove(2)
}

fn order(n: usize) -> Order {
    Order {
        reference: format!("PAY-2026-{n:05}"),
        bank_code: ["002", "008", "110", "451"][n % 4].into(),
        account_no: format!("00{:010}", n * 7919),
        holder_name: format!("KUD Sumber Rejeki {n}"),
        amount: Rupiah::new(1_500_000 + n as i64 * 1_000).unwrap(),
        description: format!("Tahap 1 hibah {n}"),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn the_generic_csv_as_a_bank_reads_it() {
    let bytes = write(&generic(), "B-7", &[order(1), order(2)]).unwrap();
    assert_eq!(
        text(&bytes),
        "Kode Bank;Nama Bank;No Rekening;Nama Pemilik Rekening;Jumlah;Referensi;Keterangan;Batch\n\
         008;MANDIRI;000000007919;KUD Sumber Rejeki 1;1501000;PAY-2026-00001;Tahap 1 hibah 1;B-7\n\
         110;BJB;000000015838;KUD Sumber Rejeki 2;1502000;PAY-2026-00002;Tahap 1 hibah 2;B-7\n\
         TOTAL;;;;3003000;2;;\n"
    );
}

#[test]
fn the_bank_specific_example_has_its_totals_first_and_cuts_texts() {
    let mut long = order(3);
    long.holder_name = "Koperasi Serba Usaha Sumber Rejeki Makmur Sentosa Abadi".into();
    long.description = "=HYPERLINK(\"http://x\") pembayaran tahap satu hibah".into();
    let bytes = write(&tetap(), "B-7", &[long]).unwrap();
    assert_eq!(
        text(&bytes),
        "NO_REK,NAMA,NOMINAL,KD_BANK,BERITA,NO_REF\n\
         JUMLAH,,1503000,,,1\n\
         000000023757,Koperasi Serba Usaha Sumber Rejeki,1503000,451,\"'=HYPERLINK(\"\"http://x\"\") pembay\",PAY-2026-00003\n"
    );
}

#[test]
fn what_cannot_be_written_is_named() {
    let mut bad = vec![order(1), order(2), order(3)];
    bad[0].account_no = "1.23457E+12".into();
    bad[1].bank_code = "999".into();
    bad[2].amount = Rupiah::ZERO;
    bad[2].holder_name = " ".into();
    bad[2].reference = "PAY-2026-000000000000000003".into();
    let e = write(&generic(), "B", &bad).unwrap_err();
    assert!(
        e.en.contains("order 1 (PAY-2026-00001): `1.23457E+12`"),
        "{e:?}"
    );
    assert!(
        e.en.contains("order 2 (PAY-2026-00002): unknown bank code `999`"),
        "{e:?}"
    );
    assert!(e.en.contains("the amount is zero"), "{e:?}");
    assert!(e.id.contains("nominal nol"), "{e:?}");
    assert!(e.en.contains("empty account holder name"), "{e:?}");
    // The example bank refuses a reference longer than its 20 characters.
    let e = write(&tetap(), "B", &bad[2..]).unwrap_err();
    assert!(e.en.contains("NO_REF takes at most 20 characters"), "{e:?}");
    assert!(write(&generic(), "B", &[]).is_err());
}

#[test]
fn a_thousand_orders_survive_the_round_trip_in_every_shipped_layout() {
    let orders: Vec<Order> = (0..1000).map(order).collect();
    for layout in layout::shipped() {
        let bytes = write(&layout, "B-2026-12", &orders).unwrap();
        assert_eq!(
            crate::sheet::xlsx::is_workbook(&bytes),
            layout.format == Format::Xlsx,
            "{}",
            layout.id
        );
        let back = read_orders(&layout, &bytes).unwrap_or_else(|e| panic!("{}: {e:#?}", layout.id));
        assert_eq!(back, orders, "{}", layout.id);
    }
}

#[test]
fn an_edited_order_file_is_caught() {
    let bytes = write(&generic(), "B", &[order(1), order(2)]).unwrap();
    let edited = text(&bytes).replace("1502000;PAY", "1502500;PAY");
    let e = read_orders(&generic(), edited.as_bytes()).unwrap_err();
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!((e[0].line, e[0].column.as_str()), (4, "Jumlah"));
    assert!(
        e[0].reason.en.contains("the lines add up to Rp 3.003.500"),
        "{e:?}"
    );
    let dropped = text(&bytes).replace("TOTAL;;;;3003000;2;;\n", "");
    let e = read_orders(&generic(), dropped.as_bytes()).unwrap_err();
    assert!(
        e.iter()
            .any(|e| e.line == 3 && e.reason.en.contains("totals row is missing")),
        "{e:#?}"
    );
    let excel = text(&bytes)
        .replace("000000007919", "7919")
        .replace("Referensi;", "Ref;");
    let e = read_orders(&generic(), excel.as_bytes()).unwrap_err();
    assert_eq!(
        (e[0].line, e[0].column.as_str()),
        (1, "Referensi"),
        "{e:#?}"
    );
}

#[test]
fn the_xlsx_keeps_account_numbers_as_text() {
    let bytes = write(&xlsx_layout(), "B", &[order(1)]).unwrap();
    let book = crate::sheet::xlsx::read(&bytes).unwrap();
    assert_eq!(book.names[2], "No Rekening");
    assert_eq!(book.rows[0].1[2], "000000007919");
    assert_eq!(book.rows[0].1[4], "1501000");
    assert_eq!(book.rows[1].1[..6], ["TOTAL", "", "", "", "1501000", "1"]);
}

const RESULT: &str = "\u{feff}Referensi;Status;Jumlah;Tanggal;No Rekening;Referensi Bank;Keterangan;Cabang\r\n\
PAY-1;Sukses;Rp 1.500.000;05/01/2026;0012-3456-78;TRX001;;Pusat\r\n\
PAY-2;GAGAL;1.500.000,00;2026-01-05 10:22:33;0099887766;TRX002;Rekening tidak ditemukan;Pusat\r\n\
;retur;2000000;05-01-2026;;;Rekening ditutup;Pusat\r\n";

#[test]
fn a_bank_result_is_read() {
    let lines = read_result(&generic(), RESULT.as_bytes()).unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    assert_eq!(
        lines[0],
        ResultLine {
            line: 2,
            reference: Some("PAY-1".into()),
            outcome: Outcome::Paid,
            amount: Rupiah::new(1_500_000).unwrap(),
            account_no: Some("0012345678".into()),
            bank_reference: Some("TRX001".into()),
            date: day,
            reason: None,
        }
    );
    assert_eq!(lines[1].outcome, Outcome::Failed);
    assert_eq!(lines[1].date, day);
    assert_eq!(lines[1].reason.as_deref(), Some("Rekening tidak ditemukan"));
    assert_eq!(
        (lines[2].line, &lines[2].reference, lines[2].outcome),
        (4, &None, Outcome::Returned)
    );
    assert_eq!(lines[2].amount, Rupiah::new(2_000_000).unwrap());
}

#[test]
fn a_result_in_windows_1252_with_commas() {
    let csv = "Referensi,Status,Jumlah,Tanggal\nPAY-1,PAID,1500000,05/01/2026\nPAY-2,FAILED,\"1.500.000\",06/01/2026\n"
        .replace("PAY-2", "PAY-\u{e9}");
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&csv);
    let lines = read_result(&generic(), &bytes).unwrap();
    assert_eq!(lines[1].reference.as_deref(), Some("PAY-\u{e9}"));
    assert_eq!(lines[1].outcome, Outcome::Failed);
}

#[test]
fn every_bad_cell_of_a_result_is_named() {
    let csv = "Referensi;Status;Jumlah;Tanggal\n\
               PAY-1;LUNAS;1500000;05/01/2026\n\
               PAY-2;SUKSES;1,5E+6;31/02/2026\n\
               PAY-3;SUKSES;1.500.000,50;\n\
               PAY-4;SUKSES\n";
    let e = read_result(&generic(), csv.as_bytes()).unwrap_err();
    let got: Vec<(u64, &str)> = e.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(
        got,
        [
            (2, "Status"),
            (3, "Jumlah"),
            (3, "Tanggal"),
            (4, "Jumlah"),
            (4, "Tanggal"),
            (5, "Jumlah"),
        ]
    );
    assert!(
        e[0].reason.en.contains("status `LUNAS` is unknown"),
        "{e:?}"
    );
    assert!(e[1].reason.en.contains("scientific"), "{e:?}");
    assert!(
        e[2].reason.en.contains("`31/02/2026` is not a date"),
        "{e:?}"
    );
    assert!(e[3].reason.en.contains("sen"), "{e:?}");
    assert!(e[4].reason.en.contains("required"), "{e:?}");
    assert!(e[5].reason.en.contains("separator is missing"), "{e:?}");
    let e = read_result(&generic(), b"Referensi;Status;Nominal\nPAY-1;SUKSES;1\n").unwrap_err();
    let missing: Vec<&str> = e.iter().map(|e| e.column.as_str()).collect();
    assert_eq!(missing, ["Jumlah", "Tanggal"]);
    assert!(e.iter().all(|e| e.line == 1));
    let e = read_result(&generic(), b"PK\x03\x04 not really").unwrap_err();
    assert_eq!(e[0].line, 0);
}

#[test]
fn a_result_with_totals_first_must_add_up() {
    let csv = "NO_REF,STATUS_TRANSAKSI,NOMINAL,TGL_PROSES,NO_JURNAL\n\
               2,,3000000,,\n\
               PAY-1,BERHASIL,1500000,05-01-2026,J1\n\
               PAY-2,Rekening Tidak Ditemukan,1500000,05-01-2026,J2\n";
    let lines = read_result(&tetap(), csv.as_bytes()).unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1].outcome, Outcome::Failed);
    assert_eq!(lines[0].bank_reference.as_deref(), Some("J1"));
    let wrong = csv.replace("2,,3000000", "3,,3500000");
    let e = read_result(&tetap(), wrong.as_bytes()).unwrap_err();
    let got: Vec<(u64, &str)> = e.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(got, [(2, "NO_REF"), (2, "NOMINAL")], "{e:#?}");
    assert!(e[0].reason.en.contains("says 3 lines, the file has 2"));
    let e = read_result(&tetap(), b"NO_REF,STATUS_TRANSAKSI,NOMINAL,TGL_PROSES\n").unwrap_err();
    assert!(e[0].reason.en.contains("not even its totals row"), "{e:?}");
}

#[test]
fn a_result_workbook_is_read() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    for (c, h) in ["Referensi", "Status", "Jumlah", "Tanggal", "No Rekening"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "PAY-1").unwrap();
    sheet.write_string(1, 1, "success").unwrap();
    sheet.write_number(1, 2, 1_500_000.0).unwrap();
    let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 1, 5).unwrap();
    sheet.write_datetime_with_format(1, 3, &day, &date).unwrap();
    sheet.write_number(1, 4, 12345678.0).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let lines = read_result(&generic(), &bytes).unwrap();
    assert_eq!(lines[0].line, 2);
    assert_eq!(lines[0].amount, Rupiah::new(1_500_000).unwrap());
    assert_eq!(lines[0].date, NaiveDate::from_ymd_opt(2026, 1, 5).unwrap());
    assert_eq!(lines[0].account_no.as_deref(), Some("12345678"));
}

/// Text as a clean cell reads it: no spaces at the ends, none doubled; not
/// starting with the `'` `sheet::safe` puts before a formula (a cell `'=x`
/// reads as `=x`, by the sheet's design).
fn words(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex("[A-Za-z0-9.,;\"=+@()\u{e9}\u{c9}-][A-Za-z0-9.,;'\"=+@()\u{e9}\u{c9}-]{0,7}( [A-Za-z0-9.,'=\u{e9}-]{1,8}){0,3}")
        .unwrap()
        .prop_filter("fits the column", move |s| s.chars().count() <= max)
}

fn orders() -> impl Strategy<Value = Vec<Order>> {
    let codes: Vec<String> = crate::bank::banks::all()
        .iter()
        .map(|b| b.code.clone())
        .collect();
    let one = (
        "[A-Z0-9][A-Z0-9/-]{0,19}",
        proptest::sample::select(codes),
        "[0-9]{5,20}",
        // One less than the example bank's limits (35, 30): room for the
        // `'` before a formula-like cell, which counts in a CSV.
        words(34),
        1i64..=10_000_000_000,
        proptest::option::of(words(29)),
    )
        .prop_map(
            |(reference, bank_code, account_no, holder_name, amount, description)| Order {
                reference,
                bank_code,
                account_no,
                holder_name,
                amount: Rupiah::new(amount).unwrap_or(Rupiah::ZERO),
                description: description.unwrap_or_default(),
            },
        );
    proptest::collection::vec(one, 1..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any orders written in a shipped layout read back as they were.
    #[test]
    fn orders_read_back_as_written(orders in orders()) {
        for layout in layout::shipped() {
            let bytes = write(&layout, "B-1", &orders).unwrap();
            let back = read_orders(&layout, &bytes);
            prop_assert_eq!(back.as_ref(), Ok(&orders), "{}", layout.id);
        }
    }
}
