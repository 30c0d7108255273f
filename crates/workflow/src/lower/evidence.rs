//! The `[evidence]` table, and the `accept_evidence` action every program with monev visits gets.

use pantau_domain::Label;

use super::Lower;
use crate::definition::{Action, Field, State};
use crate::evidence::{ACCEPT_ACTION, Rules};
use crate::syntax::RawEvidence;
use crate::value::FieldType;

impl Lower<'_, '_, '_> {
    pub(super) fn evidence(&mut self, raw: Option<&RawEvidence>) -> Rules {
        let mut rules = Rules::default();
        let Some(raw) = raw else { return rules };
        if let Some(m) = &raw.max_distance_m {
            match u32::try_from(*m.get_ref()).ok().filter(|m| *m >= 1) {
                Some(m) => rules.max_distance_m = m,
                None => self.r.error(
                    m.span(),
                    "max_distance_m must be a whole number of metres from 1 up",
                ),
            }
        }
        if let Some(age) = &raw.photo_max_age {
            rules.photo_max_age = self.duration(age);
        }
        if let Some(bits) = &raw.similar_bits {
            match u8::try_from(*bits.get_ref())
                .ok()
                .filter(|b| *b <= Rules::MAX_SIMILAR_BITS)
            {
                Some(b) => rules.similar_bits = b,
                None => self.r.error(
                    bits.span(),
                    format!(
                        "similar_bits must lie between 0 and {}",
                        Rules::MAX_SIMILAR_BITS
                    ),
                ),
            }
        }
        if let Some(required) = raw.require_camera_time {
            rules.require_camera_time = required;
        }
        if let Some(roles) = &raw.accepted_by {
            if roles.get_ref().is_empty() {
                self.r.error(
                    roles.span(),
                    "accepted_by names no role that may accept evidence",
                );
            } else {
                rules.accepted_by = roles.get_ref().iter().map(|r| self.role(r)).collect();
            }
        }
        rules
    }
}

/// The built-in action by which a verifier accepts a flagged visit, from
/// every state that is not final, keeping the case where it is.
pub(super) fn accept_action(rules: &Rules, states: &[State]) -> Action {
    Action {
        id: ACCEPT_ACTION.into(),
        label: Label {
            id: "Terima bukti kunjungan".into(),
            en: "Accept visit evidence".into(),
        },
        from: states
            .iter()
            .filter(|s| !s.is_final)
            .map(|s| s.id.clone())
            .collect(),
        to: None,
        roles: rules.accepted_by.clone(),
        fields: vec![Field {
            id: "reason".into(),
            kind: FieldType::Text,
            label: Label {
                id: "Alasan menerima".into(),
                en: "Reason for accepting".into(),
            },
            required: true,
            options: Vec::new(),
            role: None,
        }],
        checklist: None,
        guards: Vec::new(),
        requests: None,
        approves: None,
        by_decree: false,
        revokes_approval: false,
        pays_tranche: false,
        schedules_visit: None,
        completes_visit: false,
        accepts_evidence: true,
        assigns_officer: None,
        records_year: None,
        notify: Vec::new(),
    }
}
