//! `{{count cell}}`: a count that links to the cases behind it, or a muted
//! zero (`{{count 12500}}`, a plain number, is only grouped); `{{count_cells cells}}`: one `<td class="num">` of each. Counts are
//! grouped as the page's language writes them (`12.500`, `12,500`); a cell's
//! `label` is what a screen reader says for its link. Helpers,
//! not partials or `#each`: the dashboard writes a thousand of them, and
//! each handlebars block costs a context and an output buffer (measured with
//! callgrind: two thirds of the dashboard page's instructions went there).

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderErrorReason,
};
use pantau_domain::Lang;
use serde_json::Value;

fn param<'a>(h: &'a Helper<'_>, name: &'static str) -> Result<&'a Value, RenderErrorReason> {
    h.param(0)
        .map(|p| p.value())
        .ok_or(RenderErrorReason::ParamNotFoundForIndex(name, 0))
}

/// The page's language, from the context's `lang`.
fn lang(ctx: &Context) -> Lang {
    ctx.data()
        .get("lang")
        .and_then(Value::as_str)
        .and_then(|l| l.parse().ok())
        .unwrap_or_default()
}

/// One `{n, href, label?}` cell.
fn write(
    cell: &Value,
    lang: Lang,
    escape: &dyn Fn(&str) -> String,
    out: &mut dyn Output,
) -> HelperResult {
    let n = match cell.get("n").and_then(Value::as_i64) {
        Some(n) => pantau_domain::format::thousands(n, lang),
        _ => return Err(RenderErrorReason::InvalidParamType("{n, href}").into()),
    };
    match cell.get("href").and_then(Value::as_str) {
        Some(href) => {
            out.write("<a href=\"")?;
            out.write(&escape(href))?;
            if let Some(label) = cell.get("label").and_then(Value::as_str) {
                out.write("\" aria-label=\"")?;
                out.write(&escape(label))?;
            }
            out.write("\">")?;
            out.write(&n)?;
            out.write("</a>")?;
        }
        None => {
            out.write("<span class=\"zero\">")?;
            out.write(&n)?;
            out.write("</span>")?;
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy)]
pub struct Count;

impl HelperDef for Count {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        match param(h, "count")? {
            // A plain number: grouped, with no link (`{{count page.total}}`).
            Value::Number(n) => match n.as_i64() {
                Some(n) => out
                    .write(&pantau_domain::format::thousands(n, lang(ctx)))
                    .map_err(Into::into),
                None => Err(RenderErrorReason::InvalidParamType("a whole number").into()),
            },
            cell => write(cell, lang(ctx), r.get_escape_fn(), out),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct CountCells;

impl HelperDef for CountCells {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let lang = lang(ctx);
        let Value::Array(cells) = param(h, "count_cells")? else {
            return Err(RenderErrorReason::InvalidParamType("[{n, href}]").into());
        };
        for cell in cells {
            out.write("<td class=\"num\">")?;
            write(cell, lang, r.get_escape_fn(), out)?;
            out.write("</td>")?;
        }
        Ok(())
    }
}
