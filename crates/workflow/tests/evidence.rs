//! A visit's evidence on the mini fixture: distance from the registered
//! location, photo time, reused photos, and the verifier's acceptance that
//! alone lets a flagged visit count.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use common::{cx, t0};
use pantau_domain::{GeoPoint, Lang, Role, Zone};
use pantau_workflow::evidence::{ACCEPT_ACTION, Facts, Flag, Photo, Use, bands, differs};
use pantau_workflow::{
    Case, Change, Command, Decision, Definition, Effect, Event, FieldProblem, GuardFailure, Known,
    Refusal, engine, load,
};

fn mini() -> Definition {
    let known = Known {
        templates: ["waiting".to_string(), "evidence_flagged".to_string()].into(),
    };
    load("mini.toml", include_str!("fixtures/mini.toml"), &known).expect("mini is clean")
}

fn cmd(key: &str, action: &str, inputs: &[(&str, &str)]) -> Command {
    Command {
        observed_at: None,
        key: key.into(),
        action: action.into(),
        inputs: inputs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
    }
}

/// Bandar Lampung's town hall, and points north of it.
const HOME: &str = "-5.4292,105.2619";
fn north(metres: f64) -> String {
    format!("{:.6},105.2619", -5.4292 + metres / 111_195.0)
}

struct Run {
    def: Definition,
    case: Case,
    events: Vec<Event>,
    day: i64,
}

impl Run {
    /// A case approved for Rp 1.000 with its first tranche paid: visit 1 is open.
    fn paid() -> Run {
        let def = mini();
        let (case, event, _) =
            engine::open(&def, "C-1", "open", &cx(t0(), "rina", Role::ManagerRegency)).unwrap();
        let mut r = Run {
            def,
            case,
            events: vec![event],
            day: 0,
        };
        r.ok(Role::Verifier, cmd("a", "approve", &[("amount", "1000")]));
        r.ok(Role::ManagerProvince, cmd("p1", "pay", &[]));
        r
    }

    fn now(&self) -> DateTime<Utc> {
        t0() + TimeDelta::days(self.day)
    }

    fn take_with(&mut self, role: Role, c: Command, facts: Facts) -> Result<Decision, Refusal> {
        self.day += 1;
        let mut context = cx(self.now(), "someone", role);
        context.evidence = facts;
        let d = engine::step(&self.def, &mut self.case, &c, &context)?;
        if let Decision::Apply { event, .. } = &d {
            self.events.push(event.clone());
        }
        Ok(d)
    }

    fn take(&mut self, role: Role, c: Command) -> Result<Decision, Refusal> {
        self.take_with(role, c, Facts::default())
    }

    fn ok(&mut self, role: Role, c: Command) -> Vec<Effect> {
        match self.take(role, c) {
            Ok(Decision::Apply { effects, .. }) => effects,
            other => panic!("expected the command to apply, got {other:?}"),
        }
    }

    /// Records the open visit with `inputs` and `facts`; returns its flags and effects.
    fn visit(
        &mut self,
        key: &str,
        inputs: &[(&str, &str)],
        facts: Facts,
    ) -> (Vec<Flag>, Vec<Effect>) {
        let mut all = vec![("active", "ya"), ("status", "baik")];
        all.extend_from_slice(inputs);
        let d = self.take_with(Role::FieldOfficer, cmd(key, "visit", &all), facts);
        let Ok(Decision::Apply { event, effects }) = d else {
            panic!("the visit should be recorded, got {d:?}");
        };
        let flags = event
            .changes
            .iter()
            .find_map(|c| match c {
                Change::VisitCompleted { flags, .. } => Some(flags.clone()),
                _ => None,
            })
            .expect("a visit completes");
        (flags, effects)
    }

    fn accept_offered(&self, role: Role) -> bool {
        engine::available(&self.def, &self.case, role).any(|a| a.id == ACCEPT_ACTION)
    }
}

fn registered() -> Facts {
    Facts {
        registered: Some(GeoPoint::parse(HOME).unwrap()),
        photos: Vec::new(),
        users: Vec::new(),
    }
}

#[test]
fn a_visit_far_from_the_registered_location_holds_the_next_tranche_until_a_verifier_accepts_it() {
    let mut r = Run::paid();
    let far = north(2_000.0);
    let (flags, effects) = r.visit("v1", &[("where", &far)], registered());
    let [Flag::Distance { metres, limit }] = flags.as_slice() else {
        panic!("one distance flag expected, got {flags:?}");
    };
    assert!((1_990..=2_010).contains(metres), "{metres} m");
    assert_eq!(*limit, 200);
    assert!(
        effects.iter().any(|e| matches!(e,
            Effect::Notify { to: Role::Verifier, template, .. } if template == "evidence_flagged")),
        "the verifiers hear of it: {effects:?}"
    );
    assert_eq!(
        r.take(Role::ManagerProvince, cmd("p2", "pay", &[])),
        Err(Refusal::Guard(GuardFailure::EvidenceFlagged { visit: 1 }))
    );
    assert!(r.accept_offered(Role::Verifier));
    assert!(!r.accept_offered(Role::FieldOfficer));
    assert!(matches!(
        r.take(
            Role::FieldOfficer,
            cmd("x", ACCEPT_ACTION, &[("reason", "saya sendiri")])
        ),
        Err(Refusal::RoleNotAllowed { .. })
    ));
    let Err(Refusal::Fields { errors }) = r.take(Role::Verifier, cmd("x", ACCEPT_ACTION, &[]))
    else {
        panic!("accepting without a reason is refused");
    };
    assert_eq!(errors[0].field, "reason");
    assert_eq!(errors[0].problem, FieldProblem::Missing);

    r.ok(
        Role::Verifier,
        cmd(
            "acc",
            ACCEPT_ACTION,
            &[("reason", "kantor koperasi pindah ke balai desa")],
        ),
    );
    assert_eq!(r.case.state, "paid", "accepting evidence moves no state");
    assert!(!r.accept_offered(Role::Verifier));
    assert_eq!(
        r.take(
            Role::Verifier,
            cmd("acc2", ACCEPT_ACTION, &[("reason", "lagi")])
        ),
        Err(Refusal::Guard(GuardFailure::NothingFlagged))
    );
    r.ok(Role::ManagerProvince, cmd("p2", "pay", &[]));
    assert_eq!(r.case.tranches.len(), 2);
    assert_eq!(Case::replay("C-1", &r.events).unwrap(), r.case);
}

#[test]
fn a_visit_within_the_distance_is_clear_and_the_first_visit_stands_in_for_a_missing_registration() {
    let mut r = Run::paid();
    let near = north(150.0);
    assert_eq!(r.visit("v1", &[("where", &near)], registered()).0, vec![]);
    r.ok(Role::ManagerProvince, cmd("p2", "pay", &[]));

    let mut r = Run::paid();
    assert_eq!(
        r.visit("v1", &[("where", HOME)], Facts::default()).0,
        vec![]
    );
    r.ok(Role::ManagerProvince, cmd("p2", "pay", &[]));
    let far = north(1_000.0);
    let (flags, _) = r.visit("v2", &[("where", &far)], Facts::default());
    assert!(
        matches!(flags.as_slice(), [Flag::Distance { .. }]),
        "the second visit is measured from the first: {flags:?}"
    );
}

#[test]
fn a_visit_without_gps_is_flagged_where_the_beneficiary_has_a_location() {
    let mut r = Run::paid();
    assert_eq!(r.visit("v1", &[], registered()).0, vec![Flag::NoGps]);
    let mut r = Run::paid();
    assert_eq!(r.visit("v1", &[], Facts::default()).0, vec![]);
}

fn photo(taken_at: Option<DateTime<Utc>>, used_in: Vec<Use>) -> Facts {
    Facts {
        registered: None,
        photos: vec![Photo {
            id: "ph1".into(),
            picture: true,
            taken_at,
            used_in,
        }],
        users: Vec::new(),
    }
}

#[test]
fn a_photo_taken_outside_the_visit_window_is_flagged() {
    let cases = [
        (TimeDelta::hours(-5), false),
        (TimeDelta::days(-2), false),
        (TimeDelta::days(-4), true),
        (TimeDelta::minutes(30), false),
        (TimeDelta::hours(3), true),
    ];
    for (offset, flagged) in cases {
        let mut r = Run::paid();
        let taken = r.now() + TimeDelta::days(1) + offset;
        let (flags, _) = r.visit("v1", &[("photo", "ph1")], photo(Some(taken), vec![]));
        let expected = if flagged {
            vec![Flag::PhotoTime {
                photo: "ph1".into(),
                taken_at: taken,
            }]
        } else {
            vec![]
        };
        assert_eq!(flags, expected, "photo taken {offset} from the visit");
    }
    let mut r = Run::paid();
    assert_eq!(
        r.visit("v1", &[("photo", "ph1")], photo(None, vec![])).0,
        vec![Flag::NoCameraTime {
            photo: "ph1".into()
        }],
        "no EXIF: nothing to check the time against"
    );
}

#[test]
fn a_photo_used_in_another_visit_is_flagged_with_that_visit() {
    let other = |bits| Use {
        case_id: "C-9".into(),
        region: Some("18.71".into()),
        visit: 2,
        differs_bits: bits,
    };
    for (bits, flagged) in [
        (None, true),
        (Some(0), true),
        (Some(4), true),
        (Some(5), false),
    ] {
        let mut r = Run::paid();
        let taken = r.now() + TimeDelta::days(1);
        let (flags, _) = r.visit(
            "v1",
            &[("photo", "ph1")],
            photo(Some(taken), vec![other(bits)]),
        );
        let expected = if flagged {
            vec![Flag::PhotoReused {
                photo: "ph1".into(),
                case_id: "C-9".into(),
                region: Some("18.71".into()),
                visit: 2,
                same_file: bits.is_none(),
            }]
        } else {
            vec![]
        };
        assert_eq!(flags, expected, "hashes differing in {bits:?} bits");
    }
}

#[test]
fn flags_read_plainly_in_both_languages() {
    let f = Flag::Distance {
        metres: 2_345,
        limit: 500,
    };
    assert_eq!(
        f.message(Lang::Id, Zone::Wib),
        "titik GPS 2.345 m dari lokasi terdaftar (batas 500 m)"
    );
    assert_eq!(
        f.message(Lang::En, Zone::Wib),
        "GPS point 2,345 m from the registered location (limit 500 m)"
    );
    let reused = Flag::PhotoReused {
        photo: "ph1".into(),
        case_id: "C-9".into(),
        region: Some("18.71".into()),
        visit: 2,
        same_file: true,
    };
    assert_eq!(
        reused.message(Lang::Id, Zone::Wib),
        "foto ph1 sudah dipakai di kunjungan ke-2 kasus C-9"
    );
    assert_eq!(reused.other_case(), Some("C-9"));
    assert_eq!(
        reused.message_without_other(Lang::Id, Zone::Wib),
        "foto ph1 sudah dipakai pada kunjungan di wilayah lain"
    );
}

#[test]
fn evidence_rules_are_checked_and_the_accept_action_is_reserved() {
    let known = Known {
        templates: ["waiting".to_string(), "evidence_flagged".to_string()].into(),
    };
    let text = include_str!("fixtures/mini.toml")
        .replace("max_distance_m = 200", "max_distance_m = -3")
        .replace("similar_bits = 4", "similar_bits = 9")
        .replace("id = \"close\"", "id = \"accept_evidence\"");
    let problems = load("mini.toml", &text, &known).expect_err("bad evidence rules");
    let text: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
    for needle in [
        "max_distance_m",
        "similar_bits must lie between 0 and 7",
        "Pantau's own",
    ] {
        assert!(
            text.iter().any(|t| t.contains(needle)),
            "no problem mentions {needle}: {text:#?}"
        );
    }
}

#[test]
fn hashes_within_seven_bits_share_a_band() {
    let a: u64 = 0x0123_4567_89AB_CDEF;
    // One bit flipped in each of seven bands: the eighth stays whole.
    let b = a ^ 0x0101_0101_0101_0100;
    assert_eq!(differs(a, b), 7);
    let (ba, bb) = (bands(a), bands(b));
    assert_eq!(ba.iter().zip(bb.iter()).filter(|(x, y)| x == y).count(), 1);
    assert_eq!(ba[7], 7 * 256 + 0xEF);
    assert_eq!(differs(a, !a), 64);
}

#[test]
fn a_photo_answer_must_name_a_picture_uploaded_to_the_case() {
    let mut r = Run::paid();
    let refused = |d: Result<Decision, Refusal>| match d {
        Err(Refusal::Fields { errors }) => {
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].field, "photo");
            errors[0].message(Lang::Id)
        }
        other => panic!("a photo answer naming no upload is refused, got {other:?}"),
    };
    let answers = [
        ("active", "ya"),
        ("status", "baik"),
        ("photo", "foto-gudang.jpg"),
    ];
    let typed = refused(r.take(Role::FieldOfficer, cmd("v1", "visit", &answers)));
    assert!(typed.contains("bukan foto yang diunggah"), "{typed}");
    let mut pdf = photo(Some(r.now()), vec![]);
    pdf.photos[0].picture = false;
    let answers = [("active", "ya"), ("status", "baik"), ("photo", "ph1")];
    let not_a_picture = refused(r.take_with(Role::FieldOfficer, cmd("v1", "visit", &answers), pdf));
    assert!(not_a_picture.contains("bukan gambar"), "{not_a_picture}");
    assert!(r.case.visits[0].done_at.is_none(), "nothing was recorded");
    let taken = r.now() + TimeDelta::days(1);
    let (flags, _) = r.visit("v1", &[("photo", "ph1")], photo(Some(taken), vec![]));
    assert_eq!(
        flags,
        vec![],
        "an uploaded picture of the visit's time is clear"
    );
}

#[test]
fn a_visit_saved_offline_is_judged_on_when_it_was_made() {
    let mut r = Run::paid();
    let due = r.case.open_visit().unwrap().due_at;
    let made = r.now() + TimeDelta::days(1);
    let key = "offline-1";
    let answers = [("active", "ya"), ("status", "baik"), ("photo", "ph1")];
    // The phone finds a signal a week and a day after the visit, past its due date.
    r.day = (due - t0()).num_days() + 8;
    assert!(r.now() > due);
    let mut c = cmd(key, "visit", &answers);
    c.observed_at = Some(made);
    let facts = photo(Some(made - TimeDelta::hours(1)), vec![]);
    let Ok(Decision::Apply { event, .. }) = r.take_with(Role::FieldOfficer, c, facts) else {
        panic!("the visit is recorded");
    };
    assert_eq!(event.observed_at, Some(made));
    assert!(
        event.at > made + TimeDelta::days(7),
        "dated when it arrived"
    );
    let flags = match &event.changes[..] {
        [Change::VisitCompleted { flags, .. }] => flags.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        flags,
        vec![],
        "the photo was taken an hour before the visit was made"
    );
    let v = &r.case.visits[0];
    assert_eq!(v.done_at, Some(made));
    assert!(v.done_at.unwrap() <= v.due_at, "on time");
    assert_eq!(Case::replay("C-1", &r.events).unwrap(), r.case);
}

#[test]
fn a_time_of_observation_ahead_of_the_clock_or_before_the_visit_opened_is_refused() {
    let answers = [("active", "ya"), ("status", "baik")];
    let mut r = Run::paid();
    let opened = r.now();
    for (observed, word) in [
        (
            opened + TimeDelta::days(1) + TimeDelta::minutes(10),
            "belum terjadi",
        ),
        (opened - TimeDelta::hours(2), "sebelum kunjungan ini dibuka"),
    ] {
        let mut c = cmd("v", "visit", &answers);
        c.observed_at = Some(observed);
        match r.take(Role::FieldOfficer, c) {
            Err(Refusal::Fields { errors }) => {
                assert_eq!(errors[0].field, "observed_at");
                let said = errors[0].message(Lang::Id);
                assert!(said.contains(word), "{said}");
            }
            other => panic!("{observed} is refused, got {other:?}"),
        }
    }
    // A phone a few minutes ahead is a clock, not a lie.
    let mut c = cmd("v", "visit", &answers);
    c.observed_at = Some(r.now() + TimeDelta::days(1) + TimeDelta::minutes(3));
    assert!(matches!(
        r.take(Role::FieldOfficer, c),
        Ok(Decision::Apply { .. })
    ));
}
