//! What a request's input may carry into a use case: strict flattening, an upload read
//! only once the caller is allowed, a bounded workbook reader, and the structure a view
//! of the past is shown in.

use serde::Deserialize;

use crate::error::{AppError, AppResult};

/// Put last in an input that flattens another (`#[serde(flatten)]`): refuses whatever
/// field neither part knows. Flattening hides unknown fields from the API's own check
/// (`ApiJson`), and a misspelt field must not be dropped while the answer says all is well.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct NoOtherFields;

impl<'de> Deserialize<'de> for NoOtherFields {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = NoOtherFields;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("no other fields")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<NoOtherFields, A::Error> {
                match map.next_key::<String>()? {
                    None => Ok(NoOtherFields),
                    Some(key) => Err(serde::de::Error::unknown_field(&key, &[])),
                }
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// A file a request carries. Use cases that take one take its *reading* (a future) and
/// await it only once the caller is known to be allowed to send it, so not one byte of a
/// refused body is read, stored or parsed.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The file's name as the client gave it (not yet made safe).
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Upload {
    /// A file already at hand (the command line, a kept preview).
    pub fn ready(name: impl Into<String>, bytes: Vec<u8>) -> std::future::Ready<AppResult<Upload>> {
        std::future::ready(Ok(Upload {
            name: name.into(),
            bytes,
        }))
    }
}

/// Reads an uploaded workbook and runs `then` on its first sheet, both on a blocking
/// thread: the reader is bounded (`SheetLimits`) and, with `then`, watches one token that
/// stops them at the deadline or as soon as this request is dropped (a timeout, a client
/// gone), so no core keeps burning for nobody.
pub async fn with_workbook<T, F>(
    bytes: Vec<u8>,
    then: F,
) -> AppResult<Result<T, dxplan_report::sheet::SheetError>>
where
    T: Send + 'static,
    F: FnOnce(&[Vec<dxplan_domain::plan_import::Cell>], &dxplan_domain::cancel::Cancel) -> T
        + Send
        + 'static,
{
    use dxplan_report::sheet::{DEFAULT_DEADLINE, SheetLimits, read_first_sheet};
    let cancel = dxplan_domain::cancel::Cancel::with_deadline(DEFAULT_DEADLINE);
    let _stop_when_dropped = cancel.drop_guard();
    tokio::task::spawn_blocking(move || {
        let grid = read_first_sheet(&bytes, &SheetLimits::default(), &cancel)?;
        Ok(then(&grid, &cancel))
    })
    .await
    .map_err(|e| AppError::internal(format!("workbook task: {e}")))
}

/// Which units a view of the past is shown in: those that stood then, or today's with
/// history carried forward along the lineage of reorganisations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Structure {
    AsItWas,
    AsItIsNow,
}

impl Structure {
    /// Reads a `structure` parameter (`then` or `now`; empty or absent gives `default`).
    pub fn parse(text: Option<&str>, default: Structure) -> AppResult<Structure> {
        match text.map(str::trim) {
            None | Some("") => Ok(default),
            Some("then") => Ok(Structure::AsItWas),
            Some("now") => Ok(Structure::AsItIsNow),
            Some(_) => Err(AppError::field(
                "structure",
                dxplan_domain::Invalid::BadFormat,
            )),
        }
    }

    /// The parameter's value for links.
    pub fn param(self) -> &'static str {
        match self {
            Structure::AsItWas => "then",
            Structure::AsItIsNow => "now",
        }
    }
}
