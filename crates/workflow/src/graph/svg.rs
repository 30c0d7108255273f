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

use super::layout::{Edge, Kind, Node, loop_edges, order, place, ranks, widest, wrap};
use crate::definition::Definition;

const LINE_H: f64 = 16.0;
const LABEL_LINE_H: f64 = 14.0;
const PAD: f64 = 12.0;
pub(super) const GAP_X: f64 = 28.0;
pub(super) const GAP_Y: f64 = 16.0;
pub(super) const MARGIN: f64 = 24.0;
/// The width of one character of the 13 px state font, near enough.
const CHAR_W: f64 = 7.0;
/// The same for the 11 px label font.
const LABEL_CHAR_W: f64 = 6.0;
/// Characters on one line of a state's label before it wraps.
const WRAP: usize = 22;
/// Room beside a state for a loop's arrow.
const LOOP_W: f64 = 30.0;

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
