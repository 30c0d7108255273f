//! A definition's state graph as SVG, laid out here with no outside tool:
//! states in layers (each a step further from the initial state along the
//! graph with its loops cut), ordered within a layer to cross fewer edges,
//! forward edges drawn down, edges back to an earlier layer drawn round the
//! right-hand side. Colours and fonts come from the page's stylesheet
//! through class names; nothing is fetched.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use pantau_domain::Lang;

use crate::definition::Definition;

const LINE_H: f64 = 16.0;
const PAD: f64 = 12.0;
const GAP_X: f64 = 36.0;
const GAP_Y: f64 = 64.0;
const MARGIN: f64 = 24.0;
/// The width of one character of the 13 px label font, near enough.
const CHAR_W: f64 = 7.0;
/// Characters on one line of a state's label before it wraps.
const WRAP: usize = 22;

/// A state as drawn.
struct Node<'a> {
    id: &'a str,
    lines: Vec<String>,
    is_final: bool,
    w: f64,
    h: f64,
    x: f64,
    y: f64,
}

/// The state graph of `def` in `lang`, as one `<svg>` element.
pub fn svg(def: &Definition, lang: Lang) -> String {
    let index: BTreeMap<&str, usize> = def
        .states
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    // Edges between distinct states, one per (from, to) with every action's label.
    let mut labels: BTreeMap<(usize, usize), Vec<String>> = BTreeMap::new();
    let mut loops: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for a in &def.actions {
        for from in &a.from {
            let (Some(&f), Some(&t)) = (index.get(from.as_str()), index.get(a.target(from))) else {
                continue;
            };
            let label = a.label.get(lang).to_string();
            let at = if f == t {
                loops.entry(f).or_default()
            } else {
                labels.entry((f, t)).or_default()
            };
            if !at.contains(&label) {
                at.push(label);
            }
        }
    }
    let start = index.get(def.initial.as_str()).copied().unwrap_or(0);
    let n = def.states.len();
    let (rank, _) = ranks(n, start, &labels);
    let layers = order(n, &rank, &labels);
    let mut nodes: Vec<Node> = def
        .states
        .iter()
        .map(|s| {
            let lines = wrap(s.label.get(lang));
            let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(1);
            Node {
                id: &s.id,
                w: (longest as f64 * CHAR_W + 2.0 * PAD).max(110.0),
                h: lines.len() as f64 * LINE_H + 2.0 * PAD - 4.0,
                lines,
                is_final: s.is_final,
                x: 0.0,
                y: 0.0,
            }
        })
        .collect();
    // Place the layers, each centred on the widest.
    let widths: Vec<f64> = layers
        .iter()
        .map(|layer| {
            layer.iter().map(|&i| nodes[i].w).sum::<f64>() + GAP_X * (layer.len() as f64 - 1.0)
        })
        .collect();
    let widest = widths.iter().copied().fold(0.0, f64::max);
    let mut y = MARGIN + 20.0;
    for (layer, w) in layers.iter().zip(&widths) {
        let mut x = MARGIN + (widest - w) / 2.0;
        let tallest = layer.iter().map(|&i| nodes[i].h).fold(0.0, f64::max);
        for &i in layer {
            nodes[i].x = x;
            nodes[i].y = y + (tallest - nodes[i].h) / 2.0;
            x += nodes[i].w + GAP_X;
        }
        y += tallest + GAP_Y;
    }
    let back = labels.keys().filter(|(f, t)| rank[*t] <= rank[*f]).count();
    let width = MARGIN * 2.0 + widest + 40.0 + back as f64 * 18.0 + 160.0;
    let height = y - GAP_Y + MARGIN;
    draw(
        def, lang, &nodes, &labels, &loops, &rank, start, width, height,
    )
}

/// Each state's layer: the longest path to it from `start` once the edges
/// that close a loop (found by a depth-first walk) are left out. States the
/// walk never reaches go to the last layer. Also says which were reached.
fn ranks(
    n: usize,
    start: usize,
    edges: &BTreeMap<(usize, usize), Vec<String>>,
) -> (Vec<usize>, Vec<bool>) {
    let out = |v: usize| edges.keys().filter(move |(f, _)| *f == v).map(|(_, t)| *t);
    // Depth-first, without recursion: the finishing order, and the edges that close a loop.
    let mut state = vec![0u8; n]; // 0 new, 1 on the path, 2 done
    let mut finished = Vec::with_capacity(n);
    let mut back = BTreeSet::new();
    let mut stack: Vec<(usize, Vec<usize>)> = vec![(start, out(start).collect())];
    if start < n {
        state[start] = 1;
    }
    while let Some((v, next)) = stack.last_mut() {
        let v = *v;
        match next.pop() {
            Some(t) if state[t] == 0 => {
                state[t] = 1;
                let more = out(t).collect();
                stack.push((t, more));
            }
            Some(t) => {
                if state[t] == 1 {
                    back.insert((v, t));
                }
            }
            None => {
                state[v] = 2;
                finished.push(v);
                stack.pop();
            }
        }
    }
    let mut rank = vec![0usize; n];
    for &v in finished.iter().rev() {
        for t in out(v) {
            if !back.contains(&(v, t)) && state[t] == 2 {
                rank[t] = rank[t].max(rank[v] + 1);
            }
        }
    }
    let seen: Vec<bool> = state.iter().map(|s| *s == 2).collect();
    let last = rank.iter().max().copied().unwrap_or(0) + 1;
    for v in 0..n {
        if !seen[v] {
            rank[v] = last;
        }
    }
    (rank, seen)
}

/// The layers, each ordered by its states' mean position among their
/// neighbours in the layer above, then below (four sweeps).
fn order(
    n: usize,
    rank: &[usize],
    edges: &BTreeMap<(usize, usize), Vec<String>>,
) -> Vec<Vec<usize>> {
    let depth = rank.iter().max().copied().unwrap_or(0) + 1;
    let mut layers: Vec<Vec<usize>> = vec![vec![]; depth];
    for v in 0..n {
        layers[rank[v]].push(v);
    }
    layers.retain(|l| !l.is_empty());
    let mut pos = vec![0.0f64; n];
    let set = |layers: &Vec<Vec<usize>>, pos: &mut Vec<f64>| {
        for l in layers {
            for (i, &v) in l.iter().enumerate() {
                pos[v] = i as f64;
            }
        }
    };
    set(&layers, &mut pos);
    for sweep in 0..4 {
        let down = sweep % 2 == 0;
        let range: Vec<usize> = if down {
            (1..layers.len()).collect()
        } else {
            (0..layers.len().saturating_sub(1)).rev().collect()
        };
        for li in range {
            let mut keyed: Vec<(f64, usize)> = layers[li]
                .iter()
                .map(|&v| {
                    let near: Vec<f64> = edges
                        .keys()
                        .filter_map(|&(f, t)| {
                            let other = if t == v {
                                f
                            } else if f == v {
                                t
                            } else {
                                return None;
                            };
                            let wanted = if down {
                                rank[v].checked_sub(1)
                            } else {
                                Some(rank[v] + 1)
                            };
                            (Some(rank[other]) == wanted).then_some(pos[other])
                        })
                        .collect();
                    let key = if near.is_empty() {
                        pos[v]
                    } else {
                        near.iter().sum::<f64>() / near.len() as f64
                    };
                    (key, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            layers[li] = keyed.into_iter().map(|(_, v)| v).collect();
            set(&layers, &mut pos);
        }
    }
    layers
}

/// A label in lines of at most [`WRAP`] characters (a longer word keeps its own line).
fn wrap(label: &str) -> Vec<String> {
    let mut lines: Vec<String> = vec![];
    for word in label.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= WRAP => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[allow(clippy::too_many_arguments)]
fn draw(
    def: &Definition,
    lang: Lang,
    nodes: &[Node],
    edges: &BTreeMap<(usize, usize), Vec<String>>,
    loops: &BTreeMap<usize, Vec<String>>,
    rank: &[usize],
    start: usize,
    width: f64,
    height: f64,
) -> String {
    let marker = format!("panah-{}-{}", def.id, def.version);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="state-graph" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" role="img" aria-label="{}"><title>{}</title>"#,
        xml(&format!("{} (v{})", def.label.get(lang), def.version)),
        xml(&format!("{} (v{})", def.label.get(lang), def.version)),
    );
    let _ = write!(
        out,
        r#"<defs><marker id="{marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow"/></marker></defs>"#
    );
    // Where the initial state is entered from.
    if let Some(s) = nodes.get(start) {
        let cx = s.x + s.w / 2.0;
        let _ = write!(
            out,
            r#"<circle class="start" cx="{cx:.1}" cy="{:.1}" r="6"/><path class="edge" d="M{cx:.1},{:.1} L{cx:.1},{:.1}" marker-end="url(#{marker})"/>"#,
            s.y - 30.0,
            s.y - 24.0,
            s.y - 1.0
        );
    }
    let right = nodes.iter().map(|n| n.x + n.w).fold(0.0, f64::max);
    let mut lane = 0.0;
    let mut texts = String::new();
    for (&(f, t), names) in edges {
        let (a, b) = (&nodes[f], &nodes[t]);
        let label = xml(&names.join(" / "));
        let (path, lx, ly) = if rank[t] > rank[f] {
            let (x1, y1) = (a.x + a.w / 2.0, a.y + a.h);
            let (x2, y2) = (b.x + b.w / 2.0, b.y);
            let my = (y1 + y2) / 2.0;
            (
                format!(
                    "M{x1:.1},{y1:.1} C{x1:.1},{my:.1} {x2:.1},{my:.1} {x2:.1},{:.1}",
                    y2 - 1.0
                ),
                (x1 + x2) / 2.0,
                my,
            )
        } else {
            lane += 18.0;
            let (x1, y1) = (a.x + a.w, a.y + a.h / 2.0);
            let (x2, y2) = (b.x + b.w, b.y + b.h / 2.0);
            let out_x = right + 20.0 + lane;
            (
                format!(
                    "M{x1:.1},{y1:.1} C{out_x:.1},{y1:.1} {out_x:.1},{y2:.1} {:.1},{y2:.1}",
                    x2 + 1.0
                ),
                x1.max(x2) + (out_x - x1.max(x2)) * 0.75,
                (y1 + y2) / 2.0,
            )
        };
        let _ = write!(
            out,
            r#"<path class="edge" d="{path}" marker-end="url(#{marker})"><title>{label}</title></path>"#
        );
        let anchor = if rank[t] > rank[f] { "middle" } else { "start" };
        let _ = write!(
            texts,
            r#"<text class="edge-label" x="{lx:.1}" y="{:.1}" text-anchor="{anchor}">{label}</text>"#,
            ly + 4.0
        );
    }
    for (&v, names) in loops {
        let s = &nodes[v];
        let (x, y) = (s.x + s.w, s.y + s.h / 2.0);
        let label = xml(&names.join(" / "));
        let _ = write!(
            out,
            r#"<path class="edge" d="M{x:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {x:.1},{:.1}" marker-end="url(#{marker})"><title>{label}</title></path>"#,
            y - 6.0,
            x + 28.0,
            y - 22.0,
            x + 28.0,
            y + 22.0,
            y + 6.0
        );
        let _ = write!(
            texts,
            r#"<text class="edge-label" x="{:.1}" y="{:.1}" text-anchor="start">{label}</text>"#,
            x + 32.0,
            y + 4.0
        );
    }
    for s in nodes {
        let class = if s.is_final { "state final" } else { "state" };
        let _ = write!(
            out,
            r#"<g class="{class}" data-state="{}"><title>{}</title><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="8"/>"#,
            xml(s.id),
            xml(s.id),
            s.x,
            s.y,
            s.w,
            s.h
        );
        if s.is_final {
            let _ = write!(
                out,
                r#"<rect class="inner" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="6"/>"#,
                s.x + 3.0,
                s.y + 3.0,
                s.w - 6.0,
                s.h - 6.0
            );
        }
        for (i, line) in s.lines.iter().enumerate() {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                s.x + s.w / 2.0,
                s.y + PAD + 9.0 + i as f64 * LINE_H,
                xml(line)
            );
        }
        out.push_str("</g>");
    }
    out.push_str(&texts);
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn long_labels_wrap_between_words() {
        assert_eq!(
            wrap("Terverifikasi, menunggu persetujuan"),
            vec!["Terverifikasi,", "menunggu persetujuan"]
        );
        assert_eq!(wrap("Draf"), vec!["Draf"]);
        assert_eq!(wrap(""), vec![""]);
    }

    #[test]
    fn a_loop_back_does_not_lift_a_state_above_its_cause() {
        // 0 -> 1 -> 2 -> 1 (a revision loop), 2 -> 3.
        let mut e = BTreeMap::new();
        for pair in [(0, 1), (1, 2), (2, 1), (2, 3)] {
            e.insert(pair, vec![String::new()]);
        }
        let (rank, seen) = ranks(5, 0, &e);
        assert_eq!(&rank[..4], &[0, 1, 2, 3]);
        assert!(!seen[4], "state 4 is unreachable");
        assert_eq!(rank[4], 4, "and drawn last");
        let layers = order(5, &rank, &e);
        assert_eq!(layers.iter().map(Vec::len).sum::<usize>(), 5);
    }
}
