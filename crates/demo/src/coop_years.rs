//! Three years of each cooperative's status (active, RAT held, quality),
//! so the indicators report has a year to compare with the one before.
//! Regions differ: some reach the agreed targets, some miss them. Drawn
//! from a generator of its own, so the rest of the demo stays as it was.

use chrono::Datelike;
use pantau_store::model::CooperativeYear;
use pantau_store::{Store, StoreError};

use crate::Options;

/// Who "verified" the seeded years: they have no case behind them.
pub const SEEDED_BY: &str = "pantau demo";

/// A record with nothing but its keys.
fn blank() -> CooperativeYear {
    CooperativeYear {
        beneficiary_id: String::new(),
        year: 0,
        active: false,
        rat_held: false,
        quality: false,
        members: None,
        rat_date: None,
        own_capital: None,
        outside_capital: None,
        assets: None,
        business_volume: None,
        shu: None,
        ksp_health: None,
        figures: None,
        case_id: None,
        event_seq: None,
        verified_by: None,
        verified_at: None,
        scale: None,
        workers: None,
        turnover_band: None,
    }
}

/// Rows recorded.
pub async fn fill(
    store: &Store,
    opts: &Options,
    cooperatives: &[(String, String, bool)],
) -> Result<usize, StoreError> {
    let mut rng = fastrand::Rng::with_seed(opts.seed ^ 0x5eed_c00b);
    let year = opts.as_of.year();
    let mut rows = vec![];
    for (region, id, active_now) in cooperatives {
        // How well the region's cooperatives do, 0..=9, fixed per region.
        let health = region.bytes().map(u32::from).sum::<u32>() % 10;
        let founded = match rng.u32(0..100) {
            0..=7 => year,
            8..=15 => year - 1,
            _ => year - 2,
        };
        // Inactive ones revive more often in healthy regions.
        let mut active = rng.u32(0..100) < 60 + health * 2;
        for y in founded..=year {
            if y == year {
                active = *active_now;
            } else if !active && rng.u32(0..100) < 10 + health * 3 {
                active = true;
            }
            let rat_chance = if y == year { 45 + health * 4 } else { 45 };
            rows.push(CooperativeYear {
                beneficiary_id: id.clone(),
                year: y,
                active,
                rat_held: active && rng.u32(0..100) < rat_chance,
                quality: active && rng.u32(0..100) < 10 + health,
                members: Some(rng.i32(20..800)),
                // Seeded as verified, with no case behind it.
                verified_by: Some(SEEDED_BY.into()),
                verified_at: Some(opts.as_of),
                ..blank()
            });
        }
    }
    let n = rows.len();
    store.record_cooperative_years(rows).await?;
    Ok(n)
}
