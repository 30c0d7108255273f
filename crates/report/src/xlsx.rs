//! XLSX: one sheet per section, figures as real numbers (rupiah with a
//! `Rp #.##0` format, percentages as fractions with `0,00%`), so that an
//! office sums and charts them in its spreadsheet. The first sheet starts
//! with the report's title and facts.

use rust_xlsxwriter::{Format, FormatBorder, Workbook, Worksheet};

use crate::ReportError;
use crate::model::{Cell, Document, Row};

/// Sheet names: at most 31 characters, none of `[]:*?/\`, unique.
fn sheet_name(heading: &str, n: usize, taken: &mut Vec<String>) -> String {
    let clean: String = heading
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(26)
        .collect();
    let mut name = clean.trim().to_string();
    if name.is_empty() || taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name = format!("{} {}", name.chars().take(22).collect::<String>(), n + 1);
    }
    taken.push(name.clone());
    name
}

pub fn write(doc: &Document) -> Result<Vec<u8>, ReportError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border_bottom(FormatBorder::Thin);
    let rupiah = Format::new().set_num_format("\"Rp\" #,##0");
    let count = Format::new().set_num_format("#,##0");
    let percent = Format::new().set_num_format("0.00%");
    // A figure that misses its target: red and bold.
    let missed = Format::new()
        .set_num_format("0.00%")
        .set_bold()
        .set_font_color("#B42318")
        .set_background_color("#FDECEA");
    let mut taken = vec![];
    for (n, s) in doc.sections.iter().enumerate() {
        let sheet: &mut Worksheet = book.add_worksheet();
        sheet.set_name(sheet_name(&s.heading, n, &mut taken))?;
        let mut line: u32 = 0;
        if n == 0 {
            sheet.write_string_with_format(line, 0, &doc.title, &bold)?;
            line += 1;
            for f in &doc.facts {
                sheet.write_string(line, 0, &f.label)?;
                sheet.write_string(line, 1, &f.value)?;
                line += 1;
            }
            line += 1;
        }
        sheet.write_string_with_format(line, 0, &s.heading, &bold)?;
        line += 1;
        for (c, col) in s.table.columns.iter().enumerate() {
            sheet.write_string_with_format(line, c as u16, &col.label, &head)?;
            sheet.set_column_width(c as u16, if c == 0 { 32 } else { 17 })?;
        }
        line += 1;
        let rows = s.table.rows.iter().chain(s.table.total.as_ref());
        for r in rows {
            write_row(sheet, line, r, [&rupiah, &count, &percent, &missed])?;
            line += 1;
        }
    }
    Ok(book.save_to_buffer()?)
}

fn write_row(
    sheet: &mut Worksheet,
    line: u32,
    r: &Row,
    [rupiah, count, percent, missed]: [&Format; 4],
) -> Result<(), ReportError> {
    for (c, cell) in r.cells.iter().enumerate() {
        let c = c as u16;
        match cell {
            Cell::Text(t) => {
                sheet.write_string(line, c, t)?;
            }
            Cell::Count(v) => {
                sheet.write_number_with_format(line, c, *v as f64, count)?;
            }
            Cell::Rupiah(v) => {
                sheet.write_number_with_format(line, c, *v as f64, rupiah)?;
            }
            Cell::Percent(bp) => {
                let format = if r.marks.contains(&usize::from(c)) {
                    missed
                } else {
                    percent
                };
                sheet.write_number_with_format(line, c, *bp as f64 / 10_000.0, format)?;
            }
            Cell::Empty => {}
        }
    }
    Ok(())
}
