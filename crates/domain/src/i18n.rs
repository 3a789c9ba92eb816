//! The two languages dxplan speaks. Vietnamese is the default everywhere.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// Parses a language tag such as `vi`, `en-GB` or `EN`; anything else is `None`.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language of an `Accept-Language` header: Vietnamese whenever the browser lists it
    /// at all (a civil servant's browser often has an English interface with Vietnamese
    /// added second), English only when English is listed and Vietnamese is not, else
    /// Vietnamese. The language switch in the page sets a cookie that wins over this.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut english = false;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or_default();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            match Lang::parse(tag) {
                Some(Lang::Vi) if q > 0.0 => return Lang::Vi,
                Some(Lang::En) if q > 0.0 => english = true,
                _ => {}
            }
        }
        if english { Lang::En } else { Lang::Vi }
    }

    /// Chooses between the Vietnamese and English form of a text.
    pub fn pick<T>(self, vi: T, en: T) -> T {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_is_vietnamese_whenever_vietnamese_is_listed() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,vi;q=0.8"),
            Lang::Vi
        );
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_accept_language("en, vi;q=0"), Lang::En);
        assert_eq!(
            Lang::from_accept_language("fr-FR, vi;q=0.5, en;q=0.4"),
            Lang::Vi
        );
        assert_eq!(Lang::from_accept_language("fr, de"), Lang::Vi);
        assert_eq!(Lang::from_accept_language(""), Lang::Vi);
        assert_eq!(Lang::from_accept_language("en;q=0"), Lang::Vi);
    }
}
