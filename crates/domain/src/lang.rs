//! Indonesian first, English available.

use serde::{Deserialize, Serialize};

/// The language of text a user sees.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Bahasa Indonesia, the default.
    #[default]
    Id,
    En,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "id" => Ok(Lang::Id),
            "en" => Ok(Lang::En),
            other => Err(format!("unknown language `{other}` (use id or en)")),
        }
    }
}

/// A text users see, in Indonesian and in English.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Label {
    pub id: String,
    pub en: String,
}

impl Label {
    pub fn new(id: impl Into<String>, en: impl Into<String>) -> Self {
        Label {
            id: id.into(),
            en: en.into(),
        }
    }

    /// The text in `lang`, falling back to Indonesian when the English is empty.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En if !self.en.is_empty() => &self.en,
            _ => &self.id,
        }
    }

    /// Both texts, Indonesian first and English in brackets, for a reader
    /// whose language is not known (the command line, a file of refused rows).
    pub fn both(&self) -> String {
        if self.en.is_empty() || self.en == self.id {
            self.id.clone()
        } else {
            format!("{} ({})", self.id, self.en)
        }
    }
}
