//! The use cases' one error type. It names what went wrong in the caller's terms (not
//! found, forbidden, these rows refused…) and says it in Vietnamese or English; the web
//! layer alone decides which HTTP status each kind becomes.

use dxplan_domain::unit_import::RowError;
use dxplan_domain::{FieldError, Lang};
use dxplan_store::StoreError;

#[derive(Debug, Clone)]
pub enum AppError {
    /// Fields were refused; nothing was written.
    Validation(Vec<FieldError>),
    /// An uploaded file was refused as a whole; nothing was written.
    ImportRejected(Vec<RowError>),
    /// A plan workbook was refused; nothing was written.
    PlanImport(Vec<dxplan_domain::plan_import::ImportProblem>),
    /// A reorganisation's change set was refused; nothing was applied.
    ChangeRefused(Vec<dxplan_domain::reorg_plan::ChangeProblem>),
    /// Some rows of a bulk write were refused; nothing was written.
    ValueRows(Vec<crate::indicators::RowResult>),
    /// An evidence file was refused.
    File(dxplan_domain::attachment::FileProblem),
    /// Not logged in (or the session ended).
    Unauthorized,
    /// Logged in, but this is not yours to do.
    Forbidden,
    /// The CSRF token or the request's origin did not check out.
    CsrfFailed,
    NotFound,
    /// Someone else changed the record since it was read.
    VersionConflict,
    /// `If-Match` named a representation the resource no longer has.
    PreconditionFailed,
    /// The request does not fit the record's state (an illegal workflow move, say).
    Conflict {
        code: &'static str,
        vi: String,
        en: String,
    },
    /// Wrong username or password.
    BadCredentials,
    /// An API token that is unknown, expired or revoked.
    InvalidToken(TokenProblem),
    TooManyRequests {
        retry_after_secs: u64,
    },
    BadRequest(String),
    /// The body passed a cap (in bytes, when the route knows it); reading stopped there.
    PayloadTooLarge(Option<u64>),
    UnsupportedMediaType,
    /// The work a request asked for passed its time limit and was stopped (or the request
    /// itself took too long to arrive).
    TimedOut,
    Internal(String),
}

/// Why an API token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    Unknown,
    Expired,
    Revoked,
}

/// A write the store makes only once (a letter sent, a notice numbered, a conclusion
/// closed): its refusal, when it was made already, in the user's words.
pub(crate) fn done_once<T>(
    result: Result<T, StoreError>,
    code: &'static str,
    vi: &str,
    en: &str,
) -> AppResult<T> {
    match result {
        Err(StoreError::VersionConflict) => Err(AppError::conflict(code, vi, en)),
        other => Ok(other?),
    }
}

impl AppError {
    pub fn conflict(code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> AppError {
        AppError::Conflict {
            code,
            vi: vi.into(),
            en: en.into(),
        }
    }

    pub fn internal(detail: impl Into<String>) -> AppError {
        AppError::Internal(detail.into())
    }

    pub fn field(field: &str, invalid: dxplan_domain::Invalid) -> AppError {
        AppError::Validation(vec![FieldError::new(field, invalid)])
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation(_) | AppError::ValueRows(_) => "validation_failed",
            AppError::ImportRejected(_) | AppError::PlanImport(_) => "import_rejected",
            AppError::ChangeRefused(_) => "change_refused",
            AppError::File(_) => "file_rejected",
            AppError::Unauthorized => "unauthorized",
            AppError::BadCredentials => "bad_credentials",
            AppError::InvalidToken(TokenProblem::Unknown) => "invalid_token",
            AppError::InvalidToken(TokenProblem::Expired) => "token_expired",
            AppError::InvalidToken(TokenProblem::Revoked) => "token_revoked",
            AppError::Forbidden => "forbidden",
            AppError::CsrfFailed => "csrf_failed",
            AppError::NotFound => "not_found",
            AppError::VersionConflict => "version_conflict",
            AppError::PreconditionFailed => "precondition_failed",
            AppError::Conflict { code, .. } => code,
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::BadRequest(_) => "bad_request",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::TimedOut => "timed_out",
            AppError::Internal(_) => "internal",
        }
    }

    /// What the user reads. Internal details never reach the client.
    pub fn message(&self, lang: Lang) -> String {
        let text = match self {
            AppError::Validation(_) | AppError::ValueRows(_) => lang.pick(
                "Dữ liệu chưa hợp lệ. Vui lòng sửa các mục được đánh dấu.",
                "Some values are not valid. Please correct the marked fields.",
            ),
            AppError::ImportRejected(_) | AppError::PlanImport(_) => lang.pick(
                "Tệp có dòng không hợp lệ nên chưa nhập dòng nào. Sửa các dòng được liệt kê rồi tải lên lại.",
                "The file has invalid rows, so nothing was imported. Fix the listed rows and upload it again.",
            ),
            AppError::ChangeRefused(_) => lang.pick(
                "Phương án sắp xếp chưa hợp lệ nên chưa áp dụng gì. Sửa các mục được liệt kê rồi tải lên lại.",
                "The reorganisation is not valid, so nothing was applied. Fix the listed problems and upload it again.",
            ),
            AppError::Unauthorized => lang.pick(
                "Vui lòng đăng nhập để tiếp tục.",
                "Please log in to continue.",
            ),
            AppError::BadCredentials => lang.pick(
                "Tên đăng nhập hoặc mật khẩu không đúng.",
                "The username or password is not correct.",
            ),
            AppError::InvalidToken(TokenProblem::Unknown) => lang.pick(
                "Mã truy cập API không đúng.",
                "The API token is not valid.",
            ),
            AppError::InvalidToken(TokenProblem::Expired) => lang.pick(
                "Mã truy cập API đã hết hạn; hãy tạo mã mới.",
                "The API token has expired; create a new one.",
            ),
            AppError::InvalidToken(TokenProblem::Revoked) => lang.pick(
                "Mã truy cập API đã bị thu hồi.",
                "The API token has been revoked.",
            ),
            AppError::Forbidden => lang.pick(
                "Bạn không có quyền thực hiện việc này.",
                "You do not have permission to do this.",
            ),
            AppError::CsrfFailed => lang.pick(
                "Phiên làm việc của biểu mẫu đã hết hạn. Vui lòng tải lại trang và thử lại.",
                "This form has expired. Please reload the page and try again.",
            ),
            AppError::NotFound => lang.pick(
                "Không tìm thấy nội dung bạn cần.",
                "We could not find what you were looking for.",
            ),
            AppError::VersionConflict => lang.pick(
                "Bản ghi vừa được người khác thay đổi. Vui lòng tải lại và thực hiện lại.",
                "Someone else changed this record. Please reload it and try again.",
            ),
            AppError::PreconditionFailed => lang.pick(
                "Dữ liệu đã thay đổi kể từ lần đọc (If-Match không khớp); không có gì được ghi.",
                "The record changed since it was read (If-Match did not match); nothing was written.",
            ),
            AppError::Conflict { vi, en, .. } => return lang.pick(vi.clone(), en.clone()),
            AppError::File(problem) => return problem.message(lang),
            AppError::TooManyRequests { retry_after_secs } => {
                return lang.pick(
                    format!("Thử quá nhiều lần. Vui lòng đợi {retry_after_secs} giây rồi thử lại."),
                    format!("Too many attempts. Please wait {retry_after_secs} seconds and try again."),
                );
            }
            AppError::BadRequest(detail) => {
                return lang.pick(
                    format!("Yêu cầu không hợp lệ: {detail}"),
                    format!("The request is not valid: {detail}"),
                );
            }
            AppError::PayloadTooLarge(None) => lang.pick(
                "Dữ liệu gửi lên quá lớn.",
                "What you sent is too large.",
            ),
            AppError::PayloadTooLarge(Some(limit)) => {
                let mb = dxplan_domain::text::format_number(*limit as f64 / (1024.0 * 1024.0), 1);
                return lang.pick(
                    format!("Dữ liệu gửi lên quá lớn: tối đa {mb} MB."),
                    format!("What you sent is too large: at most {mb} MB."),
                );
            }
            AppError::UnsupportedMediaType => lang.pick(
                "Định dạng dữ liệu không được hỗ trợ (cần application/json).",
                "Unsupported content type (application/json expected).",
            ),
            AppError::TimedOut => lang.pick(
                "Yêu cầu mất quá nhiều thời gian nên đã dừng; không có gì thay đổi. Với tệp lớn, hãy chia nhỏ rồi gửi lại.",
                "The request took too long and was stopped; nothing changed. Split a large file and send it again.",
            ),
            AppError::Internal(_) => lang.pick(
                "Hệ thống gặp lỗi. Vui lòng thử lại sau; nếu lỗi còn, báo cho quản trị viên.",
                "Something went wrong on our side. Please try again later; if it persists, tell the administrator.",
            ),
        };
        text.to_string()
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::VersionConflict => AppError::VersionConflict,
            StoreError::Duplicate => AppError::field("code", dxplan_domain::Invalid::Taken),
            other => AppError::Internal(other.to_string()),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::Internal(detail) => write!(f, "internal error: {detail}"),
            AppError::Validation(fields) => {
                write!(f, "{}", self.message(Lang::En))?;
                for e in fields {
                    write!(f, " {}: {}", e.field, e.invalid.message(Lang::En))?;
                }
                Ok(())
            }
            AppError::PlanImport(problems) => {
                for p in problems {
                    writeln!(f, "{}", p.message(Lang::Vi))?;
                }
                write!(f, "{} problems; nothing was imported", problems.len())
            }
            AppError::ChangeRefused(problems) => {
                for p in problems {
                    writeln!(f, "{}", p.message(Lang::Vi))?;
                }
                write!(f, "{} problems; nothing was applied", problems.len())
            }
            AppError::ImportRejected(rows) => {
                for r in rows {
                    writeln!(f, "{}", r.message(Lang::Vi))?;
                }
                write!(f, "{} bad rows; nothing was imported", rows.len())
            }
            other => write!(f, "{}", other.message(Lang::En)),
        }
    }
}

impl std::error::Error for AppError {}
