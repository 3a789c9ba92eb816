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

mod common_passwords;

/// Whose password it is: what it must not be made of.
#[derive(Debug, Clone, Copy)]
pub struct PasswordOwner<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
}

/// Checks a new password the way NIST SP 800-63B asks: long enough (and not absurdly
/// long), and not one an attacker tries first — the username or the holder's name, a
/// common password, one character or a short group repeated, a simple sequence. No
/// composition rules (a capital, a digit, a symbol): they make passwords harder to
/// remember, not to guess. One reason is given, the first that applies.
pub fn check_password(
    field: &str,
    password: &str,
    owner: PasswordOwner<'_>,
    errors: &mut Vec<FieldError>,
) {
    let n = password.chars().count();
    let invalid = if n == 0 {
        Some(Invalid::Required)
    } else if n < PASSWORD_MIN {
        Some(Invalid::TooShort { min: PASSWORD_MIN })
    } else if n > PASSWORD_MAX {
        Some(Invalid::TooLong { max: PASSWORD_MAX })
    } else {
        guessable(password, owner)
    };
    if let Some(invalid) = invalid {
        errors.push(FieldError::new(field, invalid));
    }
}

/// Letters and digits only, folded (lower case, no diacritics, `đ` → `d`): `Nguyễn Văn
/// A` and `nguyen.van.a` compare equal.
fn compact(s: &str) -> String {
    crate::text::fold(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

fn guessable(password: &str, owner: PasswordOwner<'_>) -> Option<Invalid> {
    let folded = crate::text::fold(password);
    let bare = compact(password);
    let username = crate::text::fold(owner.username.trim());
    let username_bare = compact(owner.username);
    if !username.is_empty() && folded.contains(&username)
        || username_bare.chars().count() >= 3 && bare.contains(&username_bare)
    {
        return Some(Invalid::PasswordHasUsername);
    }
    let name = compact(owner.display_name);
    if !name.is_empty() && (bare == name || name.chars().count() >= 4 && bare.contains(&name)) {
        return Some(Invalid::PasswordHasName);
    }
    let without_spaces: String = folded.chars().filter(|c| !c.is_whitespace()).collect();
    if common_passwords::COMMON_PASSWORDS
        .iter()
        .any(|&common| common == folded || common == without_spaces)
    {
        return Some(Invalid::PasswordCommon);
    }
    if is_pattern(&folded) {
        return Some(Invalid::PasswordPattern);
    }
    None
}

/// One character or a group of up to three repeated (`aaaaaaaa`, `abcabcab`,
/// `12121212`), or a run going up or down one step at a time (`12345678`, `abcdefgh`,
/// `87654321`).
fn is_pattern(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let repeats = (1..=3).any(|len| {
        chars.len() > len
            && chars
                .iter()
                .zip(chars.iter().skip(len))
                .all(|(a, b)| a == b)
    });
    let step = |by: i64| {
        chars
            .windows(2)
            .all(|w| i64::from(u32::from(w[1])) - i64::from(u32::from(w[0])) == by)
    };
    repeats || step(1) || step(-1)
}

/// A mobile number as people write it (`0905 123 456`, `+84 905.123.456`), kept as
/// `+84905123456`: what an SMS gateway or Zalo's notification service is given.
pub fn check_phone(value: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    let given = optional_text("phone", value, 30, errors)?;
    let digits: String = given
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
        .collect();
    let national = digits
        .strip_prefix("+84")
        .or_else(|| digits.strip_prefix("84").filter(|rest| rest.len() == 9))
        .or_else(|| digits.strip_prefix('0'));
    match national {
        Some(rest)
            if rest.len() == 9
                && rest.chars().all(|c| c.is_ascii_digit())
                && !rest.starts_with('0') =>
        {
            Some(format!("+84{rest}"))
        }
        _ => {
            errors.push(FieldError::new("phone", Invalid::BadFormat));
            None
        }
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

/// An account's editable profile, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub display_name: String,
    pub email: Option<String>,
    /// The mobile number urgent notices go to by SMS or Zalo, when the server has a
    /// provider (`+84905123456`).
    pub phone: Option<String>,
}

/// Checks the editable profile fields of an existing account.
pub fn validate_profile(
    display_name: &str,
    email: Option<&str>,
    phone: Option<&str>,
) -> Result<Profile, Vec<FieldError>> {
    let mut errors = Vec::new();
    let display_name = required_text("display_name", display_name, 200, &mut errors);
    let email = check_email(email, &mut errors);
    let phone = check_phone(phone, &mut errors);
    if errors.is_empty() {
        Ok(Profile {
            display_name,
            email,
            phone,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_numbers_are_kept_in_one_form() {
        let read = |s: &str| {
            let mut errors = Vec::new();
            let phone = check_phone(Some(s), &mut errors);
            (phone, errors.len())
        };
        for given in [
            "0905 123 456",
            "+84 905.123.456",
            "84905123456",
            "(090) 512-3456",
        ] {
            assert_eq!(
                read(given),
                (Some("+84905123456".to_string()), 0),
                "{given}"
            );
        }
        assert_eq!(read("   "), (None, 0), "blank: no number");
        for bad in [
            "12345",
            "0005123456",
            "+1 905 123 4567",
            "090512345a",
            "09051234567",
        ] {
            assert_eq!(read(bad).1, 1, "{bad}");
        }
    }

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

    const OWNER: PasswordOwner<'static> = PasswordOwner {
        username: "nguyenvana",
        display_name: "Nguyễn Văn A",
    };

    fn refusal(password: &str, owner: PasswordOwner<'_>) -> Option<Invalid> {
        let mut e = Vec::new();
        check_password("password", password, owner, &mut e);
        assert!(e.len() <= 1, "one reason at most: {e:?}");
        e.pop().map(|e| e.invalid)
    }

    #[test]
    fn passwords_have_a_length_policy() {
        assert_eq!(refusal("", OWNER), Some(Invalid::Required));
        assert_eq!(refusal("short", OWNER), Some(Invalid::TooShort { min: 8 }));
        assert_eq!(
            refusal(&"xy".repeat(100), OWNER),
            Some(Invalid::TooLong { max: 128 })
        );
        assert_eq!(refusal("đủ dài rồi nhé", OWNER), None);
    }

    #[test]
    fn guessable_passwords_are_refused_each_with_its_reason() {
        let table: &[(&str, Option<Invalid>)] = &[
            // The username, in any case, inside the password or with its dots dropped.
            ("nguyenvana", Some(Invalid::PasswordHasUsername)),
            ("NguyenVanA2025", Some(Invalid::PasswordHasUsername)),
            ("2025-nguyenvana!", Some(Invalid::PasswordHasUsername)),
            // The display name, with or without its diacritics and spaces.
            ("Nguyễn Văn A", Some(Invalid::PasswordHasUsername)),
            // Common ones, folded: case and a trailing space do not save them.
            ("password", Some(Invalid::PasswordCommon)),
            ("Password123", Some(Invalid::PasswordCommon)),
            ("Admin@123", Some(Invalid::PasswordCommon)),
            ("ADMIN@123", Some(Invalid::PasswordCommon)),
            ("123456a@", Some(Invalid::PasswordCommon)),
            ("matkhau123", Some(Invalid::PasswordCommon)),
            ("Mật khẩu 123", Some(Invalid::PasswordCommon)),
            ("anhyeuem", Some(Invalid::PasswordCommon)),
            ("qwertyuiop", Some(Invalid::PasswordCommon)),
            ("1q2w3e4r", Some(Invalid::PasswordCommon)),
            ("chuyendoiso", Some(Invalid::PasswordCommon)),
            // Repeats and sequences.
            ("aaaaaaaa", Some(Invalid::PasswordPattern)),
            ("zzzzzzzzzzzz", Some(Invalid::PasswordPattern)),
            ("12121212121", Some(Invalid::PasswordPattern)),
            ("abcabcabc", Some(Invalid::PasswordPattern)),
            ("23456789", Some(Invalid::PasswordPattern)),
            ("abcdefgh", Some(Invalid::PasswordPattern)),
            ("ABCDEFGHIJ", Some(Invalid::PasswordPattern)),
            ("hgfedcba", Some(Invalid::PasswordPattern)),
            ("98765432", Some(Invalid::PasswordPattern)),
            // Fine: long, personal, not on any list.
            ("hoa sen nở tháng sáu", None),
            ("correct horse battery staple", None),
            ("Quy Nhơn mùa mưa 2025", None),
            ("x7#kP2!vQm", None),
            ("abcdefgz", None),
            ("aaaaaaab", None),
        ];
        for (password, expected) in table {
            assert_eq!(&refusal(password, OWNER), expected, "{password:?}");
        }
        let anna = PasswordOwner {
            username: "an.nguyen",
            display_name: "Trần Thị Bích Ngọc",
        };
        assert_eq!(
            refusal("tranthibichngoc", anna),
            Some(Invalid::PasswordHasName)
        );
        assert_eq!(
            refusal("Trần Thị Bích Ngọc 1990", anna),
            Some(Invalid::PasswordHasName)
        );
        assert_eq!(
            refusal("xin chào an.nguyen", anna),
            Some(Invalid::PasswordHasUsername)
        );
        assert_eq!(
            refusal("annguyen-1990", anna),
            Some(Invalid::PasswordHasUsername)
        );
        // A short name inside a longer password is no giveaway.
        let short = PasswordOwner {
            username: "abc",
            display_name: "An",
        };
        assert_eq!(refusal("ngày an lành", short), None);
        assert_eq!(refusal("an", short), Some(Invalid::TooShort { min: 8 }));
    }

    #[test]
    fn the_common_list_is_written_folded_and_without_repeats() {
        let mut seen = std::collections::HashSet::new();
        for p in common_passwords::COMMON_PASSWORDS {
            assert_eq!(crate::text::fold(p), p, "{p} is written folded");
            assert!(seen.insert(p), "{p} is listed twice");
        }
        assert!(seen.len() >= 300);
        for vi in ["matkhau", "123456a@", "abc@123", "admin@123"] {
            assert!(seen.contains(vi), "{vi}");
        }
    }
}
