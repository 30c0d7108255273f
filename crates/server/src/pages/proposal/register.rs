//! `POST /usulan/penerima`: a beneficiary not found in the registry is
//! registered from the proposal's second step, checked exactly as an
//! imported row ([`pantau_store::Store::register_beneficiary`]), then chosen.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use pantau_domain::access::Permission;
use pantau_registry::beneficiary::COOP_KINDS;
use pantau_registry::regions::Regions;
use pantau_store::registry::search::Registered;
use serde::Serialize;

use super::super::guard;
use super::super::view::{Viewer, link};
use super::{Opt, Pick, Values, build, chosen, kind_of, offers};
use crate::App;
use crate::error::ApiError;

/// The registration form: its fields, with what was typed and why refused.
#[derive(Serialize)]
pub struct Registration {
    kind: String,
    fields: Vec<Cell>,
    /// Refused: the form starts open.
    open: bool,
    /// A reason for no field of the form.
    message: Option<String>,
}

#[derive(Serialize)]
struct Cell {
    /// The import's column name.
    name: String,
    label: String,
    required: bool,
    /// `text`, `number` or `choice`.
    input: &'static str,
    options: Vec<Opt>,
    value: String,
    error: Option<String>,
}

/// A column of the registration form: the import's column name, whether
/// it is required, its input (`text`, `number`, `choice`) and its choices
/// as (value, word key).
struct Column {
    name: &'static str,
    required: bool,
    input: &'static str,
    options: Vec<(String, String)>,
}

fn text(name: &'static str, required: bool) -> Column {
    Column {
        name,
        required,
        input: "text",
        options: vec![],
    }
}

fn number(name: &'static str, required: bool) -> Column {
    Column {
        input: "number",
        ..text(name, required)
    }
}

fn choice(name: &'static str, options: Vec<(String, String)>) -> Column {
    Column {
        input: "choice",
        options,
        ..text(name, true)
    }
}

/// The columns a beneficiary of `kind` is registered with.
fn columns(kind: &str) -> Vec<Column> {
    let mut out = vec![text("name", true)];
    match kind {
        "cooperative" => out.extend([
            text("nik_koperasi", true),
            text("legal_entity_number", true),
            choice(
                "coop_kind",
                COOP_KINDS
                    .iter()
                    .map(|k| (k.to_string(), format!("usulan.koperasi_{k}")))
                    .collect(),
            ),
            number("members", true),
            choice(
                "active",
                vec![
                    ("ya".into(), "umum.ya".into()),
                    ("tidak".into(), "umum.tidak".into()),
                ],
            ),
            number("last_rat_year", false),
        ]),
        "umkm" => out.extend([
            text("nib", true),
            text("owner_nik", true),
            choice(
                "scale",
                ["mikro", "kecil", "menengah"]
                    .iter()
                    .map(|s| (s.to_string(), format!("usulan.skala_{s}")))
                    .collect(),
            ),
        ]),
        "pkl" => out.extend([text("nik", true), text("market_location", true)]),
        _ => out.push(text("nik", true)),
    }
    out.extend([
        text("desa_code", false),
        text("address", false),
        text("phone", false),
        text("lat", false),
        text("lon", false),
    ]);
    out
}

impl Registration {
    /// The form for `kind`, with `values` and `errors` by column.
    fn with(v: &Viewer, kind: &str, values: &Values, errors: &Values) -> Registration {
        let fields: Vec<Cell> = columns(kind)
            .into_iter()
            .map(|col| {
                let Column {
                    name,
                    required,
                    input,
                    options,
                } = col;
                let value = values.get(name).cloned().unwrap_or_default();
                Cell {
                    label: v.text(&format!("usulan.kolom_{name}")),
                    required,
                    input,
                    options: options
                        .into_iter()
                        .map(|(o, key)| Opt {
                            selected: o == value,
                            label: v.text(&key),
                            value: o,
                        })
                        .collect(),
                    value,
                    error: errors.get(name).cloned(),
                    name: name.to_string(),
                }
            })
            .collect();
        let message = errors
            .iter()
            .filter(|(c, _)| !fields.iter().any(|f| f.name == **c))
            .map(|(c, why)| format!("{c}: {why}"))
            .collect::<Vec<_>>();
        Registration {
            kind: kind.to_string(),
            open: !errors.is_empty(),
            message: (!message.is_empty()).then(|| message.join("; ")),
            fields,
        }
    }

    pub(super) fn blank(v: &Viewer, kind: &str) -> Registration {
        Registration::with(v, kind, &Values::new(), &Values::new())
    }
}

/// Registers the beneficiary the form describes in the chosen
/// kabupaten/kota, of the program's kind; then on to step 3 with it.
pub async fn register(
    State(app): State<App>,
    v: Viewer,
    headers: HeaderMap,
    form: Result<Form<Values>, FormRejection>,
) -> Response {
    let v = Viewer {
        look: v.look.clone().at("/usulan/baru".into()),
        ..v
    };
    let Ok(Form(sent)) = form else {
        return v.fail(ApiError::invalid("form", v.text("galat.csrf")));
    };
    if let Err(e) = guard::form(
        &v.look,
        &headers,
        v.caller.csrf.as_deref(),
        sent.get("_csrf").map(String::as_str),
    )
    .and_then(|()| v.caller.require(Permission::Import))
    {
        return v.fail(e);
    }
    let pick = Pick {
        program: sent.get("program").cloned(),
        wilayah: sent.get("wilayah").cloned(),
        cari: sent.get("cari").cloned(),
        penerima: None,
    };
    match registered(&app, &v, &pick, &sent).await {
        Ok(Ok(id)) => v.look.redirect(&link(
            "/usulan/baru",
            &[
                ("program", pick.program.as_deref().unwrap_or_default()),
                ("wilayah", pick.wilayah.as_deref().unwrap_or_default()),
                ("penerima", &id),
            ],
        )),
        Ok(Err(registration)) => match build(&app, &v, &pick, Some(registration)).await {
            Ok(page) => v.render(
                StatusCode::UNPROCESSABLE_ENTITY,
                "usulan",
                &v.text("usulan.judul"),
                page,
            ),
            Err(e) => v.fail(e),
        },
        Err(e) => v.fail(e),
    }
}

/// The new beneficiary's id, or the form again with each reason by column.
async fn registered(
    app: &App,
    v: &Viewer,
    pick: &Pick,
    sent: &Values,
) -> Result<Result<String, Registration>, ApiError> {
    let offers = offers(app, v).await?;
    let lang = v.caller.lang;
    let c = chosen(v, &offers, pick)?
        .ok_or_else(|| ApiError::invalid("wilayah", v.text("usulan.pilih_wilayah")))?;
    let kind = kind_of(&c.offer.def);
    if kind == "region" {
        return Err(ApiError::not_found("program", &c.offer.program.id, lang));
    }
    let mut cells: Vec<(&str, &str)> = vec![("kind", kind), ("region_code", &c.region)];
    for col in columns(kind) {
        cells.push((col.name, sent.get(col.name).map_or("", |s| s.as_str())));
    }
    let regions = Regions::embedded().map_err(|e| ApiError::Internal(e.to_string()))?;
    let done = app
        .store
        .register_beneficiary(&cells, &regions, &v.caller.scope)
        .await
        .map_err(|e| ApiError::from_store(e, lang))?;
    Ok(match done {
        Registered::Done { id, .. } => Ok(id),
        Registered::Refused(problems) => {
            let mut errors = Values::new();
            for p in problems {
                let reason = p.reason.get(lang).to_string();
                errors
                    .entry(p.column)
                    .and_modify(|r| {
                        r.push_str("; ");
                        r.push_str(&reason);
                    })
                    .or_insert(reason);
            }
            let values: Values = columns(kind)
                .into_iter()
                .filter_map(|col| Some((col.name.to_string(), sent.get(col.name)?.clone())))
                .collect();
            Err(Registration::with(v, kind, &values, &errors))
        }
    })
}
