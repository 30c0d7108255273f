//! A definition's state graph as SVG, laid out here with no outside tool, the
//! layered way (as Graphviz's `dot` does, much simplified): the edges that
//! close a loop are turned round so the graph flows one way; each state goes
//! to the layer of its longest path from the initial state; between two
//! layers of states lies a layer of edge labels, each label a box of its own
//! so no text covers another, and an edge that spans several layers passes
//! through a small point in each; the layers are ordered to cross fewer
//! edges (mean position of the neighbours, a few sweeps down and up). An
//! action that leaves the case where it is is a loop beside its state.
//! Colours and fonts come from the page's stylesheet through class names;
//! nothing is fetched.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use pantau_domain::Lang;

use crate::definition::Definition;

const LINE_H: f64 = 16.0;
const LABEL_LINE_H: f64 = 14.0;
const PAD: f64 = 12.0;
const GAP_X: f64 = 28.0;
const GAP_Y: f64 = 16.0;
const MARGIN: f64 = 24.0;
/// The width of one character of the 13 px state font, near enough.
const CHAR_W: f64 = 7.0;
/// The same for the 11 px label font.
const LABEL_CHAR_W: f64 = 6.0;
/// Characters on one line of a state's label before it wraps.
const WRAP: usize = 22;
/// Room beside a state for a loop's arrow.
const LOOP_W: f64 = 30.0;

/// A box of the layout: a state, an edge's label, or a point an edge passes.
#[derive(Debug, Clone)]
struct Node {
    kind: Kind,
    /// The box's own width; `room` is what it takes in its layer (a state
    /// with a loop takes the loop's label too).
    w: f64,
    room: f64,
    h: f64,
    layer: usize,
    x: f64,
    y: f64,
}

#[derive(Debug, Clone)]
enum Kind {
    State {
        index: usize,
        lines: Vec<String>,
        is_final: bool,
        /// The label of the actions that stay in this state, if any.
        stays: Option<Vec<String>>,
    },
    Label(Vec<String>),
    Point,
}

/// One edge between two states, as laid out: the boxes it passes through,
/// from its upper end to its lower end; `up` when it is drawn against the
/// flow (it closes a loop).
struct Edge {
    path: Vec<usize>,
    up: bool,
    label: String,
}

/// The state graph of `def` in `lang`, as one `<svg>` element.
pub fn svg(def: &Definition, lang: Lang) -> String {
    let index: BTreeMap<&str, usize> = def
        .states
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    // One edge per (from, to) with every action's label; loops apart. The
    // built-in action that accepts a visit's evidence, open in every state,
    // would only repeat itself.
    let mut pairs: BTreeMap<(usize, usize), Vec<String>> = BTreeMap::new();
    let mut stays: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for a in def.actions.iter().filter(|a| !a.accepts_evidence) {
        for from in &a.from {
            let (Some(&f), Some(&t)) = (index.get(from.as_str()), index.get(a.target(from))) else {
                continue;
            };
            let label = a.label.get(lang).to_string();
            let at = if f == t {
                stays.entry(f).or_default()
            } else {
                pairs.entry((f, t)).or_default()
            };
            if !at.contains(&label) {
                at.push(label);
            }
        }
    }
    let n = def.states.len();
    let start = index.get(def.initial.as_str()).copied().unwrap_or(0);
    let back = loop_edges(n, start, pairs.keys().copied());
    let flow: Vec<(usize, usize)> = pairs
        .keys()
        .map(|&(f, t)| {
            if back.contains(&(f, t)) {
                (t, f)
            } else {
                (f, t)
            }
        })
        .collect();
    let rank = ranks(n, &flow);
    let mut nodes: Vec<Node> = def
        .states
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let lines = wrap(s.label.get(lang), WRAP);
            let w = (widest(&lines) * CHAR_W + 2.0 * PAD).max(110.0);
            let stay = stays.get(&i).map(|l| wrap(&l.join(" / "), 28));
            let room = w + stay
                .as_ref()
                .map_or(0.0, |l| LOOP_W + widest(l) * LABEL_CHAR_W + 6.0);
            Node {
                h: lines.len() as f64 * LINE_H + 2.0 * PAD - 4.0,
                kind: Kind::State {
                    index: i,
                    lines,
                    is_final: s.is_final,
                    stays: stay,
                },
                w,
                room,
                layer: rank[i] * 2,
                x: 0.0,
                y: 0.0,
            }
        })
        .collect();
    let mut edges = vec![];
    for ((&(f, t), names), &(a, b)) in pairs.iter().zip(&flow) {
        let label = names.join(" / ");
        let lines = wrap(&label, 26);
        let mut path = vec![a];
        for layer in rank[a] * 2 + 1..rank[b] * 2 {
            let (kind, w, h) = if layer == rank[a] * 2 + 1 {
                let w = widest(&lines) * LABEL_CHAR_W + 10.0;
                let h = lines.len() as f64 * LABEL_LINE_H + 6.0;
                (Kind::Label(lines.clone()), w, h)
            } else {
                (Kind::Point, 6.0, 0.0)
            };
            path.push(nodes.len());
            nodes.push(Node {
                kind,
                w,
                room: w,
                h,
                layer,
                x: 0.0,
                y: 0.0,
            });
        }
        path.push(b);
        edges.push(Edge {
            path,
            up: (a, b) != (f, t),
            label,
        });
    }
    let layers = order(&nodes, &edges);
    let (width, height) = place(&mut nodes, &layers);
    draw(def, lang, &nodes, &edges, start, width, height)
}

/// The widest line, in characters.
fn widest(lines: &[String]) -> f64 {
    lines.iter().map(|l| l.chars().count()).max().unwrap_or(1) as f64
}

/// The edges that close a loop, found by a depth-first walk from `start`
/// (then from each state it did not reach, in order): turned round, they
/// leave a graph that flows one way.
fn loop_edges(
    n: usize,
    start: usize,
    edges: impl Iterator<Item = (usize, usize)> + Clone,
) -> Vec<(usize, usize)> {
    let out = |v: usize| edges.clone().filter(move |(f, _)| *f == v).map(|(_, t)| t);
    let mut state = vec![0u8; n]; // 0 new, 1 on the path, 2 done
    let mut back = vec![];
    let roots = std::iter::once(start).chain(0..n);
    for root in roots {
        if root >= n || state[root] != 0 {
            continue;
        }
        state[root] = 1;
        let mut stack: Vec<(usize, Vec<usize>)> = vec![(root, out(root).rev_order())];
        while let Some((v, next)) = stack.last_mut() {
            let v = *v;
            match next.pop() {
                Some(t) if state[t] == 0 => {
                    state[t] = 1;
                    stack.push((t, out(t).rev_order()));
                }
                Some(t) if state[t] == 1 => back.push((v, t)),
                Some(_) => {}
                None => {
                    state[v] = 2;
                    stack.pop();
                }
            }
        }
    }
    back
}

/// Collects in reverse, so that popping yields the edges in file order.
trait RevOrder {
    fn rev_order(self) -> Vec<usize>;
}

impl<I: Iterator<Item = usize>> RevOrder for I {
    fn rev_order(self) -> Vec<usize> {
        let mut v: Vec<usize> = self.collect();
        v.reverse();
        v
    }
}

/// Each state's rank: the longest path to it along `flow` (which has no loop).
fn ranks(n: usize, flow: &[(usize, usize)]) -> Vec<usize> {
    let mut rank = vec![0usize; n];
    // At most n rounds: a longest path has fewer than n edges.
    for _ in 0..n {
        let mut moved = false;
        for &(f, t) in flow {
            if rank[t] < rank[f] + 1 {
                rank[t] = rank[f] + 1;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    rank
}

/// The boxes of each layer, ordered by the mean position of their
/// neighbours in the layer above, then below (six sweeps).
fn order(nodes: &[Node], edges: &[Edge]) -> Vec<Vec<usize>> {
    let depth = nodes.iter().map(|n| n.layer).max().unwrap_or(0) + 1;
    let mut layers: Vec<Vec<usize>> = vec![vec![]; depth];
    for (i, n) in nodes.iter().enumerate() {
        layers[n.layer].push(i);
    }
    let mut links: Vec<(usize, usize)> = vec![];
    for e in edges {
        links.extend(e.path.windows(2).map(|w| (w[0], w[1])));
    }
    let mut pos = vec![0.0f64; nodes.len()];
    let set = |layers: &[Vec<usize>], pos: &mut [f64]| {
        for l in layers {
            for (i, &v) in l.iter().enumerate() {
                pos[v] = i as f64;
            }
        }
    };
    set(&layers, &mut pos);
    for sweep in 0..6 {
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
                    let near: Vec<f64> = links
                        .iter()
                        .filter_map(|&(a, b)| match (down, a == v, b == v) {
                            (true, _, true) => Some(pos[a]),
                            (false, true, _) => Some(pos[b]),
                            _ => None,
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

/// Places the boxes, each layer centred on the widest; the drawing's size.
fn place(nodes: &mut [Node], layers: &[Vec<usize>]) -> (f64, f64) {
    let widths: Vec<f64> = layers
        .iter()
        .map(|l| l.iter().map(|&i| nodes[i].room).sum::<f64>() + GAP_X * (l.len() as f64 - 1.0))
        .collect();
    let widest = widths.iter().copied().fold(0.0, f64::max);
    let mut y = MARGIN + 24.0;
    for (layer, w) in layers.iter().zip(&widths) {
        let mut x = MARGIN + (widest - w) / 2.0;
        let tallest = layer.iter().map(|&i| nodes[i].h).fold(0.0, f64::max);
        for &i in layer {
            nodes[i].x = x;
            nodes[i].y = y + (tallest - nodes[i].h) / 2.0;
            x += nodes[i].room + GAP_X;
        }
        y += tallest + GAP_Y;
    }
    (widest + 2.0 * MARGIN, y - GAP_Y + MARGIN)
}

/// A label in lines of at most `wrap` characters (a longer word keeps its own line).
fn wrap(label: &str, wrap: usize) -> Vec<String> {
    let mut lines: Vec<String> = vec![];
    for word in label.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= wrap => {
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

/// Where an edge leaves or enters a box: a state's bottom or top centre, a
/// label's left edge (its text stands to the right), a point's centre.
fn port(n: &Node, bottom: bool) -> (f64, f64) {
    match n.kind {
        Kind::State { .. } => (n.x + n.w / 2.0, if bottom { n.y + n.h } else { n.y }),
        Kind::Label(_) => (n.x, if bottom { n.y + n.h } else { n.y }),
        Kind::Point => (n.x + n.w / 2.0, n.y),
    }
}

fn draw(
    def: &Definition,
    lang: Lang,
    nodes: &[Node],
    edges: &[Edge],
    start: usize,
    width: f64,
    height: f64,
) -> String {
    let marker = format!("panah-{}-{}", def.id, def.version);
    let title = xml(&format!("{} (v{})", def.label.get(lang), def.version));
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="state-graph" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" role="img" aria-label="{title}"><title>{title}</title>"#
    );
    let _ = write!(
        out,
        r#"<defs><marker id="{marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow"/></marker></defs>"#
    );
    if let Some(s) = nodes.get(start) {
        let cx = s.x + s.w / 2.0;
        let _ = write!(
            out,
            r#"<circle class="start" cx="{cx:.1}" cy="{:.1}" r="6"/><path class="edge" d="M{cx:.1},{:.1} L{cx:.1},{:.1}" marker-end="url(#{marker})"/>"#,
            s.y - 22.0,
            s.y - 16.0,
            s.y - 1.0
        );
    }
    for e in edges {
        // Down the layers, each step a curve from one box's bottom to the next one's top.
        let mut d = String::new();
        for (k, w) in e.path.windows(2).enumerate() {
            let (x1, y1) = port(&nodes[w[0]], true);
            let (x2, y2) = port(&nodes[w[1]], false);
            let my = (y1 + y2) / 2.0;
            if k == 0 {
                let _ = write!(d, "M{x1:.1},{y1:.1} ");
            } else {
                let _ = write!(d, "L{x1:.1},{y1:.1} ");
            }
            let _ = write!(d, "C{x1:.1},{my:.1} {x2:.1},{my:.1} {x2:.1},{y2:.1} ");
        }
        let (start_mark, end_mark) = if e.up {
            (format!(r#" marker-start="url(#{marker})""#), String::new())
        } else {
            (String::new(), format!(r#" marker-end="url(#{marker})""#))
        };
        let _ = write!(
            out,
            r#"<path class="edge{}" d="{}"{start_mark}{end_mark}><title>{}</title></path>"#,
            if e.up { " back" } else { "" },
            d.trim_end(),
            xml(&e.label)
        );
    }
    for n in nodes {
        match &n.kind {
            Kind::Label(lines) => {
                for (i, line) in lines.iter().enumerate() {
                    let _ = write!(
                        out,
                        r#"<text class="edge-label" x="{:.1}" y="{:.1}">{}</text>"#,
                        n.x + 5.0,
                        n.y + 12.0 + i as f64 * LABEL_LINE_H,
                        xml(line)
                    );
                }
            }
            Kind::Point => {}
            Kind::State {
                index,
                lines,
                is_final,
                stays,
            } => state(&mut out, def, *index, n, lines, *is_final, stays, &marker),
        }
    }
    out.push_str("</svg>");
    out
}

#[allow(clippy::too_many_arguments)]
fn state(
    out: &mut String,
    def: &Definition,
    index: usize,
    n: &Node,
    lines: &[String],
    is_final: bool,
    stays: &Option<Vec<String>>,
    marker: &str,
) {
    let id = def.states.get(index).map_or("", |s| s.id.as_str());
    let class = if is_final { "state final" } else { "state" };
    let _ = write!(
        out,
        r#"<g class="{class}" data-state="{}"><title>{}</title><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="8"/>"#,
        xml(id),
        xml(id),
        n.x,
        n.y,
        n.w,
        n.h
    );
    if is_final {
        let _ = write!(
            out,
            r#"<rect class="inner" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="6"/>"#,
            n.x + 3.0,
            n.y + 3.0,
            n.w - 6.0,
            n.h - 6.0
        );
    }
    for (i, line) in lines.iter().enumerate() {
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            n.x + n.w / 2.0,
            n.y + PAD + 9.0 + i as f64 * LINE_H,
            xml(line)
        );
    }
    out.push_str("</g>");
    if let Some(labels) = stays {
        let (x, y) = (n.x + n.w, n.y + n.h / 2.0);
        let _ = write!(
            out,
            r#"<path class="edge" d="M{x:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {x:.1},{:.1}" marker-end="url(#{marker})"><title>{}</title></path>"#,
            y - 6.0,
            x + 24.0,
            y - 20.0,
            x + 24.0,
            y + 20.0,
            y + 6.0,
            xml(&labels.join(" "))
        );
        let top = y - (labels.len() as f64 - 1.0) * LABEL_LINE_H / 2.0 + 4.0;
        for (i, line) in labels.iter().enumerate() {
            let _ = write!(
                out,
                r#"<text class="edge-label" x="{:.1}" y="{:.1}">{}</text>"#,
                x + LOOP_W,
                top + i as f64 * LABEL_LINE_H,
                xml(line)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn long_labels_wrap_between_words() {
        assert_eq!(
            wrap("Terverifikasi, menunggu persetujuan", WRAP),
            vec!["Terverifikasi,", "menunggu persetujuan"]
        );
        assert_eq!(wrap("Draf", WRAP), vec!["Draf"]);
        assert_eq!(wrap("", WRAP), vec![""]);
    }

    #[test]
    fn a_loop_back_is_turned_round_and_ranks_follow_the_flow() {
        // 0 -> 1 -> 2 -> 1 (a revision loop), 2 -> 3; 4 unreachable, -> 3.
        let edges = [(0, 1), (1, 2), (2, 1), (2, 3), (4, 3)];
        let back = loop_edges(5, 0, edges.iter().copied());
        assert_eq!(back, vec![(2, 1)]);
        let flow: Vec<_> = edges
            .iter()
            .map(|&(f, t)| {
                if back.contains(&(f, t)) {
                    (t, f)
                } else {
                    (f, t)
                }
            })
            .collect();
        assert_eq!(ranks(5, &flow), vec![0, 1, 2, 3, 0]);
    }
}
