//! Approval by decree (SK) in the demo. For each program whose workflow
//! approves by decree, one SK of the provincial office lists a verified
//! proposal from every kabupaten/kota, and one more that a clerk listed by
//! mistake while it was still in verification (refused, with the reason);
//! the bansos SK also gets an SK perubahan lowering one amount.
//! Each case is opened and verified through the store like the others, then
//! the decree approves them together.

use chrono::{DateTime, TimeDelta, Utc};
use pantau_domain::access::Scope;
use pantau_domain::{Role, Rupiah};
use pantau_store::Store;
use pantau_store::decree::{Change, DecreeLine, NewDecree, Scan};
use pantau_workflow::{Catalog, Context, Definition};

use crate::beneficiaries::People;
use crate::cases::{DemoCase, actor, beneficiary, cases_per_region, drive, paths};
use crate::programs::Program;
use crate::{DemoError, Options, Summary};

const SIGNER: &str = "Ir. Hendra Gunawan, M.M.";
const POSITION: &str = "Kepala Dinas Koperasi dan UKM Provinsi Lampung";
const NIP: &str = "196805121994031007";

/// The state a by-decree approval starts from, when the workflow has one.
fn approved_from(def: &Definition) -> Option<&str> {
    def.actions
        .iter()
        .find(|a| a.by_decree && a.approves.is_some())
        .and_then(|a| a.from.first())
        .map(String::as_str)
}

pub async fn fill(
    store: &Store,
    catalog: &Catalog,
    programs: &[Program],
    people: &People,
    opts: &Options,
    summary: &mut Summary,
) -> Result<(), DemoError> {
    let mut serial = 100;
    for program in programs {
        let Some(def) = catalog.latest(&program.workflow) else {
            continue;
        };
        let Some(from) = approved_from(def) else {
            continue;
        };
        let Some(path) = paths(def, opts.as_of).remove(from) else {
            continue;
        };
        let decided_at = opts.as_of - TimeDelta::days(20);
        let start = decided_at - TimeDelta::days(3 * (path.len() as i64 + 2));
        let times: Vec<DateTime<Utc>> = (0..=path.len() as i64)
            .map(|i| start + TimeDelta::days(3 * i) + TimeDelta::hours(2))
            .collect();
        let mut lines = Vec::new();
        let per_region = cases_per_region(def, program, opts);
        for (n, (region, allocation)) in program.regions.iter().enumerate() {
            // The first region's second proposal is still in verification: one step short.
            for k in 0..if n == 0 { 2 } else { 1 } {
                let steps = &path[..path.len() - k.min(path.len())];
                let case = DemoCase {
                    id: uuid::Uuid::new_v5(
                        &uuid::Uuid::NAMESPACE_OID,
                        format!("demo:{}:{}:sk:{region}:{k}", opts.seed, program.id).as_bytes(),
                    )
                    .to_string(),
                    program: program.id.clone(),
                    region: region.clone(),
                    beneficiary: beneficiary(people, &def.id, region, n + k + 100),
                    // Half of what one case of the program takes elsewhere: every region has that left.
                    amount: allocation / (per_region + 1) / 2 / 1_000_000 * 1_000_000,
                };
                drive(store, catalog, def, &case, steps, &times, false).await?;
                summary.transitions += steps.len() + 1;
                lines.push(DecreeLine {
                    case_id: case.id,
                    change: Change::Approve,
                    amount: Rupiah::new(case.amount).ok(),
                    tranches: None,
                });
            }
        }
        let year = opts.as_of.format("%Y");
        serial += 1;
        let number = format!("500.2/{serial}/V.19/HK/{year}");
        let decree = |number: &str, amends: Option<String>, days: i64| NewDecree {
            number: number.to_string(),
            date: (decided_at + TimeDelta::days(days)).date_naive(),
            signer_name: SIGNER.into(),
            signer_position: POSITION.into(),
            signer_nip: Some(NIP.into()),
            scan: Some(Scan {
                name: format!("SK-{}.pdf", number.replace('/', "-")),
                data: scan(&[
                    "PEMERINTAH PROVINSI LAMPUNG".into(),
                    "DINAS KOPERASI DAN UKM".into(),
                    String::new(),
                    format!("KEPUTUSAN KEPALA DINAS NOMOR {number}"),
                    format!("tentang penetapan penerima {}", program.id),
                    String::new(),
                    format!(
                        "Ditetapkan di Bandar Lampung, {}",
                        (decided_at + TimeDelta::days(days)).format("%d-%m-%Y")
                    ),
                    POSITION.into(),
                    SIGNER.into(),
                    format!("NIP {NIP}"),
                    String::new(),
                    "(contoh pindaian untuk data demo)".into(),
                ]),
            }),
            program_id: program.id.clone(),
            amends,
        };
        let cx = |days: i64| Context {
            now: decided_at + TimeDelta::days(days),
            actor: actor(Role::Verifier, "18"),
            remaining_allocation: None,
            evidence: Default::default(),
        };
        let report = store
            .apply_decree(
                catalog,
                &decree(&number, None, 0),
                &lines,
                &cx(0),
                &Scope::National,
            )
            .await?;
        summary.transitions += report.done;
        summary
            .decrees
            .push((number.clone(), report.done, report.refused.len()));
        // The bansos SK is amended a week later: its first case's amount lowered by a tenth.
        if def.id == "bansos"
            && let Some(first) = lines.first()
        {
            let lower = first.amount.map(|a| a.get() / 10 * 9).unwrap_or_default();
            let change = [DecreeLine {
                case_id: first.case_id.clone(),
                change: Change::Amount,
                amount: Rupiah::new(lower).ok(),
                tranches: None,
            }];
            serial += 1;
            let amendment = format!("500.2/{serial}/V.19/HK/{year}");
            let report = store
                .apply_decree(
                    catalog,
                    &decree(&amendment, Some(number), 7),
                    &change,
                    &cx(7),
                    &Scope::National,
                )
                .await?;
            summary.transitions += report.done;
            summary
                .decrees
                .push((amendment, report.done, report.refused.len()));
        }
    }
    Ok(())
}

/// A one-page PDF with `lines` of text in Helvetica: the demo's stand-in
/// for a scanned decree.
pub fn scan(lines: &[String]) -> Vec<u8> {
    let mut text = String::from("BT /F1 12 Tf 72 770 Td 16 TL");
    for line in lines {
        let escaped: String = line
            .chars()
            .filter(char::is_ascii)
            .flat_map(|c| match c {
                '(' | ')' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        text += &format!(" ({escaped}) Tj T*");
    }
    text += " ET";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
            .to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf += &format!("{} 0 obj\n{body}\nendobj\n", i + 1);
    }
    let xref = pdf.len();
    pdf += &format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        pdf += &format!("{o:010} 00000 n \n");
    }
    pdf += &format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    pdf.into_bytes()
}
