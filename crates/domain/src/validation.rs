//! Validation errors, reported per field and explained in the user's language.

use crate::Lang;
use serde::Serialize;

/// Why a value was refused. Each variant explains itself in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Invalid {
    Required,
    TooLong {
        max: usize,
    },
    TooShort {
        min: usize,
    },
    BadFormat,
    BadDate,
    UnknownKind,
    UnknownRole,
    UnknownParent,
    UnknownUnit,
    /// No indicator of the catalogue has the code given.
    UnknownIndicator,
    /// Several units carry the name given: the code tells them apart.
    AmbiguousUnit,
    DuplicateCode,
    Cycle,
    DatesOutOfOrder,
    Taken,
    Mismatch,
    Negative,
    TooLarge,
    BadNumber,
    DueBeforeStart,
    BadPeriod,
    OutOfRange {
        min: i64,
        max: i64,
    },
    UnknownGroup,
    DeadlineLocked,
    /// A choice that belongs to the assigner (the plan's coordinator), such as marking a
    /// task as a key task.
    CoordinatorOnly,
    NotAfterDue,
    NumeratorAboveDenominator,
    /// The indicator asks for an evidence file before a figure is submitted.
    EvidenceRequired,
    /// More points than a criterion allows (`max` already formatted for reading).
    AboveMax {
        max: String,
    },
    /// An answer that is not one of the criterion's options.
    UnknownChoice,
    /// A value that is not one of those the field offers.
    NotOffered,
    /// A host name that does not resolve.
    UnknownHost,
    /// An address a webhook may not be sent to (a metadata service, or a private network
    /// without the administrator's leave).
    ForbiddenAddress,
    /// A password that is, or contains, the account's username.
    PasswordHasUsername,
    /// A password made of the account's display name.
    PasswordHasName,
    /// A password on the list of the most common ones.
    PasswordCommon,
    /// A password that is one character repeated, a short pattern repeated or a simple
    /// sequence (`aaaaaaaa`, `12121212`, `12345678`, `abcdefgh`).
    PasswordPattern,
    /// A NUL character, which no text holds (and PostgreSQL will not store): what an
    /// uploaded file's cell can carry where a form cannot.
    NulCharacter,
    /// More items than a list takes (a session's conclusions).
    TooMany {
        max: usize,
    },
    /// A date before the meeting it follows from (a conclusion notice's).
    BeforeMeeting,
    /// A meeting moved after the notice of its conclusions was issued.
    NotAfterNotice,
    /// A deadline on a day already gone.
    InPast,
    /// A deadline further ahead than the field allows.
    TooFarAhead {
        days: i64,
    },
    /// An account that may not read what it would be sent (a briefing's subtree).
    CannotRead,
    /// An account without an e-mail address, where e-mail is how it is reached.
    NoEmail,
    /// A file that could not be read, saying why (the limit it passed, or what it is not).
    UnreadableFile {
        vi: String,
        en: String,
    },
}

impl Invalid {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Invalid::UnreadableFile { vi, en } => lang.pick(vi, en).clone(),
            Invalid::Required => lang.pick("Bắt buộc nhập.", "This is required.").into(),
            Invalid::TooLong { max } => lang.pick(
                format!("Dài quá {max} ký tự."),
                format!("Longer than {max} characters."),
            ),
            Invalid::TooMany { max } => lang.pick(
                format!("Không được quá {max} mục."),
                format!("No more than {max} items."),
            ),
            Invalid::NulCharacter => lang
                .pick(
                    "Có ký tự NUL (\\0) không hợp lệ.",
                    "Contains a NUL character (\\0), which is not allowed.",
                )
                .into(),
            Invalid::BeforeMeeting => lang
                .pick("Không được trước ngày họp.", "Cannot be before the meeting.")
                .into(),
            Invalid::NotAfterNotice => lang
                .pick(
                    "Không được sau ngày ban hành thông báo kết luận.",
                    "Cannot be after the conclusion notice was issued.",
                )
                .into(),
            Invalid::CannotRead => lang
                .pick(
                    "Tài khoản này không có quyền xem số liệu của phạm vi được gửi.",
                    "This account may not read the scope the briefing covers.",
                )
                .into(),
            Invalid::NoEmail => lang
                .pick(
                    "Tài khoản này chưa có địa chỉ thư điện tử: bổ sung ở trang tài khoản trước.",
                    "This account has no e-mail address: add one on the account's page first.",
                )
                .into(),
            Invalid::InPast => lang
                .pick("Không được là ngày đã qua.", "Cannot be a day already past.")
                .into(),
            Invalid::TooFarAhead { days } => lang.pick(
                format!("Không được quá {days} ngày kể từ hôm nay."),
                format!("No more than {days} days from today."),
            ),
            Invalid::TooShort { min } => lang.pick(
                format!("Cần ít nhất {min} ký tự."),
                format!("Needs at least {min} characters."),
            ),
            Invalid::BadFormat => lang
                .pick("Không đúng định dạng.", "Not in the expected format.")
                .into(),
            Invalid::BadDate => lang
                .pick(
                    "Ngày không hợp lệ (dd/mm/yyyy hoặc yyyy-mm-dd).",
                    "Not a valid date (dd/mm/yyyy or yyyy-mm-dd).",
                )
                .into(),
            Invalid::UnknownKind => lang
                .pick(
                    "Cấp đơn vị không hợp lệ (province, department, district, commune, ministry, other).",
                    "Unknown unit level (province, department, district, commune, ministry, other).",
                )
                .into(),
            Invalid::UnknownRole => lang.pick("Vai trò không hợp lệ.", "Unknown role.").into(),
            Invalid::UnknownParent => lang
                .pick("Không tìm thấy đơn vị cấp trên.", "The parent unit does not exist.")
                .into(),
            Invalid::UnknownUnit => lang
                .pick("Không tìm thấy đơn vị.", "The unit does not exist.")
                .into(),
            Invalid::UnknownIndicator => lang
                .pick(
                    "Không có chỉ tiêu mang mã này trong danh mục.",
                    "No indicator of the catalogue has this code.",
                )
                .into(),
            Invalid::AmbiguousUnit => lang
                .pick(
                    "Có nhiều đơn vị cùng tên này: hãy chọn trong danh sách (tên kèm mã).",
                    "Several units carry this name: choose one from the list (name with code).",
                )
                .into(),
            Invalid::DuplicateCode => lang
                .pick(
                    "Mã đã được dùng cho đơn vị khác cùng thời gian hiệu lực.",
                    "This code is already used by another unit valid at the same time.",
                )
                .into(),
            Invalid::Cycle => lang
                .pick(
                    "Tạo thành vòng lặp: đơn vị không thể nằm dưới chính nó.",
                    "This makes a cycle: a unit cannot sit under itself.",
                )
                .into(),
            Invalid::DatesOutOfOrder => lang
                .pick(
                    "Ngày hết hiệu lực phải sau ngày bắt đầu.",
                    "The end date must come after the start date.",
                )
                .into(),
            Invalid::Taken => lang.pick("Đã có người dùng.", "Already taken.").into(),
            Invalid::Mismatch => lang.pick("Không khớp.", "Does not match.").into(),
            Invalid::Negative => lang.pick("Không được là số âm.", "Cannot be negative.").into(),
            Invalid::TooLarge => lang.pick("Số quá lớn.", "The number is too large.").into(),
            Invalid::BadNumber => lang
                .pick("Không phải là số (ví dụ 1.250.000).", "Not a number (for example 1,250,000).")
                .into(),
            Invalid::DueBeforeStart => lang
                .pick("Thời hạn hoàn thành phải sau ngày bắt đầu.", "The due date must come after the start date.")
                .into(),
            Invalid::BadPeriod => lang
                .pick(
                    "Kỳ báo cáo không hợp lệ (ví dụ 2025-03 cho tháng, 2025Q1 cho quý).",
                    "Not a valid period (for example 2025-03 for a month, 2025Q1 for a quarter).",
                )
                .into(),
            Invalid::OutOfRange { min, max } => lang.pick(
                format!("Phải nằm trong khoảng {min}–{max}."),
                format!("Must be between {min} and {max}."),
            ),
            Invalid::DeadlineLocked => lang
                .pick(
                    "Nhiệm vụ đã được thống nhất: thời hạn chỉ thay đổi qua đề nghị gia hạn.",
                    "The task is agreed: its deadline changes only through an extension request.",
                )
                .into(),
            Invalid::CoordinatorOnly => lang
                .pick(
                    "Chỉ đơn vị điều phối kế hoạch (đơn vị giao nhiệm vụ) được thay đổi mục này.",
                    "Only the plan's coordinator (who assigns the task) may change this.",
                )
                .into(),
            Invalid::NotAfterDue => lang
                .pick("Thời hạn mới phải sau thời hạn hiện tại.", "The new deadline must be after the current one.")
                .into(),
            Invalid::NumeratorAboveDenominator => lang
                .pick("Tử số không được lớn hơn mẫu số.", "The numerator cannot exceed the denominator.")
                .into(),
            Invalid::EvidenceRequired => lang
                .pick(
                    "Chỉ tiêu này cần tệp minh chứng: lưu nháp, đính kèm tệp rồi gửi.",
                    "This indicator needs an evidence file: save a draft, attach the file, then submit.",
                )
                .into(),
            Invalid::UnknownGroup => lang
                .pick("Không tìm thấy nhóm nhiệm vụ trong kế hoạch.", "No such task group in this plan.")
                .into(),
            Invalid::AboveMax { max } => lang.pick(
                format!("Không được quá {max} điểm."),
                format!("Cannot be more than {max} points."),
            ),
            Invalid::NotOffered => lang
                .pick(
                    "Không có trong danh sách để chọn.",
                    "Not one of the choices offered.",
                )
                .into(),
            Invalid::UnknownChoice => lang
                .pick("Không có trong các lựa chọn của tiêu chí.", "Not one of the criterion's options.")
                .into(),
            Invalid::UnknownHost => lang
                .pick("Không phân giải được tên máy chủ.", "The host name does not resolve.")
                .into(),
            Invalid::ForbiddenAddress => lang
                .pick(
                    "Địa chỉ này không được phép (mạng nội bộ, liên kết cục bộ hoặc dịch vụ metadata). Mạng nội bộ chỉ được dùng khi quản trị cho phép rõ ràng.",
                    "This address is not allowed (a private network, link-local or a metadata service). Private networks only when an administrator allows them explicitly.",
                )
                .into(),
            Invalid::PasswordHasUsername => lang
                .pick(
                    "Mật khẩu không được chứa tên đăng nhập.",
                    "The password must not contain the username.",
                )
                .into(),
            Invalid::PasswordHasName => lang
                .pick(
                    "Mật khẩu không được là họ tên của tài khoản.",
                    "The password must not be the account holder's name.",
                )
                .into(),
            Invalid::PasswordCommon => lang
                .pick(
                    "Mật khẩu này quá phổ biến, dễ bị đoán: hãy chọn mật khẩu khác (một câu ngắn dễ nhớ là tốt).",
                    "This password is too common and easily guessed: choose another (a short sentence you remember works well).",
                )
                .into(),
            Invalid::PasswordPattern => lang
                .pick(
                    "Mật khẩu không được là một ký tự lặp lại, một nhóm ký tự lặp lại hay một dãy liên tiếp (như aaaaaaaa, 12345678, abcdefgh).",
                    "The password must not be one character repeated, a repeated group or a simple sequence (like aaaaaaaa, 12345678, abcdefgh).",
                )
                .into(),
        }
    }
}

/// A refused field: which one, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    #[serde(flatten)]
    pub invalid: Invalid,
}

impl FieldError {
    pub fn new(field: impl Into<String>, invalid: Invalid) -> Self {
        FieldError {
            field: field.into(),
            invalid,
        }
    }
}

/// Checks a required free-text field: trims it, requires it and bounds its length in characters.
/// When something was typed on a phone without a signal (RFC 3339), as a form or the API
/// sends it for what is sent later: `None` when not given; a time ahead of `now` (a phone's
/// clock runs fast) is taken as `now`.
pub fn entered_offline(
    text: Option<&str>,
    now: time::OffsetDateTime,
) -> Result<Option<time::OffsetDateTime>, FieldError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => {
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .map(|at| Some(at.min(now)))
                .map_err(|_| FieldError::new("entered_offline_at", Invalid::BadDate))
        }
    }
}

pub fn required_text(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let value = crate::text::nfc(value.trim());
    if value.is_empty() {
        errors.push(FieldError::new(field, Invalid::Required));
    } else if value.chars().count() > max {
        errors.push(FieldError::new(field, Invalid::TooLong { max }));
    } else if value.contains('\0') {
        errors.push(FieldError::new(field, Invalid::NulCharacter));
    }
    value
}

/// Checks an optional free-text field; an empty value becomes `None`.
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let value = crate::text::nfc(value.unwrap_or_default().trim());
    if value.is_empty() {
        return None;
    }
    if value.chars().count() > max {
        errors.push(FieldError::new(field, Invalid::TooLong { max }));
    } else if value.contains('\0') {
        errors.push(FieldError::new(field, Invalid::NulCharacter));
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_text_holds_a_nul_character() {
        let mut errors = Vec::new();
        required_text("name", "Xã\0Một", 100, &mut errors);
        optional_text("note", Some("a\0"), 100, &mut errors);
        required_text("title", "Xã Một", 100, &mut errors);
        let found: Vec<(&str, &Invalid)> = errors
            .iter()
            .map(|e| (e.field.as_str(), &e.invalid))
            .collect();
        assert_eq!(
            found,
            [
                ("name", &Invalid::NulCharacter),
                ("note", &Invalid::NulCharacter)
            ]
        );
    }
}
