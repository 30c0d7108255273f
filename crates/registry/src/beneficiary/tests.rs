use super::*;

fn regions() -> Regions {
    Regions::embedded().unwrap()
}

fn parse(cols: &str, row: &str) -> Result<Beneficiary, Vec<ColumnError>> {
    let header = Header::new(cols.split(',')).unwrap();
    let fields: Vec<&str> = row.split(',').collect();
    parse_row(&header, &fields, &regions())
}

#[test]
fn a_cooperative_row() {
    let b = parse(
        "kind,region_code,name,nik_koperasi,legal_entity_number,coop_kind,members,active,last_rat_year",
        "cooperative,18.71,KSP Mitra Usaha,1871020030000123,123/BH/X.3/2015,KSP,214,ya,2025",
    )
    .unwrap();
    assert_eq!(b.natural_key(), "koperasi:1871020030000123");
    assert_eq!(b.kind(), "cooperative");
}

#[test]
fn every_bad_column_is_named() {
    let errs = parse(
        "kind,region_code,name,nik_koperasi,legal_entity_number,coop_kind,members,active",
        "cooperative,18.71,KSP,1301020030000123,,arisan,banyak,mungkin",
    )
    .unwrap_err();
    let cols: Vec<&str> = errs.iter().map(|e| e.column.as_str()).collect();
    assert_eq!(
        cols,
        [
            "nik_koperasi",
            "legal_entity_number",
            "coop_kind",
            "members",
            "active"
        ]
    );
    assert!(errs[0].reason.id.contains("13.01"), "{errs:?}");
    let errs = parse("kind,region_code,name,nik", "pkl,99.99,Budi,123").unwrap_err();
    let cols: Vec<&str> = errs.iter().map(|e| e.column.as_str()).collect();
    assert_eq!(cols, ["region_code", "nik", "market_location"]);
}

#[test]
fn what_excel_did_is_undone_or_named() {
    let header = Header::new(
        "line;column;reason;kind;region_code;name;nib;owner_nik;scale;lat;lon".split(';'),
    )
    .unwrap();
    let row = |r: &str| {
        let fields: Vec<&str> = r.split(';').collect();
        parse_row(&header, &fields, &regions())
    };
    let b = row("6;nib;…;umkm;18.1;Toko;9120001234567;1871014508900001;mikro;-5,4292;105,2619")
        .unwrap();
    assert_eq!(b.region.as_str(), "18.10");
    assert_eq!(b.location, GeoPoint::from_degrees(-5.4292, 105.2619).ok());
    let errs = row(";;;umkm;18.2;Toko;9,12E+12;1,87101E+15;mikro;-95,1;").unwrap_err();
    let got: Vec<(&str, &str)> = errs
        .iter()
        .map(|e| (e.column.as_str(), e.reason.id.as_str()))
        .collect();
    assert_eq!(
        got.iter().map(|g| g.0).collect::<Vec<_>>(),
        ["region_code", "lat", "lon", "nib", "owner_nik"],
        "{errs:?}"
    );
    assert!(got[0].1.contains("dibaca 18.20"), "{errs:?}");
    assert!(got[1].1.contains("-90 sampai 90"), "{errs:?}");
    assert!(got[2].1.contains("wajib diisi bila lat diisi"), "{errs:?}");
    for e in &errs[3..] {
        assert!(
            e.reason.id.contains("notasi ilmiah") && e.reason.en.contains("Text"),
            "{errs:?}"
        );
    }
    let errs =
        row(";;;umkm;18.71;Toko;9120001234567;1871014508900001;mikro;-5.4292;x").unwrap_err();
    assert_eq!(errs[0].column, "lon", "{errs:?}");
}

#[test]
fn unknown_and_missing_headers() {
    let e = Header::new(["kind", "name", "colour"]).unwrap_err();
    assert_eq!(
        e.iter().map(|c| c.column.as_str()).collect::<Vec<_>>(),
        ["colour", "region_code"]
    );
}

/// Every reason a row can be refused for, in each language alone: no
/// English words in the Indonesian text and no Indonesian in the English.
#[test]
fn reasons_are_in_one_language_each() {
    let header = Header::new(
        "kind;region_code;name;nik_koperasi;legal_entity_number;coop_kind;members;active;\
         last_rat_year;nib;owner_nik;scale;nik;lat;lon"
            .split(';'),
    )
    .unwrap();
    let rows = [
        ";18;;123;;kapal;banyak;mungkin;1800;;;;;;5",
        "cooperative;18.71;Koperasi;1301010000000001;x;ksp;1;ya;;;;;;-95;200",
        "umkm;18.2;Toko;;9,12E+12;;1,87101E+15;raksasa;;;;x;",
        "robot;99.99;Nama;;;;;;;;;;;;",
    ];
    let english = [
        "required",
        "must",
        "unknown",
        "not a",
        "known:",
        "region is",
        "between",
        "given",
        "characters",
        "yes/no",
        "whole number",
        "starts with",
        "read as",
        "there is no",
    ];
    let indonesian = [
        "wajib",
        "bukan",
        "tidak",
        "harus",
        "diawali",
        "wilayah",
        "dibaca",
        "di luar",
        "huruf",
        "sampai",
        "bila",
        "yang dikenal",
        "mis.",
    ];
    let mut seen = 0;
    for r in rows {
        let fields: Vec<&str> = r.split(';').collect();
        let errs = parse_row(&header, &fields, &regions()).unwrap_err();
        for e in errs {
            seen += 1;
            let (id, en) = (e.reason.id.to_lowercase(), e.reason.en.to_lowercase());
            assert!(!id.is_empty() && !en.is_empty(), "{e:?}");
            for w in english {
                assert!(!id.contains(w), "English `{w}` in {id:?}");
            }
            for w in indonesian {
                assert!(!en.contains(w), "Indonesian `{w}` in {en:?}");
            }
        }
    }
    assert!(seen >= 12, "{seen} reasons");
    for e in Header::new(["kind", "kind", "colour"]).unwrap_err() {
        assert!(!e.reason.id.contains("column"), "{e:?}");
        assert!(!e.reason.en.contains("kolom"), "{e:?}");
    }
}

#[test]
fn indonesian_column_names_are_read_and_refusals_name_them() {
    let b = parse(
        "jenis,kode_wilayah,nama,nik_koperasi,nomor_badan_hukum,jenis_koperasi,jumlah_anggota,aktif,alamat,telepon",
        "koperasi,18.71,KSP Mitra Usaha,1871020030000123,123/BH/X.3/2015,KSP,214,ya,Jl. Kartini 3,0721-123456",
    )
    .unwrap();
    assert_eq!(b.contact.address.as_deref(), Some("Jl. Kartini 3"));
    assert_eq!(b.contact.phone.as_deref(), Some("0721123456"));
    // A bad row names the columns as the file does.
    let errs = parse(
        "jenis,kode_wilayah,nama,nik,lokasi_pasar,telepon",
        "pkl,99.99,Budi,123,Pasar Bawah,tel",
    )
    .unwrap_err();
    let cols: Vec<&str> = errs.iter().map(|e| e.column.as_str()).collect();
    assert_eq!(cols, ["kode_wilayah", "telepon", "nik"]);
    // A header without the required columns names them in its language.
    let errs = Header::new("nama,nik".split(',')).unwrap_err();
    let cols: Vec<&str> = errs.iter().map(|e| e.column.as_str()).collect();
    assert_eq!(cols, ["jenis", "kode_wilayah"]);
    // The same column twice, once in each language, is refused.
    let errs = Header::new("kind,jenis,region_code,name".split(',')).unwrap_err();
    assert_eq!(errs[0].column, "jenis");
}

#[test]
fn phone_numbers_as_offices_and_excel_write_them() {
    for (typed, kept) in [
        ("0812-3456-7890", "081234567890"),
        ("81234567890", "081234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("(0721) 123456", "0721123456"),
        ("0751.7051234", "07517051234"),
    ] {
        assert_eq!(phone(typed).unwrap(), kept, "{typed}");
    }
    for bad in [
        "tel 0812",
        "12345",
        "8,12346E+10",
        "0812345678901234567",
        "08-12+34",
    ] {
        let e = phone(bad).unwrap_err();
        assert!(e.id.contains(bad) || e.id.contains("Excel"), "{bad}: {e:?}");
    }
}

const COOP: &str = "jenis,kode_wilayah,nama,nik_koperasi,nomor_badan_hukum,jenis_koperasi,\
                    jumlah_anggota,aktif,kode_desa";

#[test]
fn a_desa_code_lies_in_the_beneficiarys_kabupaten_kota() {
    let row = |region: &str, kind: &str, desa: &str| {
        parse(
            COOP,
            &format!(
                "koperasi,{region},Kopdes Merah Putih Kecandran,{}020030000123,\
                 123/BH/X.3/2025,{kind},40,ya,{desa}",
                region.replace('.', "")
            ),
        )
    };
    let b = row("33.73", "merah putih", "3373041001").unwrap();
    assert_eq!(
        b.desa.map(|d| d.to_string()).as_deref(),
        Some("33.73.04.1001")
    );
    assert!(
        matches!(&b.details, Details::Cooperative { coop_kind, .. } if coop_kind == MERAH_PUTIH)
    );
    // Another kind may leave it empty.
    assert_eq!(row("33.73", "ksp", "").unwrap().desa, None);
    // Out of its kabupaten/kota: refused by the column as the file names it.
    let errs = row("33.72", "ksp", "33.73.04.1001").unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].column, "kode_desa");
    assert!(
        errs[0]
            .reason
            .id
            .contains("bukan di Kota Surakarta (33.72)"),
        "{errs:?}"
    );
    assert!(
        errs[0].reason.en.contains("not in Kota Surakarta"),
        "{errs:?}"
    );
    // No such desa.
    let errs = row("33.73", "ksp", "33.73.04.1999").unwrap_err();
    assert_eq!(errs[0].column, "kode_desa");
    // A Merah Putih cooperative without one is refused, naming the column.
    let errs = row("33.73", "merah_putih", "").unwrap_err();
    assert_eq!(
        errs.iter().map(|e| e.column.as_str()).collect::<Vec<_>>(),
        ["kode_desa"]
    );
    assert!(errs[0].reason.id.contains("Merah Putih"), "{errs:?}");
}

#[test]
fn an_old_desa_code_is_kept_as_the_current_one() {
    let b = parse(
        "kind,region_code,name,nik,desa_code",
        "entrepreneur,96.01,Yusuf,9601011508900001,92.01.01.2002",
    )
    .unwrap();
    assert_eq!(
        b.desa.map(|d| d.to_string()).as_deref(),
        Some("96.01.01.2002")
    );
    let errs = parse(
        "kind,region_code,name,nik,desa_code",
        "entrepreneur,33.73,Yusuf,3373011508900001,92.01.01.2002",
    )
    .unwrap_err();
    assert_eq!(errs[0].column, "desa_code");
    assert!(
        errs[0]
            .reason
            .en
            .contains("lies in Kabupaten Sorong (96.01)"),
        "{errs:?}"
    );
}
