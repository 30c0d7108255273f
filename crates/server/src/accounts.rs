//! The rules a user's account must keep, written once for `pantau user add`,
//! the first-run setup page and the users pages: a login of letters,
//! digits and `._-@`, a name, an email address, a known role with a known
//! region where the role needs one, a language, and a password of at least
//! [`password::MIN_LEN`] characters (typed twice on the pages). Every
//! problem is named by its field, in the reader's language.

use pantau_domain::access::Scope;
use pantau_domain::{Lang, RegionCode, Role};
use pantau_store::accounts::NewUser;

use crate::password;

/// The longest login, name and email kept.
const LOGIN_MAX: usize = 64;
const NAME_MAX: usize = 200;
const EMAIL_MAX: usize = 254;

/// An account as typed.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub login: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub region: String,
    pub lang: String,
    pub password: String,
    /// The password typed again (pages); none where it is typed once (the CLI).
    pub again: Option<String>,
}

/// A field that breaks a rule, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `login`, `name`, `email`, `role`, `region`, `lang`, `password` or `again`.
    pub field: &'static str,
    pub message: String,
}

fn say(lang: Lang, id: &str, en: &str) -> String {
    match lang {
        Lang::Id => id.to_string(),
        Lang::En => en.to_string(),
    }
}

/// A role and region that go together: the role known, the region a known
/// Kemendagri code, and one given unless the role is national.
pub fn check_place(
    role: &str,
    region: &str,
    known: &dyn Fn(&str) -> bool,
    lang: Lang,
) -> Result<(Role, Option<RegionCode>), Vec<Problem>> {
    let mut problems = vec![];
    let role = role.trim().parse::<Role>().map_err(|_| Problem {
        field: "role",
        message: say(lang, "pilih salah satu peran", "choose one of the roles"),
    });
    let region = region.trim();
    let code = if region.is_empty() {
        Ok(None)
    } else {
        match RegionCode::parse(region) {
            Ok(c) if known(c.as_str()) => Ok(Some(c)),
            Ok(c) => Err(Problem {
                field: "region",
                message: match lang {
                    Lang::Id => format!("wilayah `{c}` tidak dikenal"),
                    Lang::En => format!("region `{c}` is unknown"),
                },
            }),
            Err(e) => Err(Problem {
                field: "region",
                message: e.message(lang),
            }),
        }
    };
    let (role, code) = match (role, code) {
        (Ok(r), Ok(c)) => (r, c),
        (r, c) => {
            problems.extend(r.err());
            problems.extend(c.err());
            return Err(problems);
        }
    };
    if Scope::of(role, code.as_ref()).is_err() {
        return Err(vec![Problem {
            field: "region",
            message: say(
                lang,
                "peran ini harus punya wilayah (provinsi atau kabupaten/kota)",
                "this role needs a region (a province or a regency/city)",
            ),
        }]);
    }
    Ok((role, code))
}

/// A password long enough, and (when typed twice) the same both times.
pub fn check_password(text: &str, again: Option<&str>, lang: Lang) -> Vec<Problem> {
    let mut problems = vec![];
    if text.chars().count() < password::MIN_LEN {
        problems.push(Problem {
            field: "password",
            message: match lang {
                Lang::Id => format!("kata sandi minimal {} karakter", password::MIN_LEN),
                Lang::En => format!(
                    "the password must have at least {} characters",
                    password::MIN_LEN
                ),
            },
        });
    }
    if again.is_some_and(|a| a != text) {
        problems.push(Problem {
            field: "again",
            message: say(
                lang,
                "kedua kata sandi tidak sama",
                "the two passwords differ",
            ),
        });
    }
    problems
}

impl Draft {
    /// The account to add (without its password's hash, which the caller
    /// makes from [`Draft::password`]), or every problem found.
    pub fn check(&self, known: &dyn Fn(&str) -> bool, lang: Lang) -> Result<NewUser, Vec<Problem>> {
        let mut problems = vec![];
        let login = self.login.trim();
        if login.is_empty()
            || login.chars().count() > LOGIN_MAX
            || !login
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c))
        {
            problems.push(Problem {
                field: "login",
                message: match lang {
                    Lang::Id => format!(
                        "isi 1 sampai {LOGIN_MAX} huruf, angka, titik, garis bawah, tanda hubung atau @, tanpa spasi"
                    ),
                    Lang::En => format!(
                        "use 1 to {LOGIN_MAX} letters, digits, dots, underscores, hyphens or @, no spaces"
                    ),
                },
            });
        }
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > NAME_MAX || name.chars().any(char::is_control)
        {
            problems.push(Problem {
                field: "name",
                message: match lang {
                    Lang::Id => format!("isi nama (paling banyak {NAME_MAX} karakter)"),
                    Lang::En => format!("enter a name (at most {NAME_MAX} characters)"),
                },
            });
        }
        let email = self.email.trim();
        let email_ok = email.chars().count() <= EMAIL_MAX
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && email.split_once('@').is_some_and(|(user, host)| {
                !user.is_empty()
                    && !host.contains('@')
                    && host.contains('.')
                    && !host.starts_with('.')
                    && !host.ends_with('.')
            });
        if !email_ok {
            problems.push(Problem {
                field: "email",
                message: say(
                    lang,
                    "alamat surel tidak sah (contoh: nama@dinas.go.id)",
                    "not an email address (e.g. name@dinas.go.id)",
                ),
            });
        }
        let place = check_place(&self.role, &self.region, known, lang);
        let user_lang = match self.lang.trim() {
            "" | "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        };
        if user_lang.is_none() {
            problems.push(Problem {
                field: "lang",
                message: say(lang, "pilih `id` atau `en`", "choose `id` or `en`"),
            });
        }
        problems.extend(check_password(&self.password, self.again.as_deref(), lang));
        let (role, region) = match place {
            Ok(p) => p,
            Err(mut p) => {
                p.extend(problems);
                return Err(p);
            }
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(NewUser {
            login: login.to_string(),
            name: name.to_string(),
            email: email.to_string(),
            role,
            region: region.map(|r| r.to_string()),
            lang: user_lang.unwrap_or_default(),
            digest: false,
            password_hash: None,
        })
    }
}

/// The first-run setup link at `base` (`http://127.0.0.1:8080`) while the
/// database has no user at all: `pantau serve` prints it. Each call makes a
/// new one (kept hashed, so any instance on the database opens it).
pub async fn setup_link(
    store: &pantau_store::Store,
    base: &str,
) -> Result<Option<String>, pantau_store::StoreError> {
    let token = store.setup_link(chrono::Utc::now()).await?;
    Ok(token.map(|t| format!("{}/siapkan/{t}", base.trim_end_matches('/'))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        Draft {
            login: "rina.18".into(),
            name: "Rina".into(),
            email: "rina@dinas.go.id".into(),
            role: "verifier".into(),
            region: "18.71".into(),
            lang: "id".into(),
            password: "cukup-panjang".into(),
            again: Some("cukup-panjang".into()),
        }
    }

    fn fields(d: &Draft) -> Vec<&'static str> {
        let known = |c: &str| c.starts_with("18");
        match d.check(&known, Lang::En) {
            Ok(_) => vec![],
            Err(p) => p.into_iter().map(|p| p.field).collect(),
        }
    }

    #[test]
    fn names_every_bad_field() {
        assert_eq!(fields(&draft()), Vec::<&str>::new());
        let bad = Draft {
            login: "rina 18".into(),
            name: " ".into(),
            email: "rina@".into(),
            region: "".into(),
            password: "pendek".into(),
            again: Some("lain".into()),
            ..draft()
        };
        assert_eq!(
            fields(&bad),
            ["region", "login", "name", "email", "password", "again"]
        );
        assert_eq!(
            fields(&Draft {
                region: "13.03".into(),
                ..draft()
            }),
            ["region"]
        );
        assert_eq!(
            fields(&Draft {
                role: "boss".into(),
                ..draft()
            }),
            ["role"]
        );
        assert_eq!(
            fields(&Draft {
                role: "admin".into(),
                region: "".into(),
                ..draft()
            }),
            Vec::<&str>::new()
        );
        assert_eq!(
            fields(&Draft {
                lang: "fr".into(),
                ..draft()
            }),
            ["lang"]
        );
    }
}
