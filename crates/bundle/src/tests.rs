//! A bundle written here and checked here: intact bundles verify, any one
//! altered event body is named by case and sequence even with the manifest
//! rehashed, and no input makes the check panic.

use chrono::{TimeZone, Utc};
use pantau_domain::{RegionCode, Role};
use pantau_store::chain;
use pantau_workflow::{Actor, Change, Event};
use proptest::prelude::*;

use crate::{ActorLine, CaseLine, EventLine, Problem, Writer, verify};

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
                    fields: Default::default(),
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
            "case case-000: its region 13.72 lies outside the bundle's region 18",
            "case case-001: its record says bansos v1 in state approved, its events replay to bansos v1 in state s2",
        ]
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

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
    fn no_input_makes_the_check_panic(
        garbage in prop::collection::vec(any::<u8>(), 0..600),
        flip in any::<prop::sample::Index>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let _ = verify("x", &garbage[..]);
        let mut bytes = bundle(&cases(&[2, 3]), "18");
        let n = bytes.len();
        bytes[flip.index(n)] ^= 0x5a;
        let _ = verify("x", &bytes[..]);
        let _ = verify("x", &bytes[..cut.index(n)]);
    }
}
