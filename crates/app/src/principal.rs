//! Who a request comes from: the logged-in person (or the owner of an API token), their
//! grants, and the place the request came from, for the audit log.

use std::net::IpAddr;

use base64::Engine;
use dxplan_domain::auth::{Action, Grant, Target, authorize, holds};
use dxplan_store::audit::Actor;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};

/// Where a request came from, as the audit log and the login throttle see it.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub client_addr: Option<IpAddr>,
    pub request_id: Option<String>,
}

/// The logged-in user of this request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_id: Option<i64>,
    pub grants: Vec<Grant>,
    pub csrf: String,
    pub session_hash: String,
    /// Set when the request came with an API token rather than a session.
    pub token: Option<TokenUse>,
}

/// The API token a request was made with.
#[derive(Debug, Clone)]
pub struct TokenUse {
    pub id: i64,
    pub name: String,
    /// Made for reading only: it changes nothing, not even its owner's own settings.
    pub read_only: bool,
}

impl CurrentUser {
    pub fn may(&self, action: Action, target: Target<'_>) -> bool {
        authorize(&self.grants, action, target)
    }

    /// Whether the user may do `action` on at least one unit: for what to offer and for
    /// what every member reads alike, never as the decision for a change (see
    /// [`dxplan_domain::auth::holds`]).
    pub fn holds(&self, action: Action) -> bool {
        holds(&self.grants, action)
    }

    /// Refuses with 403 a user who may do `action` nowhere: checked before a request's
    /// body is read, ahead of the full check on the target the body names.
    pub fn require_somewhere(&self, action: Action) -> AppResult<()> {
        if self.holds(action) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The units whose subtrees the user may act on with `action`: `None` when a
    /// system-wide grant allows it everywhere.
    pub fn scope(&self, action: Action) -> Option<Vec<i64>> {
        if self
            .grants
            .iter()
            .any(|g| g.unit.is_none() && g.allows(action))
        {
            return None;
        }
        Some(
            self.grants
                .iter()
                .filter(|g| g.allows(action))
                .filter_map(|g| g.unit)
                .collect(),
        )
    }

    /// Refuses with 403 unless the policy allows it.
    pub fn require(&self, action: Action, target: Target<'_>) -> AppResult<()> {
        if self.may(action, target) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn actor(&self, origin: &Origin, via: &'static str) -> Actor {
        // A write made with a token is audited as such, naming the token.
        let (name, via) = match &self.token {
            Some(t) => (format!("{} [token {}]", self.username, t.name), "token"),
            None => (self.username.clone(), via),
        };
        Actor {
            user_id: Some(self.id),
            name,
            via,
            client_addr: origin.client_addr.map(|a| a.to_string()),
            request_id: origin.request_id.clone(),
        }
    }

    pub fn is_system_admin(&self) -> bool {
        self.may(Action::ManageUsers, Target::System)
    }
}

/// A fresh secret: a session, a CSRF token, an API token, a wall link.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored of a secret: its SHA-256, so a stolen database opens nothing.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
