use std::collections::BTreeSet;

use pantau_domain::RegionCode;
use proptest::prelude::*;

use super::*;

fn villages() -> &'static Villages {
    Villages::embedded().unwrap()
}

fn region(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

fn desa(s: &str) -> DesaCode {
    DesaCode::parse(s).unwrap()
}

fn small(csv: &str) -> Result<Villages, DataError> {
    Villages::parse(csv, Regions::embedded().unwrap(), Renames::default())
}

#[test]
fn the_shipped_data_holds_every_level_of_the_decree() {
    let v = villages();
    assert_eq!(v.kecamatan_count(), 7285);
    assert_eq!(v.desa_count(), 83_762);
    let by = |level| v.all_desa().filter(|p| p.level == level).count();
    assert_eq!(by(LocalLevel::Kelurahan), 8496);
    assert_eq!(by(LocalLevel::Desa), 75_252);
    assert_eq!(by(LocalLevel::DesaAdat), 14);
    // The source README's table: Lampung 229 kecamatan, 205 kelurahan, 2,446 desa.
    let lampung: Vec<_> = v
        .regions()
        .children(&region("18"))
        .flat_map(|r| v.desa_in(&r.code))
        .collect();
    assert_eq!(lampung.len(), 205 + 2446);
    let kec: usize = v
        .regions()
        .children(&region("18"))
        .map(|r| v.kecamatan_of(&r.code).count())
        .sum();
    assert_eq!(kec, 229);
}

#[test]
fn every_place_lies_in_regions_that_exist() {
    let v = villages();
    // A place is listed only when its kecamatan, kabupaten/kota and
    // province are found: all of them are.
    assert_eq!(v.all_kecamatan().count(), v.kecamatan_count());
    assert_eq!(v.all_desa().count(), v.desa_count());
    let regencies: BTreeSet<_> = v.all_kecamatan().map(|k| k.regency.code.clone()).collect();
    for r in v.regions().iter() {
        // every kabupaten/kota has kecamatan; a province is no kecamatan's kabupaten/kota
        assert_eq!(
            regencies.contains(&r.code),
            !r.code.is_province(),
            "{}",
            r.code
        );
    }
    let kecamatan: BTreeSet<_> = v.all_desa().map(|d| d.kecamatan).collect();
    assert_eq!(
        kecamatan.len(),
        v.kecamatan_count(),
        "every kecamatan has desa"
    );
}

#[test]
fn a_code_is_looked_up_with_its_kecamatan_kabupaten_kota_and_province() {
    let v = villages();
    for typed in [
        "33.73.04.1001",
        "3373041001",
        " 33.73.04.1001 ",
        "33 73 04 1001",
    ] {
        let p = v.lookup(typed).unwrap();
        assert_eq!(p.code.to_string(), "33.73.04.1001");
        assert_eq!(p.name, "Kecandran");
        assert_eq!(p.level, LocalLevel::Kelurahan);
        assert_eq!(p.kecamatan_name, "Sidomukti");
        assert_eq!(p.regency.name, "Kota Salatiga");
        assert_eq!(p.province.name, "Jawa Tengah");
    }
    let k = v.lookup("33.73.04").unwrap();
    assert_eq!((k.name, k.level), ("Sidomukti", LocalLevel::Kecamatan));
    assert_eq!(v.lookup("337304").unwrap().code, k.code);
    let d = v.lookup("11.01.01.2001").unwrap();
    assert_eq!((d.name, d.level), ("Keude Bakongan", LocalLevel::Desa));
    let adat = v.lookup("91.03.01.3007").unwrap();
    assert_eq!(
        (adat.name, adat.level, adat.regency.name.as_str()),
        (
            "Desa Adat Yoboi",
            LocalLevel::DesaAdat,
            "Kabupaten Jayapura"
        )
    );
    assert_eq!(v.lookup("33.73.04.1999"), None);
    assert_eq!(v.lookup("33.73.99"), None);
    assert_eq!(v.lookup("Kecandran"), None);
}

#[test]
fn lists_of_a_kabupaten_kota_and_of_a_kecamatan() {
    let v = villages();
    let salatiga: Vec<_> = v.kecamatan_of(&region("33.73")).map(|k| k.name).collect();
    assert_eq!(salatiga, ["Sidorejo", "Tingkir", "Argomulyo", "Sidomukti"]);
    let sidomukti: Vec<_> = v
        .desa_of(KecamatanCode::parse("33.73.04").unwrap())
        .map(|d| (d.code.to_string(), d.name))
        .collect();
    assert_eq!(
        sidomukti,
        [
            ("33.73.04.1001".to_string(), "Kecandran"),
            ("33.73.04.1002".to_string(), "Dukuh"),
            ("33.73.04.1003".to_string(), "Mangunsari"),
            ("33.73.04.1004".to_string(), "Kalicacing"),
        ]
    );
    assert_eq!(v.desa_in(&region("33.73")).count(), 23);
    // a province's code is not a kabupaten/kota: nothing, not the province's all
    assert_eq!(v.kecamatan_of(&region("33")).count(), 0);
    assert_eq!(v.desa_in(&region("33")).count(), 0);
    // the lists do not run into the next kabupaten/kota
    assert!(
        v.desa_in(&region("33.72"))
            .all(|d| d.regency.code == region("33.72"))
    );
}

#[test]
fn a_desa_code_is_parsed_as_offices_type_it() {
    for typed in [
        "33.73.04.1001",
        "3373041001",
        "33-73-04-1001",
        "33 73 04 1001",
        "3.373.041.001",
        "3,373,041,001",
        "33,73,04,1001",
        "3,373041001E+09",
        "3.373041001e9",
    ] {
        assert_eq!(desa(typed).to_string(), "33.73.04.1001", "{typed}");
    }
    let shape = CodeError::Shape {
        want: LocalLevel::Desa,
    };
    for (typed, error) in [
        ("", CodeError::Empty),
        ("   ", CodeError::Empty),
        ("3,37304E+09", CodeError::Scientific),
        ("3.37304100E+09", CodeError::Scientific),
        ("337304100", shape.clone()),
        ("33.73.041.001", shape.clone()),
        ("3.373.0410.01", shape.clone()),
        ("3 373 041 001", shape.clone()),
        ("33.73.04-1001", shape.clone()),
        ("33.73.04.1001x", shape.clone()),
        ("+3373041001", shape.clone()),
        ("08.73.04.1001", CodeError::Part(code::PROVINCE_PART)),
        ("33.00.04.1001", CodeError::Part(code::ZERO_PART)),
        ("33.73.00.1001", CodeError::Part(code::ZERO_PART)),
        ("33.73.04.4001", CodeError::Part(code::DESA_PART)),
        ("33.73.04.0001", CodeError::Part(code::DESA_PART)),
        ("33.73.04.2000", CodeError::Part(code::DESA_PART)),
    ] {
        assert_eq!(DesaCode::parse(typed), Err(error), "{typed:?}");
    }
    let d = desa("3373042015");
    assert_eq!(d.level(), LocalLevel::Desa);
    assert_eq!(d.kecamatan().to_string(), "33.73.04");
    assert_eq!(d.regency(), region("33.73"));
    assert_eq!(d.province(), region("33"));
    assert_eq!(d.digits(), "3373042015");
    assert_eq!(
        serde_json::to_string(&d).unwrap(),
        "\"33.73.04.2015\"",
        "stored dotted"
    );
    assert_eq!(
        serde_json::from_str::<DesaCode>("\"3373042015\"").unwrap(),
        d
    );
    assert!(serde_json::from_str::<DesaCode>("\"33.73.04\"").is_err());
}

#[test]
fn the_refusal_names_the_column_and_says_why_in_both_languages() {
    let v = villages();
    let salatiga = region("33.73");
    assert_eq!(
        v.check_desa("desa_code", "3373041001", &salatiga),
        Ok(desa("33.73.04.1001"))
    );
    let refused = |text: &str, regency: &RegionCode| {
        let e = v.check_desa("desa_code", text, regency).unwrap_err();
        assert_eq!(e.column, "desa_code");
        (e.reason.id, e.reason.en)
    };
    let (id, en) = refused("33.73.04.1001", &region("33.72"));
    assert_eq!(
        id,
        "kelurahan 33.73.04.1001 (Kecandran) terletak di Kota Salatiga (33.73), bukan di \
         Kota Surakarta (33.72)"
    );
    assert_eq!(
        en,
        "urban village (kelurahan) 33.73.04.1001 (Kecandran) lies in Kota Salatiga (33.73), \
         not in Kota Surakarta (33.72)"
    );
    let (id, en) = refused("33.73.04.1999", &salatiga);
    assert_eq!(id, "tidak ada desa/kelurahan dengan kode 33.73.04.1999");
    assert_eq!(en, "there is no desa/kelurahan 33.73.04.1999");
    let (id, en) = refused("33.73.04", &salatiga);
    assert!(
        id.contains("kode kecamatan Sidomukti (Kota Salatiga)"),
        "{id}"
    );
    assert!(en.contains("kecamatan Sidomukti"), "{en}");
    let (id, en) = refused("3,37304E+09", &salatiga);
    assert!(
        id.contains("notasi ilmiah") && id.contains("desa_code"),
        "{id}"
    );
    assert!(en.contains("scientific notation"), "{en}");
    let (id, en) = refused("33.73.4.1001", &salatiga);
    assert!(
        id.contains("bukan kode desa/kelurahan: tulis 10 angka"),
        "{id}"
    );
    assert!(
        en.starts_with("`33.73.4.1001` is not a desa/kelurahan code"),
        "{en}"
    );
    let (id, _) = refused("33.73.04.5001", &salatiga);
    assert!(
        id.contains("diawali 1 (kelurahan), 2 (desa) atau 3 (desa adat)"),
        "{id}"
    );
    // an old code names the one that replaced it
    let (id, en) = refused("92.01.01.2002", &region("96.01"));
    assert!(
        id.starts_with("kode desa/kelurahan 92.01.01.2002 sudah diganti menjadi 96.01."),
        "{id}"
    );
    assert!(id.contains("Kabupaten Sorong") && id.ends_with("Kepmendagri 300.2.2-2138 Tahun 2025"));
    assert!(en.contains("was replaced by 96.01."), "{en}");
}

#[test]
fn old_codes_resolve_to_the_current_ones() {
    let v = villages();
    let renames = v.renames();
    // kabupaten/kota: Papua Barat Daya took six from Papua Barat
    for (old, new, name) in [
        ("92.01", "96.01", "Kabupaten Sorong"),
        ("92.04", "96.02", "Kabupaten Sorong Selatan"),
        ("92.05", "96.03", "Kabupaten Raja Ampat"),
        ("92.09", "96.04", "Kabupaten Tambrauw"),
        ("92.10", "96.05", "Kabupaten Maybrat"),
        ("92.71", "96.71", "Kota Sorong"),
    ] {
        let now = renames.current(old);
        assert_eq!(now.code, new);
        assert_eq!(now.steps.len(), 1);
        assert_eq!(now.steps[0].date, "2025-04-25");
        assert_eq!(v.regions().get(&region(new)).unwrap().name, name);
        assert!(v.regions().get(&region(old)).is_none(), "{old} is gone");
    }
    // a current code is its own
    let same = renames.current("3373041001");
    assert_eq!((same.code.as_str(), same.steps.len()), ("33.73.04.1001", 0));
    // every old code is gone from the decree, every new one is in it
    for r in renames.iter() {
        let level_of = |c: &str| c.len();
        assert_eq!(level_of(&r.old_code), level_of(&r.new_code));
        match r.new_code.len() {
            5 => assert!(v.regions().get(&region(&r.new_code)).is_some()),
            _ => {
                assert!(v.lookup(&r.new_code).is_some(), "{}", r.new_code);
                assert!(v.lookup(&r.old_code).is_none(), "{}", r.old_code);
            }
        }
    }
    // a desa that moved with its kabupaten/kota, and one moved to a new kecamatan
    let found = v.resolve("9201012002").unwrap();
    assert_eq!(found.renamed.len(), 1);
    assert_eq!(found.place.regency.code, region("96.01"));
    assert_eq!(found.place.province.name, "Papua Barat Daya");
    assert_eq!(found.place.name, "Asbaken");
    let toili = v.resolve("72.01.09.2015").unwrap();
    assert_eq!(toili.place.kecamatan_name, "Toili Jaya");
    assert_eq!(toili.renamed[0].old_code, "72.01.09.2015");
    // a current code resolves to itself, with no change
    assert_eq!(
        v.resolve("33.73.04.1001").unwrap().renamed,
        Vec::<&Rename>::new()
    );
}

#[test]
fn renamed_refuses_what_cannot_be_a_change() {
    let head = "old_code,new_code,decree,date,basis\n";
    let ok = format!("{head}11.01,11.02,K,2025-04-25,name\n11.02,11.03,K,2026-01-01,name\n");
    let r = Renames::parse(&ok).unwrap();
    let now = r.current("1101");
    assert_eq!(now.code, "11.03");
    assert_eq!(now.steps.len(), 2, "a chain of changes is followed");
    for (bad, why) in [
        ("11.01,11.01.01,K,2025-04-25,name\n", "another level"),
        ("11.01,11.01,K,2025-04-25,name\n", "itself"),
        ("1101,11.02,K,2025-04-25,name\n", "not dotted"),
        ("11.01,11.02,K,25 April 2025,name\n", "a date"),
        ("11.01,11.02,K,2025-04-25,guess\n", "a basis"),
        (
            "11.01,11.02,K,2025-04-25,name\n11.01,11.03,K,2025-04-25,name\n",
            "twice",
        ),
        (
            "11.01,11.02,K,2025-04-25,name\n11.02,11.01,K,2025-04-25,name\n",
            "a cycle",
        ),
    ] {
        assert!(Renames::parse(&format!("{head}{bad}")).is_err(), "{why}");
    }
    let e = Renames::parse(&format!(
        "{head}11.01,11.02,K,2025-04-25,name\n1101,x,K,2025-04-25,name\n"
    ))
    .unwrap_err();
    assert_eq!((e.file, e.line), ("renamed.csv", 3));
}

#[test]
fn a_broken_villages_file_is_refused_by_line() {
    let ok = "code,name\n33.73.04,Sidomukti\n33.73.04.1001,Kecandran\n";
    assert_eq!(small(ok).unwrap().desa_count(), 1);
    for (bad, line) in [
        ("code,name\n33.73.04.1001,Kecandran\n", 2), // no kecamatan before it
        ("code,name\n33.99.01,Nowhere\n", 2),        // no such kabupaten/kota
        ("code,name\n33.73.04,Sidomukti\n33.73.04,Sidomukti\n", 3), // twice
        ("code,name\n33.73.04,Sidomukti\n33.73.03,Tingkir\n", 3), // out of order
        ("code,name\n33.73.04,Sidomukti\n33.73.04.1001,\n", 3), // no name
        ("code,name\n33.73.04,Sidomukti\n3373041001,Kecandran\n", 3), // not dotted
        ("code,name\n33.73.04,Sidomukti,x\n", 2),    // three columns
    ] {
        let e = small(bad).unwrap_err();
        assert_eq!((e.file, e.line), ("villages.csv.gz", line), "{bad}");
    }
}

#[test]
fn loading_regions_does_not_load_villages() {
    // `Regions` reads only regions.csv: the villages file is its own.
    let r = Regions::embedded().unwrap();
    assert_eq!(r.len(), 552);
}

fn any_desa() -> impl Strategy<Value = DesaCode> {
    (11u64..=99, 1u64..=99, 1u64..=99, 1u64..=3, 1u64..=999).prop_map(|(p, r, k, t, n)| {
        DesaCode::parse(&format!("{p:02}{r:02}{k:02}{t}{n:03}")).unwrap()
    })
}

proptest! {
    #[test]
    fn every_written_form_reads_back_as_the_same_code(code in any_desa()) {
        let digits = code.digits();
        let thousands = format!(
            "{}.{}.{}.{}", &digits[..1], &digits[1..4], &digits[4..7], &digits[7..]
        );
        let scientific = format!("{},{}E+09", &digits[..1], &digits[1..]);
        for form in [code.to_string(), digits.clone(), thousands, scientific] {
            prop_assert_eq!(DesaCode::parse(&form), Ok(code), "{}", form);
        }
        prop_assert_eq!(LocalCode::parse(&digits), Ok(LocalCode::Desa(code)));
        prop_assert_eq!(code.kecamatan().regency(), code.regency());
        prop_assert_eq!(
            KecamatanCode::parse(&code.kecamatan().to_string()), Ok(code.kecamatan())
        );
    }

    #[test]
    fn a_lost_digit_is_never_read_as_a_code(code in any_desa(), at in 0usize..10) {
        let mut digits = code.digits();
        digits.remove(at);
        prop_assert!(DesaCode::parse(&digits).is_err());
        let short = format!("{},{}E+09", &digits[..1], &digits[1..]);
        prop_assert!(DesaCode::parse(&short).is_err());
    }

    #[test]
    fn any_text_is_refused_or_read_without_panicking(text in "\\PC{0,20}") {
        if let Ok(code) = DesaCode::parse(&text) {
            prop_assert_eq!(DesaCode::parse(&code.to_string()), Ok(code));
        }
        let _ = villages().check_desa("desa_code", &text, &RegionCode::parse("33.73").unwrap());
    }
}

#[test]
fn a_beneficiarys_desa_is_accepted_in_its_kabupaten_kota_and_by_an_old_code() {
    let v = villages();
    let salatiga = region("33.73");
    // in its kabupaten/kota: the code as typed, however typed
    assert_eq!(
        v.accept_desa("desa_code", "3373041001", &salatiga),
        Ok(desa("33.73.04.1001"))
    );
    // in another: refused, naming where it lies
    let e = v
        .accept_desa("desa_code", "33.73.04.1001", &region("33.72"))
        .unwrap_err();
    assert_eq!(e.column, "desa_code");
    assert!(
        e.reason.id.contains("terletak di Kota Salatiga (33.73)"),
        "{e:?}"
    );
    // an old code is taken as the current one
    assert_eq!(
        v.accept_desa("desa_code", "92.01.01.2002", &region("96.01"))
            .map(|c| c.to_string()),
        Ok(v.resolve("92.01.01.2002").unwrap().place.code.to_string())
    );
    assert_eq!(
        v.accept_desa("desa_code", "7201092015", &region("72.01"))
            .map(|c| c.to_string()),
        Ok("72.01.24.2001".to_string())
    );
    // and checked against the kabupaten/kota it lies in now
    let e = v
        .accept_desa("desa_code", "92.01.01.2002", &region("92.01"))
        .unwrap_err();
    assert!(
        e.reason.en.contains("lies in Kabupaten Sorong (96.01)"),
        "{e:?}"
    );
    // a code no decree ever had is refused as before
    let e = v
        .accept_desa("desa_code", "33.73.04.1999", &salatiga)
        .unwrap_err();
    assert_eq!(e.reason.en, "there is no desa/kelurahan 33.73.04.1999");
}
