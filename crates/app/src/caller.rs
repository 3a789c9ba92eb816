//! Who is acting: a person (checked against the policy) or the operator at the command
//! line. Their changes are recorded through [`crate::Write`].

use dxplan_domain::auth::{Action, Target};
use dxplan_store::audit::Actor;

use crate::error::{AppError, AppResult};
use crate::principal::CurrentUser;

/// Who is acting: a logged-in user (checked against the policy) or the operator at the
/// command line (trusted: they own the server).
pub struct Caller<'a> {
    pub user: Option<&'a CurrentUser>,
    pub actor: Actor,
}

impl Caller<'_> {
    pub fn cli() -> Caller<'static> {
        Caller {
            user: None,
            actor: Actor {
                user_id: None,
                name: "cli".into(),
                via: "cli",
                client_addr: None,
                request_id: None,
            },
        }
    }

    /// The person acting, in their own session: an API token never hands out standing
    /// access (another token, a wall link), since it could only widen what it was given.
    pub fn person(&self) -> AppResult<&CurrentUser> {
        let user = self.user.ok_or(AppError::Unauthorized)?;
        if user.token.is_some() {
            return Err(AppError::Forbidden);
        }
        Ok(user)
    }

    /// How a record names who made it for readers: the person's name (`Nguyễn Văn A`),
    /// not their login; the operator by what the command line gave.
    pub fn display_name(&self) -> &str {
        match self.user {
            Some(user) if !user.display_name.trim().is_empty() => &user.display_name,
            _ => &self.actor.name,
        }
    }

    pub fn require(&self, action: Action, target: Target<'_>) -> AppResult<()> {
        match self.user {
            Some(user) => user.require(action, target),
            None => Ok(()),
        }
    }
}
