//! Where the boxes of a state graph go: loops turned round, layers by the
//! longest path, each layer ordered by its neighbours, then placed.

use super::svg::{GAP_X, GAP_Y, MARGIN};

/// A box of the layout: a state, an edge's label, or a point an edge passes.
#[derive(Debug, Clone)]
pub(super) struct Node {
    pub(super) kind: Kind,
    /// The box's own width; `room` is what it takes in its layer (a state
    /// with a loop takes the loop's label too).
    pub(super) w: f64,
    pub(super) room: f64,
    pub(super) h: f64,
    pub(super) layer: usize,
    pub(super) x: f64,
    pub(super) y: f64,
}

#[derive(Debug, Clone)]
pub(super) enum Kind {
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
pub(super) struct Edge {
    pub(super) path: Vec<usize>,
    pub(super) up: bool,
    pub(super) label: String,
}

/// The widest line, in characters.
pub(super) fn widest(lines: &[String]) -> f64 {
    lines.iter().map(|l| l.chars().count()).max().unwrap_or(1) as f64
}

/// The edges that close a loop, found by a depth-first walk from `start`
/// (then from each state it did not reach, in order): turned round, they
/// leave a graph that flows one way.
pub(super) fn loop_edges(
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
pub(super) trait RevOrder {
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
pub(super) fn ranks(n: usize, flow: &[(usize, usize)]) -> Vec<usize> {
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
pub(super) fn order(nodes: &[Node], edges: &[Edge]) -> Vec<Vec<usize>> {
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
pub(super) fn place(nodes: &mut [Node], layers: &[Vec<usize>]) -> (f64, f64) {
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
pub(super) fn wrap(label: &str, wrap: usize) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn long_labels_wrap_between_words() {
        assert_eq!(
            wrap("Terverifikasi, menunggu persetujuan", 22),
            vec!["Terverifikasi,", "menunggu persetujuan"]
        );
        assert_eq!(wrap("Draf", 22), vec!["Draf"]);
        assert_eq!(wrap("", 22), vec![""]);
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
