//! What units set of their documents' letterhead.

use dxplan_domain::issuer::IssuerSettings;
use time::OffsetDateTime;

use crate::macros::q;
use crate::{Conn, Result};

#[derive(sqlx::FromRow)]
struct Row {
    governing_body: Option<String>,
    agency: Option<String>,
    abbreviation: Option<String>,
    place: Option<String>,
    signer_title: Option<String>,
    signer_name: Option<String>,
    recipients: Option<String>,
}

/// The unit's settings; all defaults when it has set nothing.
pub async fn get(c: &mut Conn, unit_id: i64) -> Result<IssuerSettings> {
    let row: Option<Row> = q!(c, |x| {
        sqlx::query_as::<_, Row>(
        "SELECT governing_body, agency, abbreviation, place, signer_title, signer_name, recipients
           FROM unit_issuers WHERE unit_id = $1"
    )
    .bind(unit_id)
    .fetch_optional(x)
    .await
    })?;
    Ok(
        row.map_or_else(IssuerSettings::default, |r| IssuerSettings {
            governing_body: r.governing_body,
            agency: r.agency,
            abbreviation: r.abbreviation,
            place: r.place,
            signer_title: r.signer_title,
            signer_name: r.signer_name,
            recipients: r.recipients,
        }),
    )
}

/// Stores the unit's settings (all defaults removes the row), in the caller's transaction.
pub async fn put(
    c: &mut Conn,
    unit_id: i64,
    s: &IssuerSettings,
    by: &str,
    now: OffsetDateTime,
) -> Result<()> {
    q!(c, |x| sqlx::query(
        "DELETE FROM unit_issuers WHERE unit_id = $1"
    )
    .bind(unit_id)
    .execute(x)
    .await
    .map(|_| ()))?;
    if s.is_empty() {
        return Ok(());
    }
    q!(c, |x| sqlx::query(
        "INSERT INTO unit_issuers (unit_id, governing_body, agency, abbreviation, place,
                                   signer_title, signer_name, recipients, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    )
    .bind(unit_id)
    .bind(&s.governing_body)
    .bind(&s.agency)
    .bind(&s.abbreviation)
    .bind(&s.place)
    .bind(&s.signer_title)
    .bind(&s.signer_name)
    .bind(&s.recipients)
    .bind(by)
    .bind(now)
    .execute(x)
    .await
    .map(|_| ()))?;
    Ok(())
}
