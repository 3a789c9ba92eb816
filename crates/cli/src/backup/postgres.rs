//! The PostgreSQL side of a backup: `pg_dump`, with the password kept off its command line.

use std::fs::File;
use std::path::Path;

use super::{BackupError, Result, io_at};

/// Runs `pg_dump -Fc` into `target`. The password goes to pg_dump in `PGPASSWORD`, not
/// on its command line, where every local user could read it.
pub(super) fn pg_dump(url: &str, target: &Path) -> Result<()> {
    let (url, password) = split_password(url);
    let mut command = std::process::Command::new("pg_dump");
    command
        .arg("--format=custom")
        .arg("--file")
        .arg(target)
        .arg("--dbname")
        .arg(&url);
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let out = command.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            BackupError::PgDump(
                "không tìm thấy pg_dump / pg_dump is not on the PATH: install the PostgreSQL client (Debian: postgresql-client) of the server's major version or newer".into(),
            )
        } else {
            BackupError::PgDump(e.to_string())
        }
    })?;
    if !out.status.success() {
        return Err(BackupError::PgDump(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    File::open(target)
        .and_then(|f| f.sync_all())
        .map_err(io_at(target))
}

/// Takes the password out of a `postgres://user:password@host/db` URL (percent-decoded),
/// returning the URL without it.
fn split_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return (url.to_string(), None);
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return (url.to_string(), None);
    };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else {
        return (url.to_string(), None);
    };
    let password = percent_decode(&userinfo[colon + 1..]);
    let stripped = format!(
        "{}{}{}",
        &url[..scheme_end],
        &userinfo[..colon],
        &url[scheme_end + at..]
    );
    (stripped, Some(password))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |i: usize| bytes.get(i).and_then(|&b| (b as char).to_digit(16));
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url_for_the_environment() {
        assert_eq!(
            split_password("postgres://dxplan:s%40cr%3At@db.local:5432/dxplan?sslmode=require"),
            (
                "postgres://dxplan@db.local:5432/dxplan?sslmode=require".to_string(),
                Some("s@cr:t".to_string())
            )
        );
        assert_eq!(
            split_password("postgres://dxplan@db.local/dxplan"),
            ("postgres://dxplan@db.local/dxplan".to_string(), None)
        );
        assert_eq!(
            split_password("postgresql:///dxplan?host=/run/postgresql"),
            (
                "postgresql:///dxplan?host=/run/postgresql".to_string(),
                None
            )
        );
    }
}
