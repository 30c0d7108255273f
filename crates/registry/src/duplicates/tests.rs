use proptest::prelude::*;

use super::*;

fn c(id: &str, region: &str, kind: &str, name: &str, nik: Option<&str>) -> Candidate {
    Candidate {
        id: id.into(),
        region: region.into(),
        kind: kind.into(),
        name: name.into(),
        nik: nik.map(Into::into),
    }
}

fn coop(id: &str, region: &str, name: &str) -> Candidate {
    c(id, region, "cooperative", name, None)
}

fn pairs(found: &[Suspect]) -> Vec<(&str, &str)> {
    found
        .iter()
        .map(|s| (s.first.as_str(), s.second.as_str()))
        .collect()
}

#[test]
fn the_common_words_punctuation_case_and_order_are_set_aside() {
    assert_eq!(name_key("KSP Maju Jaya"), "jaya maju");
    assert_eq!(
        name_key("Koperasi Simpan Pinjam \"MAJU JAYA\""),
        "jaya maju"
    );
    assert_eq!(name_key("K.S.P. Jaya-Maju"), "jaya maju");
    assert_eq!(name_key("KUD Sumber Rejeki"), "rejeki sumber");
    assert_eq!(
        name_key("Koperasi Serba Usaha Primer Tani Makmur"),
        "makmur tani"
    );
    assert_eq!(name_key("Koperasi Sejahtéra"), "sejahtera");
    // Nothing but common words: they are the name.
    assert_eq!(name_key("Koperasi Serba Usaha"), "koperasi serba usaha");
    assert_eq!(name_key("  "), "");
}

#[test]
fn alike_names_in_one_kabupaten_are_listed_with_their_score() {
    let found = likely(&[
        coop("a", "1871", "KSP Maju Jaya"),
        coop("b", "1871", "Koperasi Simpan Pinjam Maju Jaya"),
        coop("c", "1871", "KSP Maju Jayaa"),
        coop("d", "1871", "Koperasi Tani Mulya"),
    ]);
    assert_eq!(pairs(&found), [("a", "b"), ("a", "c"), ("b", "c")]);
    assert_eq!(
        found[0].why,
        Why {
            same_nik: false,
            score: 1000
        }
    );
    assert!(found[1].why.score >= THRESHOLD && found[1].why.score < 1000);
}

#[test]
fn a_typo_and_swapped_letters_still_meet() {
    let found = likely(&[
        coop("a", "1871", "KUD Sejahtera Abadi"),
        coop("b", "1871", "KUD Sejahtra Abadi"),
        coop("c", "1871", "KUD Sejahtera Abaid"),
    ]);
    assert_eq!(pairs(&found).len(), 3, "{found:?}");
}

#[test]
fn different_names_regions_and_kinds_are_not_listed() {
    let found = likely(&[
        coop("a", "1871", "KSP Maju Jaya"),
        coop("b", "1872", "KSP Maju Jaya"),
        c("c", "1871", "umkm", "Maju Jaya", Some("1871010101900001")),
        coop("d", "1871", "KSP Maju Jaya Abadi Sentosa"),
        coop("e", "1871", "Koperasi Tani Makmur"),
        coop("f", "1871", "Koperasi Tani Mulya"),
        c("g", "1871", "umkm", "Keripik Pisang Ani 121", None),
        c("h", "1871", "umkm", "Keripik Pisang Ani 161", None),
    ]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn the_same_nik_of_one_kind_is_listed_anywhere_and_first() {
    let nik = Some("1871010101900001");
    let found = likely(&[
        c("z", "1871", "pkl", "Siti", nik),
        c("y", "1302", "pkl", "Siti Aminah", nik),
        c("x", "1871", "entrepreneur", "Siti", nik),
        coop("a", "1871", "KSP Maju Jaya"),
        coop("b", "1871", "KSP Maju Jaya"),
    ]);
    assert_eq!(pairs(&found), [("y", "z"), ("a", "b")]);
    assert!(found[0].why.same_nik);
    assert_eq!(found[0].why.score, similarity("siti", "aminah siti"));
    assert!(found[0].why.score < THRESHOLD);
}

#[test]
fn a_pair_alike_by_both_carries_both_reasons_once() {
    let nik = Some("1871010101900001");
    let found = likely(&[
        c("b", "1871", "umkm", "Warung Bu Siti", nik),
        c("a", "1871", "umkm", "Warung Bu Siti", nik),
        c("a", "1871", "umkm", "Warung Bu Siti", nik),
    ]);
    assert_eq!(pairs(&found), [("a", "b")]);
    assert_eq!(
        found[0].why,
        Why {
            same_nik: true,
            score: 1000
        }
    );
}

#[test]
fn a_kabupaten_of_three_thousand_is_quick() {
    // Names from a few hundred words, so blocks are large: every record
    // shares a block with dozens.
    let words = [
        "maju",
        "jaya",
        "makmur",
        "sejahtera",
        "abadi",
        "sentosa",
        "mandiri",
        "bersama",
        "tani",
        "nelayan",
        "sumber",
        "rejeki",
        "harapan",
        "baru",
        "karya",
        "bakti",
        "mulya",
        "lestari",
    ];
    let mut cs = vec![];
    for i in 0..3_000usize {
        let name = format!(
            "KSP {} {} {}",
            words[i % words.len()],
            words[(i / words.len()) % words.len()],
            i
        );
        cs.push(coop(&format!("{i:05}"), "1871", &name));
    }
    let started = std::time::Instant::now();
    let found = likely(&cs);
    let took = started.elapsed();
    // Unoptimised, on a busy machine.
    assert!(took.as_secs() < 20, "{took:?}");
    assert!(found.iter().all(|s| s.why.score >= THRESHOLD));
}

fn name() -> impl Strategy<Value = String> {
    proptest::collection::vec("[A-Za-z]{1,9}|[0-9]{1,2}", 1..5).prop_map(|w| w.join(" "))
}

proptest! {
    #[test]
    fn every_pair_is_ordered_once_and_above_the_threshold(
        names in proptest::collection::vec((name(), 0..3u8, 0..3u8, proptest::option::of(0..4u8)), 0..40)
    ) {
        let cs: Vec<Candidate> = names.iter().enumerate().map(|(i, (n, r, k, nik))| Candidate {
            id: format!("{i:03}"),
            region: format!("18{r:02}"),
            kind: ["cooperative", "umkm", "pkl"][usize::from(*k)].into(),
            name: n.clone(),
            nik: nik.map(|x| format!("187101010190000{x}")),
        }).collect();
        let found = likely(&cs);
        let mut seen = BTreeSet::new();
        for s in &found {
            prop_assert!(s.first < s.second);
            prop_assert!(seen.insert((s.first.clone(), s.second.clone())));
            let (a, b) = (&cs[s.first.parse::<usize>().unwrap()], &cs[s.second.parse::<usize>().unwrap()]);
            prop_assert_eq!(&a.kind, &b.kind);
            prop_assert_eq!(s.why.score, similarity(&name_key(&a.name), &name_key(&b.name)));
            if !s.why.same_nik {
                prop_assert!(!numbered_apart(&name_key(&a.name), &name_key(&b.name)));
            }
            if s.why.same_nik {
                prop_assert_eq!(&a.nik, &b.nik);
            } else {
                prop_assert_eq!(&a.region, &b.region);
                prop_assert!(s.why.score >= THRESHOLD);
            }
        }
        // Every pair that met in a block and is alike enough is there.
        for (i, a) in cs.iter().enumerate() {
            for b in &cs[i + 1..] {
                let (ka, kb) = (name_key(&a.name), name_key(&b.name));
                let met = a.region == b.region && a.kind == b.kind && !blocks(&ka).is_disjoint(&blocks(&kb));
                let nik = a.kind == b.kind && a.nik.is_some() && a.nik == b.nik;
                if nik || (met && !numbered_apart(&ka, &kb) && similarity(&ka, &kb) >= THRESHOLD) {
                    prop_assert!(seen.contains(&(a.id.clone(), b.id.clone())), "{a:?} {b:?}");
                }
            }
        }
        // The order given changes nothing.
        let mut reversed = cs.clone();
        reversed.reverse();
        prop_assert_eq!(likely(&reversed), found);
    }

    #[test]
    fn a_name_and_its_noisy_copy_are_listed(n in "[a-z]{5,12}( [a-z]{5,12}){1,2}") {
        let noisy = format!("K.S.P. {}", n.to_uppercase().replace(' ', " - "));
        let found = likely(&[coop("a", "1871", &n), coop("b", "1871", &noisy)]);
        prop_assert_eq!(found.len(), 1);
        prop_assert_eq!(found[0].why.score, 1000);
    }

    #[test]
    fn the_key_is_words_of_letters_and_digits(s in any::<String>()) {
        let k = name_key(&s);
        prop_assert!(k.split(' ').all(|w| !w.is_empty() && w.chars().all(char::is_alphanumeric)) || k.is_empty());
    }
}
