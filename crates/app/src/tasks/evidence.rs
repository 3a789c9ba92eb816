//! Evidence files attached to a task.

use dxplan_domain::auth::Action;
use dxplan_store::audit::NewEvent;
use dxplan_store::tasks::{self};
use serde_json::json;

use super::{actor_id, note_on_task, readable_task, require_on_lead};
use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;
use crate::{App, Caller};

/// Attaches an evidence file to a task: its type is checked by name and content, the
/// bytes are stored once by their hash, the record and its audit event together.
pub async fn attach(
    app: &App,
    caller: &Caller<'_>,
    task_id: i64,
    file: impl Future<Output = AppResult<crate::Upload>>,
) -> AppResult<dxplan_store::attachments::Attachment> {
    use dxplan_store::attachments::{self, NewAttachment};
    let task = {
        let mut c = app.db.read().await?;
        let task = tasks::get(&mut c, task_id).await?;
        require_on_lead(&mut c, caller, &task, Action::EditUnitWork).await?;
        task
    };
    if !task.status.takes_evidence() {
        return Err(AppError::conflict(
            "task_cancelled",
            "Nhiệm vụ đã huỷ, không nhận thêm tệp minh chứng.",
            "The task is cancelled: no more evidence files.",
        ));
    }
    let crate::Upload { name, bytes } = file.await?;
    let crate::files::Accepted {
        name,
        kind,
        size,
        sha256: sha,
    } = crate::files::accept(
        &app.settings.data_dir,
        app.settings.max_upload_bytes,
        &name,
        bytes,
    )
    .await?;
    let now = app.now();
    let mut c = app.write(caller).await?;
    let id = attachments::insert(
        &mut c,
        task_id,
        &NewAttachment {
            sha256: &sha,
            size,
            kind: kind.as_str(),
            original_name: &name,
            uploaded_by: actor_id(caller),
            uploader_name: &caller.actor.name,
        },
        now,
    )
    .await?;
    note_on_task(&mut c, caller, task_id, "attach", Some(&name), now).await?;
    let attachment = attachments::get(&mut c, id).await?;
    c.commit(NewEvent {
        action: "task.attach",
        entity_type: "task",
        entity_id: Some(task_id.to_string()),
        summary: format!("{}: {name} ({size} B)", task.code),
        before: None,
        after: Some(json!(attachment)),
    })
    .await?;
    Ok(attachment)
}

/// An evidence file and its bytes, for someone who may read its task.
pub async fn attachment_for(
    app: &App,
    user: &CurrentUser,
    id: i64,
) -> AppResult<(dxplan_store::attachments::Attachment, Vec<u8>)> {
    let attachment = {
        let mut c = app.db.read().await?;
        dxplan_store::attachments::get(&mut c, id).await?
    };
    readable_task(app, user, attachment.task_id).await?;
    let bytes = crate::files::read(&app.settings.data_dir, &attachment.sha256).await?;
    Ok((attachment, bytes))
}
