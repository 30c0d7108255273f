//! Processes against one database: acknowledged transitions survive
//! SIGKILL at random points, and one key from two processes has one effect.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_transitions_survive_sigkill_at_random_points() {
    let seed = std::env::var("PANTAU_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    eprintln!("crash test seed: {seed} (PANTAU_CRASH_SEED={seed} repeats it)");
    let mut rng = fastrand::Rng::with_seed(seed);
    for t in db::test_databases().await {
        add_officers(&t.url);
        // How long a whole command takes here, to aim the timed kills within it.
        let begun = Instant::now();
        cli(&t.url).args(["db", "migrate"]).output().unwrap();
        let mut span = begun.elapsed().as_micros() as u64 * 2;
        let script: Vec<Step> = ["bansos", "perkuatan_permodalan"]
            .iter()
            .flat_map(|p| steps(p))
            .filter(|s| s.expect.is_none() || s.expect.as_deref() == Some("applied"))
            .collect();
        let mut case = String::new();
        let (mut landed, mut acked) = (Landings::default(), Vec::new());
        for step in &script {
            let mut kills_here = 0;
            loop {
                // Half the kills at a random moment, half a moment after the transaction began;
                // after three kills the step runs to its end.
                let kill = match (kills_here, rng.bool()) {
                    (3.., _) => Kill::Never,
                    (_, true) => Kill::After(Duration::from_micros(rng.u64(0..=span))),
                    (_, false) => Kill::InTransaction(Duration::from_micros(rng.u64(0..=3_000))),
                };
                let started = Instant::now();
                match run_or_kill(&t.url, &step_args(step, &case), kill) {
                    Ran::Killed { began } => {
                        kills_here += 1;
                        // After a crash nothing is half-applied: every chain verifies and each case matches its events.
                        let out = cli(&t.url).args(["audit", "verify"]).output().unwrap();
                        assert!(
                            out.status.success(),
                            "{} after a kill: {}",
                            t.name,
                            text(&out)
                        );
                        let kept = !case.is_empty()
                            && show_json(&t.url, &case)["events"]
                                .as_array()
                                .unwrap()
                                .iter()
                                .any(|e| e["key"] == step.key.as_str());
                        match (began, kept) {
                            (_, true) => landed.after_commit += 1,
                            (true, false) => landed.inside += 1,
                            (false, false) => landed.before += 1,
                        }
                    }
                    Ran::Finished(out) => {
                        span = span.max(started.elapsed().as_micros() as u64);
                        assert!(
                            out.status.success(),
                            "{} {}: {}",
                            t.name,
                            step.action,
                            text(&out)
                        );
                        if step.action == "open" {
                            case = case_id(&out);
                        }
                        let line = text(&out);
                        let seq = line
                            .lines()
                            .find_map(|l| {
                                l.split_once("  #")
                                    .and_then(|(_, r)| r.split(' ').next()?.parse::<u64>().ok())
                            })
                            .or_else(|| {
                                line.split("already applied as event #")
                                    .nth(1)?
                                    .split(' ')
                                    .next()?
                                    .parse()
                                    .ok()
                            })
                            .expect("an event number");
                        acked.push((case.clone(), step.clone(), seq));
                        break;
                    }
                }
            }
        }
        // Every acknowledged transition is there, exactly once, with the number it was acknowledged with.
        for (case, step, seq) in &acked {
            let shown = show_json(&t.url, case);
            let events = shown["events"].as_array().unwrap();
            let matching: Vec<_> = events
                .iter()
                .filter(|e| e["key"] == step.key.as_str())
                .collect();
            assert_eq!(matching.len(), 1, "{} {}", t.name, step.key);
            assert_eq!(
                matching[0]["seq"].as_u64(),
                Some(*seq),
                "{} {}",
                t.name,
                step.key
            );
        }
        // A retry of an acknowledged key returns the first result without a new event.
        let (case, step, seq) = acked.last().unwrap();
        let out = cli(&t.url).args(step_args(step, case)).output().unwrap();
        assert!(
            text(&out).contains(&format!("already applied as event #{seq} ")),
            "{}",
            text(&out)
        );
        let out = cli(&t.url).args(["audit", "verify"]).output().unwrap();
        assert!(out.status.success(), "{}", text(&out));
        eprintln!(
            "{}: {} transitions acknowledged; kills landed {landed:?}",
            t.name,
            acked.len(),
        );
        assert!(
            landed.inside > 0,
            "{}: no kill landed inside a transaction ({landed:?})",
            t.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_key_from_two_processes_at_once_has_one_effect() {
    for t in db::test_databases().await {
        add_officers(&t.url);
        let s = steps("bansos");
        let case = case_id(&cli(&t.url).args(step_args(&s[0], "")).output().unwrap());
        let submit = s
            .iter()
            .find(|x| x.action == "submit" && x.expect.as_deref() == Some("applied"))
            .unwrap();
        for round in 0..5 {
            let step = Step {
                key: format!("{}-{round}", submit.key),
                ..submit.clone()
            };
            let children: Vec<_> = (0..2)
                .map(|_| {
                    cli(&t.url)
                        .args(step_args(&step, &case))
                        .stdout(Stdio::piped())
                        .stderr(Stdio::piped())
                        .spawn()
                        .unwrap()
                })
                .collect();
            let outs: Vec<String> = children
                .into_iter()
                .map(|c| text(&c.wait_with_output().unwrap()))
                .collect();
            let applied = outs
                .iter()
                .filter(|o| o.contains(&format!("#{} submit: ", 2 + 3 * round)))
                .count();
            let repeated = outs
                .iter()
                .filter(|o| o.contains("already applied as event #"))
                .count();
            assert_eq!(
                (applied, repeated),
                (1, 1),
                "{} round {round}: {outs:?}",
                t.name
            );
            // Back to a state where submit applies again.
            for (action, key) in [("start_verification", "sv"), ("request_revision", "rr")] {
                let mut args = vec![
                    "case".to_string(),
                    "apply".into(),
                    case.clone(),
                    action.into(),
                ];
                if action == "request_revision" {
                    args.push("reason=lengkapi".into());
                }
                args.extend([
                    "--as".into(),
                    "verifier".into(),
                    "--user".into(),
                    "agus".into(),
                    "--key".into(),
                    format!("{key}-{round}"),
                ]);
                let out = cli(&t.url).args(&args).output().unwrap();
                assert!(out.status.success(), "{}", text(&out));
            }
        }
        assert!(
            cli(&t.url)
                .args(["audit", "verify"])
                .output()
                .unwrap()
                .status
                .success()
        );
    }
}
