//! Vietnamese text helpers: one folding function used by every search, Vietnamese
//! alphabetical ordering, and the way dates, numbers and money are written.

use time::{Date, Month};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Vietnam's time zone (UTC+7, no daylight saving): the one every date and time a user reads
/// is told in, whatever the server's clock is set to.
pub const VIETNAM: time::UtcOffset = match time::UtcOffset::from_hms(7, 0, 0) {
    Ok(o) => o,
    Err(_) => time::UtcOffset::UTC,
};

/// Returns the text in Unicode NFC, the form dxplan stores and exchanges.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Folds text for searching: lower case, diacritics removed, `đ` → `d`, runs of
/// white space collapsed. `Chuyển  Đổi số` and `chuyen doi so` fold to the same text.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The Vietnamese alphabet, with the Latin letters used in foreign words in their place.
const ALPHABET: [&str; 33] = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
    "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
];

/// Tone marks in dictionary order: level (none), grave, hook, tilde, acute, dot below.
fn tone_rank(mark: char) -> Option<u8> {
    match mark {
        '\u{300}' => Some(1),
        '\u{309}' => Some(2),
        '\u{303}' => Some(3),
        '\u{301}' => Some(4),
        '\u{323}' => Some(5),
        _ => None,
    }
}

/// A key whose plain byte order is Vietnamese alphabetical order (letters first by
/// base letter — a ă â … đ … ư … —, then by tone, word by word), so a database can
/// sort names correctly with a binary collation and an index.
pub fn vi_sort_key(s: &str) -> String {
    let mut primary = String::with_capacity(s.len());
    let mut tones = String::new();
    // Each character is decomposed; letter-forming marks (breve, circumflex, horn) stay
    // with the base letter, tone marks go to the secondary key.
    let mut chars = s.trim().nfd().peekable();
    while let Some(c) = chars.next() {
        let mut letter = String::new();
        letter.extend(c.to_lowercase());
        let mut tone = 0u8;
        while let Some(&m) = chars.peek() {
            if !is_combining_mark(m) {
                break;
            }
            chars.next();
            match tone_rank(m) {
                Some(rank) => tone = rank,
                None => letter.push(m),
            }
        }
        let letter: String = letter.nfc().collect();
        if let Some(index) = ALPHABET.iter().position(|l| *l == letter) {
            primary.push(char::from(b'A' + index as u8));
            tones.push(char::from(b'0' + tone));
        } else if c.is_whitespace() {
            if !primary.ends_with(' ') {
                primary.push(' ');
            }
        } else if c.is_ascii_digit() {
            primary.push(c);
        } else {
            primary.push('!');
        }
    }
    format!("{primary}\u{1}{tones}\u{1}{}", nfc(s.trim()))
}

/// Sorts items in Vietnamese alphabetical order of the given name.
pub fn sort_vi_by<T>(items: &mut [T], name: impl Fn(&T) -> &str) {
    items.sort_by_cached_key(|item| vi_sort_key(name(item)));
}

/// Writes a date as Vietnamese civil servants do: `dd/mm/yyyy`.
pub fn format_date(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
}

/// Reads a date written `dd/mm/yyyy` or `yyyy-mm-dd`.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let (y, m, d) = if let Some((d, rest)) = s.split_once('/') {
        let (m, y) = rest.split_once('/')?;
        (y, m, d)
    } else {
        let mut parts = s.splitn(3, '-');
        (parts.next()?, parts.next()?, parts.next()?)
    };
    if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

/// Writes a number the Vietnamese way: `.` between thousands, `,` before decimals,
/// e.g. `1.234.567,5`. Trailing zero decimals are dropped.
pub fn format_number(value: f64, max_decimals: usize) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    let fixed = format!("{:.*}", max_decimals, value.abs());
    let (int_part, frac_part) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let frac = frac_part.trim_end_matches('0');
    let mut out = String::new();
    if value < 0.0 && (int_part.chars().any(|c| c != '0') || !frac.is_empty()) {
        out.push('-');
    }
    out.push_str(&group_thousands(int_part));
    if !frac.is_empty() {
        out.push(',');
        out.push_str(frac);
    }
    out
}

/// Reads a number written the Vietnamese way (`1.250.000`, `1.250,5`) or plainly
/// (`1250000`, `1250.5`). Dots followed by groups of three digits are thousands.
pub fn parse_number_vi(s: &str) -> Option<f64> {
    let s: String = s.trim().chars().filter(|c| !c.is_whitespace()).collect();
    if s.is_empty() {
        return None;
    }
    let dots = s.matches('.').count();
    let single_dot_groups_thousands = s.split_once('.').is_some_and(|(int, frac)| {
        let digits = int.trim_start_matches('-');
        frac.len() == 3 && (1..=3).contains(&digits.len()) && digits != "0"
    });
    let normalised = if s.contains(',') {
        // Vietnamese: dots group thousands, the comma marks decimals.
        if s.matches(',').count() > 1 {
            return None;
        }
        s.replace('.', "").replace(',', ".")
    } else if dots > 1 || single_dot_groups_thousands {
        s.replace('.', "")
    } else {
        s
    };
    let value: f64 = normalised.parse().ok()?;
    value.is_finite().then_some(value)
}

/// A cell made safe for a spreadsheet (OWASP's advice on CSV injection): text beginning
/// with `=`, `+`, `-`, `@`, a tab or a carriage return is what Excel and LibreOffice take
/// for a formula (`=HYPERLINK(…)` would be live), so it gets a leading `'`, which they
/// show as text. A plain number (`-5`, `+3.5`) is left as it is.
pub fn formula_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    if risky && cell.trim().parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// The text a cell written by [`formula_safe`] stood for, so an export imports back as
/// it was.
pub fn formula_restored(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if formula_safe(rest).len() != rest.len() => rest,
        _ => cell,
    }
}

/// Writes a whole number with `.` between thousands.
pub fn format_int(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let grouped = group_thousands(&digits);
    if value < 0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// Writes an amount of money in đồng: `1.234.567 đ`.
pub fn format_money(vnd: i64) -> String {
    format!("{} đ", format_int(vnd))
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn folding_strips_marks_and_d_stroke() {
        assert_eq!(fold("Chuyển đổi số"), "chuyen doi so");
        assert_eq!(
            fold("  Sở Thông tin   và Truyền thông "),
            "so thong tin va truyen thong"
        );
        assert_eq!(fold("ĐÀ NẴNG"), "da nang");
        assert_eq!(fold("Phường Nhơn Bình"), "phuong nhon binh");
        assert_eq!(fold("Huyện Hoài Ân"), "huyen hoai an");
        // Decomposed input folds the same as composed input.
        assert_eq!(fold("Hoa\u{300}i"), fold("Hoài"));
    }

    #[test]
    fn vietnamese_order_follows_the_alphabet_and_tones() {
        let mut names = vec![
            "Huyện Tuy Phước",
            "Thị xã An Nhơn",
            "Đài Phát thanh",
            "Ban Dân tộc",
            "Sở Y tế",
            "Ân",
            "Ăn",
            "An Lão",
            "Anh",
            "Dương",
            "Ưu",
            "Uyên",
            "Án",
            "Àn",
        ];
        sort_vi_by(&mut names, |n| n);
        assert_eq!(
            names,
            vec![
                "Àn",
                "Án",
                "An Lão",
                "Anh",
                "Ăn",
                "Ân",
                "Ban Dân tộc",
                "Dương",
                "Đài Phát thanh",
                "Huyện Tuy Phước",
                "Sở Y tế",
                "Thị xã An Nhơn",
                "Uyên",
                "Ưu",
            ]
        );
    }

    #[test]
    fn sort_key_is_case_insensitive_first() {
        assert!(vi_sort_key("an") < vi_sort_key("Ăn"));
        assert!(vi_sort_key("bình") < vi_sort_key("Cát"));
        assert!(vi_sort_key("Phù Cát") < vi_sort_key("Phù Mỹ"));
    }

    #[test]
    fn dates_are_written_and_read_both_ways() {
        assert_eq!(format_date(date!(2025 - 03 - 01)), "01/03/2025");
        assert_eq!(parse_date("01/03/2025"), Some(date!(2025 - 03 - 01)));
        assert_eq!(parse_date("2025-03-01"), Some(date!(2025 - 03 - 01)));
        assert_eq!(parse_date("1/3/2025"), Some(date!(2025 - 03 - 01)));
        assert_eq!(parse_date("31/02/2025"), None);
        assert_eq!(parse_date("2025-13-01"), None);
        assert_eq!(parse_date("hôm qua"), None);
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn numbers_are_read_the_vietnamese_way() {
        assert_eq!(parse_number_vi("1.250.000"), Some(1_250_000.0));
        assert_eq!(parse_number_vi("1.250,5"), Some(1250.5));
        assert_eq!(parse_number_vi("1250.5"), Some(1250.5));
        assert_eq!(parse_number_vi("1.250"), Some(1250.0));
        assert_eq!(parse_number_vi("0.5"), Some(0.5));
        assert_eq!(parse_number_vi(" 12 500 000 "), Some(12_500_000.0));
        assert_eq!(parse_number_vi("-3"), Some(-3.0));
        assert_eq!(parse_number_vi("1,2,3"), None);
        assert_eq!(parse_number_vi("abc"), None);
        assert_eq!(parse_number_vi("NaN"), None);
        assert_eq!(parse_number_vi("inf"), None);
    }

    #[test]
    fn numbers_use_vietnamese_separators() {
        assert_eq!(format_number(1_234_567.5, 2), "1.234.567,5");
        assert_eq!(format_number(0.25, 2), "0,25");
        assert_eq!(format_number(-1000.0, 1), "-1.000");
        assert_eq!(format_number(999.0, 0), "999");
        assert_eq!(format_number(f64::NAN, 2), "—");
        assert_eq!(format_int(-1_234_567), "-1.234.567");
        assert_eq!(format_int(0), "0");
        assert_eq!(format_money(12_500_000_000), "12.500.000.000 đ");
    }

    #[test]
    fn formula_cells_are_neutralised_and_restored() {
        for risky in [
            "=HYPERLINK(\"http://x\")",
            "+cmd",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            let safe = formula_safe(risky);
            assert_eq!(safe, format!("'{risky}"));
            assert_eq!(formula_restored(&safe), risky);
        }
        for plain in ["Kế hoạch", "-5", "+3.5", "", "a=b", "'quoted"] {
            assert_eq!(formula_safe(plain), plain);
            assert_eq!(formula_restored(plain), plain);
        }
    }
}
