//! The transition under load: cases picked from the database where the
//! signed-in manager may act now, and the wrk Lua script that posts one
//! transition to each in turn and counts the answers by status.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sea_orm::DatabaseConnection;
use serde_json::Value;
use tokio::runtime::Runtime;

use crate::common::client::http;
use crate::data;

/// Cases to move, each with the index of its request body.
#[derive(Debug, Default)]
pub struct Picked {
    pub cases: Vec<(String, usize)>,
    /// (action id, JSON body) per kind of case.
    pub bodies: Vec<(String, String)>,
}

impl Picked {
    /// The actions taken, for the table: `cancel, return_data`.
    pub fn actions(&self) -> String {
        let mut ids: Vec<&str> = self.bodies.iter().map(|(a, _)| a.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.join(", ")
    }
}

/// Up to `limit` cases of the manager's province, by (workflow, version,
/// state) with the most cases first, where every sampled case offers the
/// same action that names no guard and whose required answers the bench
/// can give.
pub fn pick(
    rt: &Runtime,
    db: &DatabaseConnection,
    addr: &str,
    token: &str,
    limit: usize,
) -> Picked {
    let mut picked = Picked::default();
    for group in rt.block_on(data::groups(db, data::PROVINCE)) {
        if picked.cases.len() >= limit {
            break;
        }
        let mut offered: Option<(String, String)> = None;
        for id in &group.samples {
            let (status, body) = http(addr, "GET", &format!("/api/cases/{id}"), Some(token), "");
            assert_eq!(status, 200, "GET /api/cases/{id}: {body}");
            let detail: Value = serde_json::from_str(&body).unwrap();
            let here = detail["actions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|a| unguarded(&group.workflow, a["id"].as_str().unwrap_or_default()))
                .find_map(body_for);
            offered = match (offered, here) {
                (None, here) if id == &group.samples[0] => here,
                (Some(a), Some(b)) if a.0 == b.0 => Some(a),
                _ => None,
            };
            if offered.is_none() {
                break;
            }
        }
        let Some(body) = offered else { continue };
        let ids = rt.block_on(data::cases_in(db, &group, limit - picked.cases.len()));
        let n = picked.bodies.len();
        picked.cases.extend(ids.into_iter().map(|id| (id, n)));
        picked.bodies.push(body);
    }
    assert!(
        !picked.cases.is_empty(),
        "no case in {} offers an action the bench can take",
        data::PROVINCE
    );
    picked
}

/// Whether the action names no guard in `workflows/WORKFLOW.toml`: a
/// guard (an officer assigned, a monev visit reported) holds for some cases
/// of a state and not others, and the case's page offers the action either
/// way.
fn unguarded(workflow: &str, action: &str) -> bool {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("workflows/{workflow}.toml"));
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let file: toml::Table = toml::from_str(&text).unwrap();
    file.get("actions")
        .and_then(|a| a.as_array())
        .into_iter()
        .flatten()
        .find(|a| a.get("id").and_then(|i| i.as_str()) == Some(action))
        .is_some_and(|a| {
            a.get("guards")
                .and_then(|g| g.as_array())
                .is_none_or(|g| g.is_empty())
        })
}

/// The action's id and request body when every required answer is one the
/// bench can give (text, yes/no, a number, a choice); else `None`.
fn body_for(action: &Value) -> Option<(String, String)> {
    let id = action["id"].as_str()?;
    let mut inputs = serde_json::Map::new();
    for field in action["fields"].as_array()? {
        if !field["required"].as_bool().unwrap_or(true) {
            continue;
        }
        let answer = match field["kind"].as_str()? {
            "text" => "Uji beban nasional".to_string(),
            "yes_no" => "ya".to_string(),
            "number" => "1".to_string(),
            "choice" => field["options"].as_array()?.first()?.as_str()?.to_string(),
            _ => return None,
        };
        inputs.insert(field["id"].as_str()?.to_string(), Value::String(answer));
    }
    let body = serde_json::json!({ "action": id, "inputs": inputs });
    Some((id.to_string(), body.to_string()))
}

/// Writes the Lua script into `dir`: thread `t` of `threads` takes cases
/// t, t + threads, …; each request carries a new idempotency key. Past the
/// list the thread stops (its last request a `GET /healthz`, counted in
/// `ran out`); the end prints `status N: COUNT` per status.
pub fn script(dir: &Path, picked: &Picked, threads: usize) -> PathBuf {
    let mut lua = String::from("-- written by benches/national.rs\nlocal cases = {\n");
    for (id, body) in &picked.cases {
        writeln!(lua, "{{\"{id}\",{}}},", body + 1).unwrap();
    }
    lua.push_str("}\nlocal bodies = {\n");
    for (_, body) in &picked.bodies {
        writeln!(lua, "[==[{body}]==],").unwrap();
    }
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    write!(
        lua,
        r#"}}
local run = "bench-{run}"
local stride = {threads}
local threads = {{}}
local started = 0
function setup(thread)
  started = started + 1
  thread:set("tid", started)
  table.insert(threads, thread)
end
function init(args)
  n = 0
  over = 0
  statuses = {{}}
end
function request()
  local i = tid + n * stride
  n = n + 1
  local c = cases[i]
  if c == nil then
    over = over + 1
    wrk.thread:stop()
    return wrk.format("GET", "/healthz")
  end
  local headers = {{}}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  headers["Content-Type"] = "application/json"
  headers["Idempotency-Key"] = run .. "-" .. i
  return wrk.format("POST", "/api/cases/" .. c[1] .. "/transitions", headers, bodies[c[2]])
end
function response(status, headers, body)
  if over > 0 then return end
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local total, past = {{}}, 0
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
    past = past + t:get("over")
  end
  for k, v in pairs(total) do io.write(string.format("status %d: %d\n", k, v)) end
  io.write(string.format("ran out: %d\n", past))
end
"#
    )
    .unwrap();
    let path = dir.join("transition.lua");
    std::fs::write(&path, lua).unwrap();
    path
}

/// The `status N: COUNT` lines the script printed.
pub fn statuses(raw: &str) -> Vec<(u16, u64)> {
    let mut out: Vec<(u16, u64)> = raw
        .lines()
        .filter_map(|l| {
            let (s, n) = l.strip_prefix("status ")?.split_once(": ")?;
            Some((s.parse().ok()?, n.trim().parse().ok()?))
        })
        .collect();
    out.sort_unstable();
    out
}

/// Requests made past the end of the list, when any.
pub fn ran_out(raw: &str) -> Option<u64> {
    raw.lines()
        .find_map(|l| l.strip_prefix("ran out: ")?.trim().parse().ok())
        .filter(|n| *n > 0)
}
