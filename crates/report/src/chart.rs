//! Horizontal bar charts as geometry for the SVG partial
//! (`templates/reports/partials/chart.hbs`): one bar per region, an
//! optional pale bar behind it (the allocation behind the rupiah
//! disbursed) and an optional target line. Integer pixels throughout.

use serde::Serialize;

/// Width of the label column, of the bars' area and height of one row, in pixels.
const LABEL_W: i64 = 190;
const BARS_W: i64 = 330;
const ROW_H: i64 = 22;
const VALUE_W: i64 = 150;

#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub title: String,
    pub width: i64,
    pub height: i64,
    pub label_w: i64,
    pub bars: Vec<Bar>,
    pub target: Option<Marker>,
    /// What the bars show, and the pale bar behind them.
    pub legend: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    pub label: String,
    pub y: i64,
    pub text_y: i64,
    pub back: Option<i64>,
    pub front: i64,
    pub value_x: i64,
    pub value: String,
    pub miss: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Marker {
    pub x: i64,
    pub label: String,
    pub bottom: i64,
}

/// One region's bar.
#[derive(Debug, Clone)]
pub struct Item {
    pub label: String,
    pub front: i64,
    pub back: Option<i64>,
    pub value: String,
    pub miss: bool,
}

/// Bars scaled so that the largest value (or the target) fills the area;
/// negative values draw no bar but keep their text.
pub fn bars(
    title: String,
    legend: String,
    items: Vec<Item>,
    target: Option<(i64, String)>,
) -> Chart {
    let max = items
        .iter()
        .flat_map(|i| [i.front, i.back.unwrap_or(0)])
        .chain(target.as_ref().map(|t| t.0))
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = |v: i64| (i128::from(v.max(0)) * i128::from(BARS_W) / i128::from(max)) as i64;
    let bars: Vec<Bar> = items
        .into_iter()
        .enumerate()
        .map(|(n, i)| {
            let y = n as i64 * ROW_H;
            let front = scale(i.front);
            let back = i.back.map(scale);
            Bar {
                y: y + 4,
                text_y: y + 15,
                value_x: LABEL_W + back.unwrap_or(0).max(front) + 6,
                back,
                front,
                label: i.label,
                value: i.value,
                miss: i.miss,
            }
        })
        .collect();
    let height = bars.len() as i64 * ROW_H + 8;
    Chart {
        title,
        width: LABEL_W + BARS_W + VALUE_W,
        height,
        label_w: LABEL_W,
        target: target.map(|(v, label)| Marker {
            x: LABEL_W + scale(v),
            label,
            bottom: height - 4,
        }),
        bars,
        legend,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(front: i64, back: Option<i64>) -> Item {
        Item {
            label: "x".into(),
            front,
            back,
            value: String::new(),
            miss: false,
        }
    }

    #[test]
    fn the_largest_value_fills_the_area() {
        let c = bars(
            "t".into(),
            String::new(),
            vec![item(50, Some(100)), item(100, Some(200)), item(-5, None)],
            None,
        );
        assert_eq!(c.bars[1].back, Some(BARS_W));
        assert_eq!(c.bars[1].front, BARS_W / 2);
        assert_eq!(c.bars[0].front, BARS_W / 4);
        assert_eq!(c.bars[2].front, 0);
        assert_eq!(c.height, 3 * ROW_H + 8);
    }

    #[test]
    fn a_target_beyond_every_bar_sets_the_scale() {
        let c = bars(
            "t".into(),
            String::new(),
            vec![item(7, None)],
            Some((14, "14 %".into())),
        );
        assert_eq!(c.bars[0].front, BARS_W / 2);
        assert_eq!(c.target.map(|m| m.x), Some(LABEL_W + BARS_W));
    }
}
