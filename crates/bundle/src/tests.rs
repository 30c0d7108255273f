//! A bundle written here and checked here: intact bundles verify, any one
//! altered event body is named by case and sequence even with the manifest
//! rehashed, any one bit flipped in any member (the manifest too) or in
//! the gzip stream fails the check and is named where it is, and no input
//! makes the check panic.

use chrono::{TimeZone, Utc};
use pantau_chain as chain;
use pantau_domain::{RegionCode, Role};
use pantau_workflow::{Actor, Change, Event, Value};
use proptest::prelude::*;

use crate::{ActorLine, CaseLine, EVENTS, EventLine, MANIFEST, Problem, Writer, verify};

/// `cases` cases of `events[i]` events each, as the store would hold them.
fn cases(events: &[usize]) -> Vec<(CaseLine, Vec<EventLine>)> {
    events
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let id = format!("case-{i:03}");
            let mut prev = chain::GENESIS.to_string();
            let mut lines = Vec::new();
            for seq in 1..=n as u64 {
                let at = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap()
                    + chrono::TimeDelta::days(seq as i64);
                let event = Event {
                    seq,
                    at,
                    actor: Actor {
                        user: "petugas.1871".into(),
                        role: Role::FieldOfficer,
                    },
                    key: format!("{id}:{seq}"),
                    action: if seq == 1 {
                        "open".into()
                    } else {
                        format!("step{seq}")
                    },
                    from: (seq > 1).then(|| format!("s{}", seq - 1)),
                    to: format!("s{seq}"),
                    // Quotes, a backslash, a tab and a control character,
                    // so the body carries every kind of JSON escape.
                    fields: [(
                        "catatan".to_string(),
                        Value::Text(format!("ke-{seq}: \"cek\"\tC:\\ok\u{1f}")),
                    )]
                    .into(),
                    observed_at: None,
                    changes: if seq == 1 {
                        vec![Change::Opened {
                            workflow: "bansos".into(),
                            version: 1,
                        }]
                    } else {
                        vec![]
                    },
                };
                let body = serde_json::to_string(&event).unwrap();
                let hash = chain::hash(&id, seq as i64, &prev, &body);
                lines.push(EventLine {
                    case_id: id.clone(),
                    seq: seq as i64,
                    at,
                    actor: ActorLine {
                        user: "petugas.1871".into(),
                        role: "field_officer".into(),
                    },
                    action: event.action.clone(),
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                    body,
                });
                prev = hash;
            }
            let case = CaseLine {
                id: id.clone(),
                workflow: "bansos".into(),
                workflow_version: 1,
                program: Some("bansos-2026".into()),
                region: Some("18.71".into()),
                beneficiary: None,
                state: format!("s{n}"),
                seq: n as i64,
                head_hash: prev,
            };
            (case, lines)
        })
        .collect()
}

fn bundle(cases: &[(CaseLine, Vec<EventLine>)], region: &str) -> Vec<u8> {
    let created = Utc.with_ymd_and_hms(2027, 1, 5, 0, 0, 0).unwrap();
    let mut w = Writer::new(RegionCode::parse(region).unwrap(), 2026, created).unwrap();
    for (c, events) in cases {
        w.case(c).unwrap();
        for e in events {
            w.event(e).unwrap();
        }
    }
    let mut out = Vec::new();
    w.finish(
        vec![("laporan.csv".into(), b"a,b\n1,2\n".to_vec())],
        &mut out,
    )
    .unwrap();
    out
}

#[test]
fn a_written_bundle_verifies_and_is_the_same_bytes_twice() {
    let c = cases(&[3, 1, 5]);
    let bytes = bundle(&c, "18");
    let checked = verify("b.tar.gz", &bytes[..]).unwrap();
    assert_eq!(checked.problems, vec![]);
    assert_eq!((checked.cases, checked.events), (3, 9));
    assert_eq!(checked.manifest.members.len(), 3);
    assert_eq!(bytes, bundle(&c, "18"));
}

#[test]
fn a_case_outside_the_region_or_a_record_off_its_events_is_named() {
    let mut c = cases(&[2, 2]);
    c[0].0.region = Some("13.72".into());
    c[1].0.state = "approved".into();
    let checked = verify("b.tar.gz", &bundle(&c, "18")[..]).unwrap();
    let said: Vec<String> = checked.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        said,
        [
            "case case-000: its region 13.72 lies outside the manifest's region 18",
            "case case-001: its record says bansos v1 in state approved, its events replay to bansos v1 in state s2",
        ]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_altered_body_is_named_by_its_case_and_event(
        sizes in prop::collection::vec(1usize..6, 1..5),
        pick in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
    ) {
        let mut c = cases(&sizes);
        let all: Vec<(usize, usize)> = c
            .iter()
            .enumerate()
            .flat_map(|(i, (_, e))| (0..e.len()).map(move |j| (i, j)))
            .collect();
        let (i, j) = all[pick.index(all.len())];
        let line = &mut c[i].1[j];
        let mut body = line.body.clone().into_bytes();
        let k = at.index(body.len());
        body[k] = if body[k] == b'x' { b'y' } else { b'x' };
        line.body = String::from_utf8(body).unwrap();
        let (case_id, seq) = (line.case_id.clone(), line.seq);
        // The writer hashes what it is given: the manifest matches the edit.
        let checked = verify("b.tar.gz", &bundle(&c, "18")[..]).unwrap();
        prop_assert_eq!(checked.problems.len(), 1, "{:?}", checked.problems);
        match &checked.problems[0] {
            Problem::Event { case_id: got, seq: s, .. } => {
                prop_assert_eq!(got, &case_id);
                prop_assert_eq!(*s, seq);
            }
            other => prop_assert!(false, "{other}"),
        }
    }

    #[test]
    fn any_flipped_bit_in_a_member_fails_the_check_and_is_named(
        sizes in prop::collection::vec(1usize..6, 1..4),
        member in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let mut members = unpack(&bundle(&cases(&sizes), "18"));
        let i = member.index(members.len());
        let (header, content) = &mut members[i];
        let name = header.path().unwrap().display().to_string();
        let k = at.index(content.len());
        content[k] ^= 1 << bit;
        let altered = content.clone();
        let result = verify("b.tar.gz", &pack(&members)[..]);
        if name == MANIFEST {
            // Nothing in the bundle vouches for the manifest, but every
            // field of it is checked against something: the bundle is
            // refused as unreadable, naming the manifest, or a problem
            // says which part of the manifest does not hold.
            match result {
                Err(e) => prop_assert!(e.to_string().contains(MANIFEST), "{e}"),
                Ok(c) => prop_assert!(
                    c.problems.iter().any(|p| p.to_string().contains("manifest")),
                    "{:?}",
                    c.problems
                ),
            }
            return Ok(());
        }
        let checked = result.map_err(|e| TestCaseError::fail(e.to_string()))?;
        // Every other member is named by its SHA-256 in the manifest.
        prop_assert!(
            checked.problems.iter().any(|p| matches!(
                p,
                Problem::Member { name: n, reason } if *n == name && reason.contains("SHA-256")
            )),
            "{name}: {:?}",
            checked.problems
        );
        if name == EVENTS {
            // And the line the flip landed in, by the case and event it
            // says (the ones it said before, unless the flip hit them), or
            // by its number when it no longer reads as an event.
            let line = 1 + altered[..k].iter().filter(|&&b| b == b'\n').count();
            let text = altered.split(|&b| b == b'\n').nth(line - 1).unwrap();
            let line = line as u64;
            let named = match serde_json::from_slice::<EventLine>(text) {
                Ok(e) => checked.problems.iter().any(|p| matches!(
                    p,
                    Problem::Event { case_id, seq, line: l, .. }
                        if *case_id == e.case_id && *seq == e.seq && *l == line
                )),
                Err(_) => checked.problems.iter().any(|p| matches!(
                    p,
                    Problem::Line { member: EVENTS, line: l, .. } if *l == line
                )),
            };
            prop_assert!(named, "line {line}: {:?}", checked.problems);
        }
    }

    #[test]
    fn any_flipped_bit_in_the_gzip_stream_fails_or_changes_nothing(
        sizes in prop::collection::vec(1usize..6, 1..4),
        at in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let original = bundle(&cases(&sizes), "18");
        let mut bytes = original.clone();
        let k = at.index(bytes.len());
        bytes[k] ^= 1 << bit;
        match verify("b.tar.gz", &bytes[..]) {
            Err(e) => prop_assert!(e.to_string().starts_with("b.tar.gz: "), "{e}"),
            // Only a flip in what carries no content can pass (the gzip
            // header's time, flags for text and the system it was made
            // on, a code the compressed data never uses): the tar is the
            // same bytes, and so intact.
            Ok(c) => {
                prop_assert_eq!(gunzip(&bytes), gunzip(&original));
                prop_assert!(c.intact(), "{:?}", c.problems);
            }
        }
    }

    #[test]
    fn no_input_makes_the_check_panic(
        garbage in prop::collection::vec(any::<u8>(), 0..600),
        cut in any::<prop::sample::Index>(),
    ) {
        let _ = verify("x", &garbage[..]);
        let bytes = bundle(&cases(&[2, 3]), "18");
        let _ = verify("x", &bytes[..cut.index(bytes.len())]);
    }
}

/// The members of a bundle with their tar headers, in order.
fn unpack(bundle: &[u8]) -> Vec<(tar::Header, Vec<u8>)> {
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bundle));
    tar.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let mut content = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut content).unwrap();
            (e.header().clone(), content)
        })
        .collect()
}

/// Members packed again as the writer packs them, under the same headers
/// (a flipped bit leaves each size as it was).
fn pack(members: &[(tar::Header, Vec<u8>)]) -> Vec<u8> {
    let gz = flate2::GzBuilder::new().write(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (header, content) in members {
        let mut header = header.clone();
        header.set_cksum();
        tar.append(&header, &content[..]).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap()
}

/// The tar inside a gzip stream, if it decompresses.
fn gunzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).ok()?;
    Some(out)
}
