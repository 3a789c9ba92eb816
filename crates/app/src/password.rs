//! Password hashing with Argon2id, off the async threads.

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};

use crate::error::AppError;

/// Argon2id cost. The default is OWASP's recommendation (19 MiB, 2 passes); tests
/// use a cheap one so hundreds of logins stay fast.
#[derive(Debug, Clone, Copy)]
pub struct PasswordCost {
    pub memory_kib: u32,
    pub iterations: u32,
}

impl Default for PasswordCost {
    fn default() -> Self {
        PasswordCost {
            memory_kib: 19 * 1024,
            iterations: 2,
        }
    }
}

impl PasswordCost {
    pub const CHEAP_FOR_TESTS: PasswordCost = PasswordCost {
        memory_kib: 64,
        iterations: 1,
    };

    fn argon2(self) -> Result<Argon2<'static>, AppError> {
        let params = Params::new(self.memory_kib, self.iterations, 1, None)
            .map_err(|e| AppError::internal(format!("argon2 params: {e}")))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// Hashes a password in PHC string form.
pub async fn hash(cost: PasswordCost, password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_now(cost, &password))
        .await
        .map_err(|e| AppError::internal(format!("hash task: {e}")))?
}

pub fn hash_now(cost: PasswordCost, password: &str) -> Result<String, AppError> {
    cost.argon2()?
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("hash: {e}")))
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub async fn verify(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || {
        // The cost and salt are read from the stored hash itself.
        Argon2::default()
            .verify_password(password.as_bytes(), stored.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
}
