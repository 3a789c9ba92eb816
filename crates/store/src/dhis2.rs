//! DHIS2 identifier mappings.

use serde::Serialize;

use crate::macros::q;
use crate::{Conn, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mapping {
    /// `data_element` or `org_unit`.
    pub kind: String,
    pub local_code: String,
    pub dhis2_id: String,
}

pub async fn all(c: &mut Conn) -> Result<Vec<Mapping>> {
    Ok(q!(c, |x| sqlx::query_as::<_, Mapping>(
        "SELECT kind, local_code, dhis2_id FROM dhis2_mappings ORDER BY kind, local_code"
    )
    .fetch_all(x)
    .await)?)
}

/// Replaces every mapping with `list`, in the caller's transaction.
pub async fn replace(c: &mut Conn, list: &[Mapping]) -> Result<()> {
    q!(c, |x| sqlx::query("DELETE FROM dhis2_mappings")
        .execute(x)
        .await
        .map(|_| ()))?;
    for m in list {
        q!(c, |x| sqlx::query(
            "INSERT INTO dhis2_mappings (kind, local_code, dhis2_id) VALUES ($1, $2, $3)"
        )
        .bind(&m.kind)
        .bind(&m.local_code)
        .bind(&m.dhis2_id)
        .execute(x)
        .await
        .map(|_| ()))?;
    }
    Ok(())
}
