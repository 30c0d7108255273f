//! The plain-text body, shaped for the HTML layout: paragraphs, the case
//! link as a button, and the footer below the signature line.

use pantau_domain::Lang;
use serde::Serialize;

/// The layout's name in the HTML registry.
pub const LAYOUT: &str = "layout";

/// What `_layout.html.hbs` is rendered with. Every string in it is
/// HTML-escaped by handlebars; the layout adds the markup.
#[derive(Debug, Serialize)]
pub struct LayoutContext<'a> {
    /// `id` or `en`, for `<html lang>` and the layout's own words.
    pub lang: &'static str,
    pub en: bool,
    pub subject: &'a str,
    /// Paragraphs of the body.
    pub paragraphs: Vec<Paragraph<'a>>,
    /// The case link, drawn as a button.
    pub action: Option<Action<'a>>,
    /// Paragraphs below the `-- ` signature line.
    pub footer: Vec<Paragraph<'a>>,
}

/// Lines, each a run of text and web addresses.
pub type Paragraph<'a> = Vec<Vec<Segment<'a>>>;

/// Text, or a web address (`href` is then the text itself).
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Segment<'a> {
    pub text: &'a str,
    pub href: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct Action<'a> {
    pub label: &'a str,
    pub href: &'a str,
}

/// Shapes `text` for the layout. The paragraph that is one line ending with
/// `link` (`Buka kasus: https://…`) becomes the button, labelled with the
/// words before the link; a link that is not http(s) stays text.
pub fn layout_context<'a>(
    lang: Lang,
    subject: &'a str,
    text: &'a str,
    link: Option<&'a str>,
) -> LayoutContext<'a> {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let (body, footer) = match lines.iter().position(|l| *l == "--") {
        Some(at) => (&lines[..at], &lines[at + 1..]),
        None => (&lines[..], &[][..]),
    };
    let mut paragraphs = split_paragraphs(body);
    let mut action = None;
    if let Some(href) = link.filter(|l| is_web(l)) {
        let button = paragraphs
            .iter()
            .position(|p| matches!(p.as_slice(), [line] if line.ends_with(href)));
        if let Some(at) = button {
            let line = paragraphs.remove(at)[0];
            let label = line[..line.len() - href.len()]
                .trim()
                .trim_end_matches(':')
                .trim_end();
            action = Some(Action { label, href });
        }
    }
    LayoutContext {
        lang: lang.as_str(),
        en: lang == Lang::En,
        subject,
        paragraphs: paragraphs.iter().map(|p| linked(p)).collect(),
        action,
        footer: split_paragraphs(footer).iter().map(|p| linked(p)).collect(),
    }
}

fn is_web(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://")
}

/// Each line of a paragraph cut into text and web addresses, so the
/// addresses become links. Punctuation closing a sentence stays text.
fn linked<'a>(lines: &[&'a str]) -> Paragraph<'a> {
    lines
        .iter()
        .map(|line| {
            let line = line.trim();
            let mut segments = Vec::new();
            let mut text_from = 0;
            let mut at = 0;
            while let Some(found) = line[at..].find("http") {
                let start = at + found;
                let rest = &line[start..];
                let end = start + rest.find(char::is_whitespace).unwrap_or(rest.len());
                let url = line[start..end].trim_end_matches(['.', ',', ';', ':', ')', '!', '?']);
                let boundary = line[..start]
                    .chars()
                    .next_back()
                    .is_none_or(|c| c.is_whitespace() || c == '(');
                if boundary && is_web(url) && url.len() > "https://".len() {
                    if text_from < start {
                        segments.push(Segment {
                            text: &line[text_from..start],
                            href: None,
                        });
                    }
                    segments.push(Segment {
                        text: url,
                        href: Some(url),
                    });
                    text_from = start + url.len();
                    at = text_from;
                } else {
                    at = start + "http".len();
                }
            }
            if text_from < line.len() {
                segments.push(Segment {
                    text: &line[text_from..],
                    href: None,
                });
            }
            segments
        })
        .collect()
}

/// Lines grouped into paragraphs at blank lines.
fn split_paragraphs<'a>(lines: &[&'a str]) -> Vec<Vec<&'a str>> {
    lines
        .split(|l| l.trim().is_empty())
        .filter(|p| !p.is_empty())
        .map(<[&str]>::to_vec)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Yth. Rina,\n\nBaris satu.\nBaris dua.\n\nBuka kasus: https://pantau.example/kasus/1\n\n-- \nPesan otomatis.\n";

    #[test]
    fn shapes_paragraphs_button_and_footer() {
        let c = layout_context(Lang::Id, "S", TEXT, Some("https://pantau.example/kasus/1"));
        let text = |p: &Paragraph| -> Vec<String> {
            p.iter()
                .map(|l| l.iter().map(|s| s.text).collect())
                .collect()
        };
        let texts: Vec<Vec<String>> = c.paragraphs.iter().map(text).collect();
        assert_eq!(
            texts,
            vec![vec!["Yth. Rina,"], vec!["Baris satu.", "Baris dua."]]
        );
        let action = c.action.unwrap();
        assert_eq!(action.label, "Buka kasus");
        assert_eq!(action.href, "https://pantau.example/kasus/1");
        assert_eq!(
            c.footer.iter().map(text).collect::<Vec<_>>(),
            vec![vec!["Pesan otomatis."]]
        );
    }

    #[test]
    fn a_link_that_is_not_http_stays_text() {
        let text = "Halo\n\nBuka kasus: javascript:alert(1)\n";
        let c = layout_context(Lang::Id, "S", text, Some("javascript:alert(1)"));
        assert!(c.action.is_none());
        assert_eq!(c.paragraphs.len(), 2);
        assert!(c.footer.is_empty());
    }

    #[test]
    fn web_addresses_become_links() {
        let line =
            ["Lihat https://a.example/x, atau (http://b.example/y). Bukan xhttp://c.example"];
        let p = linked(&line);
        let seg = |text, href| Segment { text, href };
        assert_eq!(
            p[0],
            vec![
                seg("Lihat ", None),
                seg("https://a.example/x", Some("https://a.example/x")),
                seg(", atau (", None),
                seg("http://b.example/y", Some("http://b.example/y")),
                seg("). Bukan xhttp://c.example", None),
            ]
        );
    }
}
