//! Evidence behind figures: files attached to a saved value.

use dxplan_domain::auth::{Action, Target};
use dxplan_domain::indicator::ValueStatus;
use dxplan_domain::period::Period;
use dxplan_store::attachments::{self, ValueFile};
use dxplan_store::audit::NewEvent;
use dxplan_store::indicators::{self};
use dxplan_store::{StoreError, units};
use serde_json::json;

use crate::App;
use crate::Caller;
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

/// Whether a saved figure has at least one evidence file.
pub(super) async fn has_evidence(
    c: &mut dxplan_store::Conn,
    indicator_id: i64,
    unit_id: i64,
    period: Period,
) -> Result<bool, StoreError> {
    Ok(
        match indicators::value(c, indicator_id, unit_id, period).await? {
            Some(v) => !attachments::files_of_values(c, &[v.id]).await?.is_empty(),
            None => false,
        },
    )
}

/// Attaches an evidence file to a saved figure. The unit's editors may add files until
/// the figure is approved; the file's type is checked by name and content.
pub async fn attach_to_value(
    app: &App,
    caller: &Caller<'_>,
    value_id: i64,
    file: impl Future<Output = AppResult<crate::Upload>>,
) -> AppResult<ValueFile> {
    let value = {
        let mut c = app.db.read().await?;
        let value = indicators::value_by_id(&mut c, value_id).await?;
        let lineage = units::lineage(&mut c, value.unit_id).await?;
        caller.require(Action::EditUnitWork, Target::Unit(&lineage))?;
        value
    };
    if value.status == ValueStatus::Approved {
        return Err(AppError::conflict(
            "value_approved",
            "Số liệu đã được duyệt; muốn bổ sung minh chứng, hãy lưu số liệu điều chỉnh trước.",
            "The figure is approved; save a correction before adding evidence.",
        ));
    }
    let crate::Upload { name, bytes } = file.await?;
    let crate::files::Accepted {
        name,
        kind,
        size,
        sha256,
    } = crate::files::accept(
        &app.settings.data_dir,
        app.settings.max_upload_bytes,
        &name,
        bytes,
    )
    .await?;
    let mut c = app.write(caller).await?;
    let id = attachments::insert_value_file(
        &mut c,
        value_id,
        &attachments::NewAttachment {
            sha256: &sha256,
            size,
            kind: kind.as_str(),
            original_name: &name,
            uploaded_by: caller.actor.user_id,
            uploader_name: &caller.actor.name,
        },
        app.now(),
    )
    .await?;
    let file = attachments::value_file(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    c.commit(NewEvent {
        action: "data.attach",
        entity_type: "data_value",
        entity_id: Some(value_id.to_string()),
        summary: format!("#{value_id} {}: {name} ({size} B)", value.period),
        before: None,
        after: Some(json!(file)),
    })
    .await?;
    Ok(file)
}

/// The files behind one figure, for someone who may read the unit's work.
pub async fn files_of_value(
    app: &App,
    user: &CurrentUser,
    value_id: i64,
) -> AppResult<Vec<ValueFile>> {
    let mut c = app.db.read().await?;
    let value = indicators::value_by_id(&mut c, value_id).await?;
    let lineage = units::lineage(&mut c, value.unit_id).await?;
    user.require(Action::ViewWork, Target::Unit(&lineage))?;
    Ok(attachments::files_of_values(&mut c, &[value_id]).await?)
}

/// One file behind a figure and its bytes, for someone who may read the unit's work.
pub async fn value_file_for(
    app: &App,
    user: &CurrentUser,
    file_id: i64,
) -> AppResult<(ValueFile, Vec<u8>)> {
    let file = {
        let mut c = app.db.read().await?;
        let file = attachments::value_file(&mut c, file_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let value = indicators::value_by_id(&mut c, file.data_value_id).await?;
        let lineage = units::lineage(&mut c, value.unit_id).await?;
        user.require(Action::ViewWork, Target::Unit(&lineage))?;
        file
    };
    let bytes = crate::files::read(&app.settings.data_dir, &file.sha256).await?;
    Ok((file, bytes))
}
