//! Accounts: what a username, a display name and a password must look like.

use crate::validation::{FieldError, Invalid, optional_text, required_text};

pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;

/// A new account, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
}

/// Usernames are 3–64 characters of lower-case letters, digits, `.`, `_` and `-`,
/// so they can be typed on any keyboard and read aloud on the phone.
pub fn check_username(value: &str, errors: &mut Vec<FieldError>) -> String {
    let value = value.trim().to_lowercase();
    if value.is_empty() {
        errors.push(FieldError::new("username", Invalid::Required));
    } else if value.len() < 3 {
        errors.push(FieldError::new("username", Invalid::TooShort { min: 3 }));
    } else if value.len() > 64 {
        errors.push(FieldError::new("username", Invalid::TooLong { max: 64 }));
    } else if !value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    {
        errors.push(FieldError::new("username", Invalid::BadFormat));
    }
    value
}

pub fn check_password(field: &str, password: &str, errors: &mut Vec<FieldError>) {
    let n = password.chars().count();
    if n == 0 {
        errors.push(FieldError::new(field, Invalid::Required));
    } else if n < PASSWORD_MIN {
        errors.push(FieldError::new(
            field,
            Invalid::TooShort { min: PASSWORD_MIN },
        ));
    } else if n > PASSWORD_MAX {
        errors.push(FieldError::new(
            field,
            Invalid::TooLong { max: PASSWORD_MAX },
        ));
    }
}

fn check_email(value: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    let email = optional_text("email", value, 254, errors)?;
    let valid = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !email.contains(' ')
    });
    if !valid {
        errors.push(FieldError::new("email", Invalid::BadFormat));
    }
    Some(email)
}

pub fn validate_new_user(
    username: &str,
    display_name: &str,
    email: Option<&str>,
) -> Result<NewUser, Vec<FieldError>> {
    let mut errors = Vec::new();
    let username = check_username(username, &mut errors);
    let display_name = required_text("display_name", display_name, 200, &mut errors);
    let email = check_email(email, &mut errors);
    if errors.is_empty() {
        Ok(NewUser {
            username,
            display_name,
            email,
        })
    } else {
        Err(errors)
    }
}

/// Checks the editable profile fields of an existing account.
pub fn validate_profile(
    display_name: &str,
    email: Option<&str>,
) -> Result<(String, Option<String>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let display_name = required_text("display_name", display_name, 200, &mut errors);
    let email = check_email(email, &mut errors);
    if errors.is_empty() {
        Ok((display_name, email))
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_accounts_pass_and_are_normalised() {
        let u = validate_new_user(
            " Nguyen.Van_A ",
            " Nguyễn Văn A ",
            Some("a@binhdinh.gov.vn"),
        )
        .unwrap();
        assert_eq!(u.username, "nguyen.van_a");
        assert_eq!(u.display_name, "Nguyễn Văn A");
        assert_eq!(u.email.as_deref(), Some("a@binhdinh.gov.vn"));
        assert_eq!(
            validate_new_user("abc", "X", Some("  ")).unwrap().email,
            None
        );
    }

    #[test]
    fn bad_accounts_name_every_bad_field() {
        let errors = validate_new_user("a b", "", Some("not-an-email")).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["username", "display_name", "email"]);
        assert_eq!(
            validate_new_user("nguyễn", "X", None).unwrap_err()[0].invalid,
            Invalid::BadFormat
        );
        assert_eq!(
            validate_new_user("ab", "X", None).unwrap_err()[0].invalid,
            Invalid::TooShort { min: 3 }
        );
    }

    #[test]
    fn passwords_have_a_length_policy() {
        let mut e = Vec::new();
        check_password("password", "short", &mut e);
        check_password("password", &"x".repeat(200), &mut e);
        check_password("password", "đủ dài rồi nhé", &mut e);
        assert_eq!(
            e.iter().map(|e| e.invalid.clone()).collect::<Vec<_>>(),
            [Invalid::TooShort { min: 8 }, Invalid::TooLong { max: 128 }]
        );
    }
}
