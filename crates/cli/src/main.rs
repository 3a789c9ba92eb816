//! `dxplan`: the one binary. Configuration comes from flags or `DXPLAN_*` variables.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};
use dxplan_app::{self as service, App, Caller, NewUserInput, Settings, demo};
use dxplan_domain::auth::Role;
use dxplan_store::{Db, DbOptions};
use dxplan_web::{AppState, WebConfig};
use rand::Rng;

mod backup;
mod lock;

#[derive(Parser)]
#[command(
    name = "dxplan",
    version,
    about = "dxplan — quản lý chương trình chuyển đổi số / digital transformation programme management"
)]
struct Cli {
    /// Folder for the database and attachments [default: ./dxplan-data, or ./dxplan-demo for `demo`].
    #[arg(long, env = "DXPLAN_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// Database URL: `postgres://…`, or an SQLite file [default: DATA_DIR/dxplan.db].
    #[arg(long, env = "DXPLAN_DATABASE", global = true)]
    database: Option<String>,
    #[arg(long, env = "DXPLAN_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(clap::Args, Clone)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "DXPLAN_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// A PostgreSQL streaming replica of `--database` for reads (`postgres://…`): lists,
    /// dashboards and open data read there once it has replayed this server's commits,
    /// and from the primary while it lags.
    #[arg(long, env = "DXPLAN_DATABASE_REPLICA")]
    database_replica: Option<String>,
    /// Mark cookies Secure and send Strict-Transport-Security (use behind HTTPS).
    #[arg(long, env = "DXPLAN_SECURE_COOKIES")]
    secure_cookies: bool,
    /// The address people use to reach dxplan (for links in e-mails), e.g. https://cds.binhdinh.gov.vn
    #[arg(long, env = "DXPLAN_PUBLIC_URL")]
    public_url: Option<String>,
    /// Days before its deadline from which an open task is shown in orange as about to
    /// be overdue (0 to 30).
    #[arg(long, env = "DXPLAN_DUE_SOON_DAYS", default_value_t = dxplan_domain::task::DUE_SOON_DAYS,
          value_parser = clap::value_parser!(u8).range(0..=30))]
    due_soon_days: u8,
    /// SMTP server for e-mail notifications; e-mail is off when unset.
    #[arg(long, env = "DXPLAN_SMTP_HOST")]
    smtp_host: Option<String>,
    #[arg(long, env = "DXPLAN_SMTP_PORT", default_value_t = 587)]
    smtp_port: u16,
    #[arg(long, env = "DXPLAN_SMTP_USER")]
    smtp_user: Option<String>,
    #[arg(long, env = "DXPLAN_SMTP_PASSWORD", hide_env_values = true)]
    smtp_password: Option<String>,
    /// `starttls`, `tls` or `none`.
    #[arg(long, env = "DXPLAN_SMTP_SECURITY", default_value = "starttls")]
    smtp_security: String,
    /// Sender address, e.g. "dxplan <cds@binhdinh.gov.vn>".
    #[arg(
        long,
        env = "DXPLAN_SMTP_FROM",
        default_value = "dxplan <dxplan@localhost>"
    )]
    smtp_from: String,
    /// The province's SMS or Zalo gateway (an http:// or https:// address that takes
    /// `POST {"id", "to", "text"}`): urgent notices also go by text message to accounts
    /// with a mobile number. Off when unset.
    #[arg(long, env = "DXPLAN_TEXT_GATEWAY")]
    text_gateway: Option<String>,
    /// Sent to the text gateway as `Authorization: Bearer <token>`.
    #[arg(long, env = "DXPLAN_TEXT_GATEWAY_TOKEN", hide_env_values = true)]
    text_gateway_token: Option<String>,
    /// Largest evidence file accepted, in MB.
    #[arg(long, env = "DXPLAN_MAX_UPLOAD_MB", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=1024))]
    max_upload_mb: u64,
    /// Addresses of reverse proxies whose `X-Forwarded-For` names the client (for the login
    /// throttle and the audit log), comma-separated; off by default.
    #[arg(long, env = "DXPLAN_TRUSTED_PROXY", value_delimiter = ',')]
    trusted_proxy: Vec<std::net::IpAddr>,
}

#[derive(clap::Args, Clone)]
struct DemoArgs {
    #[command(flatten)]
    serve: ServeArgs,
    /// Add scale data: `province` (200 monthly indicators for each of the 58 communes over
    /// five years, about 0.7 million figures; takes half a minute) or `national` (the
    /// ministry over 34 provinces of about 100 communes, 240 indicators, about 50 million
    /// figures; PostgreSQL only, takes about half an hour and 20 GB of disk).
    #[arg(long, value_parser = ["province", "national"])]
    scale: Option<String>,
    /// Add a plan of this year with this many tasks over the units, in every status, as a
    /// comparison with another tracker loads (`scripts/bench-vs-redmine` asks for 3,000).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=200_000))]
    tasks: Option<u32>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web application.
    Serve(ServeArgs),
    /// Run on a fresh demo database with the demo province and accounts (password `demo`).
    Demo(DemoArgs),
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage org units.
    Units {
        #[command(subcommand)]
        command: UnitsCommand,
    },
    /// Import data from files.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Back up the database and every evidence file it references into a new folder DIR.
    ///
    /// Works while the server runs. DIR (which must not exist, or be empty) gets the
    /// database (SQLite: `dxplan.db`, a consistent `VACUUM INTO` snapshot; PostgreSQL:
    /// `dxplan.dump`, made by running `pg_dump -Fc`, which must be on the PATH), every
    /// evidence file the database references under `attachments/`, `backup.json` and
    /// `MANIFEST.sha256` (`sha256sum -c MANIFEST.sha256` checks it by hand). It is written
    /// as DIR.partial and renamed when complete. A referenced file missing from the data
    /// directory fails the backup, named, unless --allow-missing.
    ///
    /// `dxplan backup FILE.db` (a path ending in .db that is not a folder) still writes
    /// the SQLite database alone, without the evidence files.
    Backup {
        /// The new backup folder (or FILE.db for the database alone).
        dir: PathBuf,
        /// Write the backup even when referenced evidence files are missing or damaged
        /// (they are listed in backup.json).
        #[arg(long)]
        allow_missing: bool,
    },
    /// Restore a backup folder made by `dxplan backup` (stop the server first).
    ///
    /// Checks every file against MANIFEST.sha256 before it changes anything, then puts
    /// the evidence files into DATA_DIR/attachments (those already there are kept) and,
    /// on SQLite, the database in place of DATA_DIR/dxplan.db after checking it opens and
    /// migrates. On PostgreSQL it restores the files and prints the `pg_restore` command
    /// for DIR/dxplan.dump. Refused while a server runs on DATA_DIR. A single SQLite file
    /// from `dxplan backup FILE.db` restores the database alone.
    Restore {
        /// A folder written by `dxplan backup DIR` (or a FILE.db from `dxplan backup FILE.db`).
        dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from DXPLAN_PASSWORD or generated and printed.
    Add {
        username: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// Code of the unit the person works in.
        #[arg(long)]
        unit: Option<String>,
    },
    /// Set a new password (from DXPLAN_PASSWORD, or generated and printed).
    Passwd { username: String },
    /// Grant ROLE (admin, coordinator, unit_approver, unit_editor, viewer) on a unit, or system-wide.
    Grant {
        username: String,
        role: String,
        #[arg(long)]
        unit: Option<String>,
    },
    /// List accounts and their roles.
    List,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import a plan appendix workbook (.xlsx) into a plan: all tasks or none.
    Plan {
        file: PathBuf,
        /// The plan's id (see the plan's page address, /plans/ID).
        #[arg(long)]
        plan: i64,
        /// Only check the file and say what would be created.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum UnitsCommand {
    /// Import units from CSV (code,name,level,parent_code): all rows or none.
    Import { file: PathBuf },
}

fn main() -> anyhow::Result<()> {
    // Before the runtime starts its threads: the allocator then gives memory back.
    dxplan_web::memory::give_memory_back();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let is_demo = matches!(cli.command, Command::Demo(_));
    let data_dir = cli.data_dir.clone().unwrap_or_else(|| {
        PathBuf::from(if is_demo {
            "./dxplan-demo"
        } else {
            "./dxplan-data"
        })
    });
    let url = cli
        .database
        .clone()
        .unwrap_or_else(|| Db::sqlite_url_in(&data_dir));
    match cli.command {
        Command::Serve(args) => {
            let lock = lock::acquire(&data_dir, "serve")?;
            serve(args, data_dir, url, Mode::Serve, lock).await
        }
        Command::Demo(args) => {
            if args.scale.as_deref() == Some("national") && !url.starts_with("postgres") {
                anyhow::bail!(
                    "--scale national cần PostgreSQL / needs PostgreSQL: add --database postgres://…"
                );
            }
            // Before the wipe: a demo must not delete a database another server is using.
            let lock = lock::acquire(&data_dir, "demo")?;
            if !url.starts_with("postgres") {
                fresh_sqlite(&data_dir)?;
            }
            let mode = Mode::Demo {
                scale: args.scale,
                tasks: args.tasks,
            };
            serve(args.serve, data_dir, url, mode, lock).await
        }
        Command::Migrate => {
            let _lock = lock::acquire(&data_dir, "migrate")?;
            let db = open(&data_dir, &url).await?;
            db.close().await;
            println!("Cơ sở dữ liệu đã cập nhật / database is up to date");
            Ok(())
        }
        Command::User { command } => user_command(command, &data_dir, &url).await,
        Command::Units {
            command: UnitsCommand::Import { file },
        } => {
            let state = cli_state(&data_dir, &url).await?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let o = service::import_units(&state, &Caller::cli(), &bytes, &name).await?;
            println!(
                "{} created, {} updated, {} lineage links",
                o.created, o.updated, o.lineage
            );
            Ok(())
        }
        Command::Import {
            command:
                ImportCommand::Plan {
                    file,
                    plan,
                    dry_run,
                },
        } => {
            let state = cli_state(&data_dir, &url).await?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let name = file.display().to_string();
            let upload = service::Upload::ready(name, bytes);
            let outcome =
                service::tasks::import_plan(&state, &Caller::cli(), plan, upload, dry_run).await?;
            for t in &outcome.tasks {
                println!("{:>5}  {:<8} {}", t.row, t.fields.code, t.fields.title);
            }
            if outcome.committed {
                println!("{} tasks imported into plan {plan}", outcome.tasks.len());
            } else {
                println!(
                    "{} tasks would be imported (dry run: nothing written)",
                    outcome.tasks.len()
                );
            }
            Ok(())
        }
        Command::Backup { dir, allow_missing } => {
            backup_command(&dir, &data_dir, &url, allow_missing).await
        }
        Command::Restore { dir } => restore_command(&dir, &data_dir, &url).await,
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn open(data_dir: &Path, url: &str) -> anyhow::Result<Db> {
    open_with_replica(data_dir, url, None).await
}

async fn open_with_replica(
    data_dir: &Path,
    url: &str,
    replica: Option<&str>,
) -> anyhow::Result<Db> {
    if !url.starts_with("postgres") {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating {}", data_dir.display()))?;
    }
    let mut options = DbOptions::new(url);
    options.replica_url = replica.map(str::to_owned);
    Db::connect(&options).await.context("opening the database")
}

/// The use cases, for a subcommand run at the command line (no web server).
async fn cli_state(data_dir: &Path, url: &str) -> anyhow::Result<App> {
    let db = open(data_dir, url).await?;
    Ok(App::new(
        db,
        Settings {
            data_dir: data_dir.to_path_buf(),
            ..Settings::default()
        },
    ))
}

/// Removes the demo database so every demo starts from the same state.
fn fresh_sqlite(data_dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(data_dir)?;
    for name in ["dxplan.db", "dxplan.db-wal", "dxplan.db-shm"] {
        let path = data_dir.join(name);
        if path.exists() {
            std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    Ok(())
}

fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

fn password_from_env() -> (String, bool) {
    match std::env::var("DXPLAN_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (random_password(), true),
    }
}

/// How `serve` starts: on the configured database, or on a fresh demo.
enum Mode {
    Serve,
    Demo {
        scale: Option<String>,
        tasks: Option<u32>,
    },
}

/// Runs the server; `_lock` is the data directory's lock, held until the server stops.
async fn serve(
    args: ServeArgs,
    data_dir: PathBuf,
    url: String,
    mode: Mode,
    _lock: lock::DataDirLock,
) -> anyhow::Result<()> {
    let demo = matches!(mode, Mode::Demo { .. });
    let started = std::time::Instant::now();
    let db = open_with_replica(&data_dir, &url, args.database_replica.as_deref()).await?;
    let config = WebConfig {
        secure_cookies: args.secure_cookies,
        trusted_proxies: args.trusted_proxy.clone(),
        demo,
        app: Settings {
            max_upload_bytes: args.max_upload_mb * 1024 * 1024,
            public_url: args.public_url.clone(),
            due_soon_days: args.due_soon_days,
            text_messages: args.text_gateway.is_some(),
            data_dir: data_dir.clone(),
            ..Settings::default()
        },
        ..WebConfig::default()
    };
    let state = AppState::new(db.clone(), config);
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let url_shown = format!("http://{}", args.listen);
    if demo {
        let accounts = demo::seed(&state).await?;
        if let Mode::Demo {
            scale: Some(scale), ..
        } = &mode
        {
            println!("Đang tạo dữ liệu quy mô {scale} / generating {scale}-scale data…");
            let report = if scale == "national" {
                demo::scale::seed_national(&state, 240, 5, 100).await?
            } else {
                demo::scale::seed(&state, 200, 5).await?
            };
            println!(
                "  {} chỉ tiêu × {} xã × 60 tháng = {} số liệu",
                report.indicators, report.units, report.values
            );
            if scale == "national" {
                println!(
                    "  Cả nước / the whole nation: {} (viewer, {})",
                    demo::scale::NATIONAL_READER,
                    demo::scale::NATIONAL_ROOT
                );
            }
        }
        if let Mode::Demo {
            tasks: Some(count), ..
        } = &mode
        {
            println!("Đang tạo kế hoạch {count} nhiệm vụ / generating a plan of {count} tasks…");
            let title = format!("Kế hoạch {count} nhiệm vụ (dữ liệu so sánh)");
            demo::scale::seed_tasks(&state, &title, *count as usize).await?;
        }
        // The demo is one bulk load: its first pages should not wait for autovacuum.
        db.refresh_statistics().await?;
        println!("\ndxplan (demo) — {url_shown}\n");
        println!(
            "Tài khoản dùng thử / demo accounts (mật khẩu / password: {}):",
            demo::DEMO_PASSWORD
        );
        for a in accounts.iter().take(8) {
            println!("  {:<22} {:<14} {}", a.username, a.role.as_str(), a.unit);
        }
        println!(
            "  … {} tài khoản / accounts in all (editor-… and approver-… for each department and former district)\n",
            accounts.len()
        );
    } else {
        ensure_admin(&state).await?;
        println!("dxplan — {url_shown}");
    }
    let shutdown = shutdown_signal()?;
    tracing::info!(listen = %args.listen, ready_ms = started.elapsed().as_millis() as u64, "serving");
    let mailer: Option<std::sync::Arc<dyn dxplan_jobs::mail::Mailer>> = match &args.smtp_host {
        Some(host) => {
            let smtp = dxplan_jobs::mail::SmtpConfig {
                host: host.clone(),
                port: args.smtp_port,
                username: args.smtp_user.clone(),
                password: args.smtp_password.clone(),
                security: args.smtp_security.clone(),
                from: args.smtp_from.clone(),
            };
            let mailer =
                dxplan_jobs::mail::SmtpMailer::new(&smtp).map_err(|e| anyhow::anyhow!(e))?;
            tracing::info!(host = %host, port = args.smtp_port, "e-mail notifications on");
            Some(std::sync::Arc::new(mailer))
        }
        None => None,
    };
    let texter: Option<std::sync::Arc<dyn dxplan_jobs::text::TextMessenger>> =
        match &args.text_gateway {
            Some(url) => {
                let gateway =
                    dxplan_jobs::text::HttpTextGateway::new(url, args.text_gateway_token.clone())
                        .map_err(|e| anyhow::anyhow!(e))?;
                tracing::info!(gateway = %url, "text messages on");
                Some(std::sync::Arc::new(gateway))
            }
            None => None,
        };
    let jobs = dxplan_jobs::spawn(
        state.app.clone(),
        dxplan_jobs::JobConfig {
            every: Duration::from_secs(60),
            digest_hour: 7,
            mailer,
            texter,
        },
    );
    dxplan_web::serve(listener, state, shutdown).await?;
    jobs.abort();
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// On first start there is nobody to log in as: create `admin` with a one-time password.
async fn ensure_admin(state: &App) -> anyhow::Result<()> {
    let password = random_password();
    if !service::users::ensure_first_admin(state, &Caller::cli(), &password).await? {
        return Ok(());
    }
    println!("\n  Tài khoản quản trị đầu tiên / first administrator account:");
    println!(
        "    tên đăng nhập / username: {}",
        service::users::FIRST_ADMIN
    );
    println!("    mật khẩu / password:      {password}");
    println!("  Mật khẩu chỉ hiện một lần; hãy đổi ngay sau khi đăng nhập.");
    println!("  This password is shown once; change it after logging in.\n");
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C. The handlers are installed when this is called, before
/// the server says it is ready, so an early signal still stops it gracefully.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => {},
                _ = interrupt.recv() => {},
            }
            tracing::info!("shutting down: finishing requests in flight");
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            tokio::signal::ctrl_c().await.ok();
            tracing::info!("shutting down: finishing requests in flight");
        })
    }
}

async fn user_command(command: UserCommand, data_dir: &Path, url: &str) -> anyhow::Result<()> {
    let state = cli_state(data_dir, url).await?;
    let caller = Caller::cli();
    match command {
        UserCommand::Add {
            username,
            name,
            email,
            unit,
        } => {
            let (password, generated) = password_from_env();
            let input = NewUserInput {
                username,
                display_name: name,
                email,
                unit_code: unit,
                password: password.clone(),
                ..Default::default()
            };
            let user = service::create_user(&state, &caller, &input).await?;
            println!("created {} (id {})", user.username, user.id);
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::Passwd { username } => {
            let user = named(&state, &caller, &username).await?;
            let (password, generated) = password_from_env();
            service::reset_password(&state, &caller, user.id, &password).await?;
            println!("password changed for {}", user.username);
            if generated {
                println!("password: {password}");
            }
        }
        UserCommand::Grant {
            username,
            role,
            unit,
        } => {
            let user = named(&state, &caller, &username).await?;
            if Role::parse(&role).is_none() {
                bail!(
                    "unknown role {role}: use admin, coordinator, unit_approver, unit_editor or viewer"
                );
            }
            service::grant_role(&state, &caller, user.id, &role, unit.as_deref()).await?;
            println!(
                "granted {role} to {username} on {}",
                unit.as_deref().unwrap_or("the whole system")
            );
        }
        UserCommand::List => {
            let mut after = None;
            loop {
                let page = service::users::all_accounts(&state, &caller, after, 500).await?;
                for account in &page.users {
                    let roles: Vec<String> = account
                        .grants
                        .iter()
                        .map(|g| {
                            format!(
                                "{}@{}",
                                g.role.as_str(),
                                g.unit_code.as_deref().unwrap_or("*")
                            )
                        })
                        .collect();
                    let u = &account.user;
                    println!(
                        "{:<24} {:<40} {}{}",
                        u.username,
                        u.display_name,
                        roles.join(", "),
                        if u.active { "" } else { " (disabled)" }
                    );
                }
                match page.next {
                    Some(n) => after = Some(n),
                    None => break,
                }
            }
        }
    }
    Ok(())
}

/// The account `username`, or an error that says there is none.
async fn named(
    state: &App,
    caller: &Caller<'_>,
    username: &str,
) -> anyhow::Result<service::users::User> {
    match service::users::account_named(state, caller, username).await {
        Err(service::AppError::NotFound) => bail!("no such user: {username}"),
        other => Ok(other?),
    }
}

/// Is this the old form `dxplan backup FILE.db`: one SQLite file, no evidence files?
fn is_single_file_backup(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "db") && !path.is_dir()
}

async fn backup_command(
    dir: &Path,
    data_dir: &Path,
    url: &str,
    allow_missing: bool,
) -> anyhow::Result<()> {
    if !url.starts_with("postgres") {
        // Opening creates a missing SQLite file: an empty backup is not what was asked for.
        let file = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if !Path::new(file).is_file() {
            bail!(backup::BackupError::NoDatabase(file.to_string()));
        }
    }
    // No migration and no lock: a backup reads, and runs beside a live server.
    let db = Db::open(&DbOptions::new(url))
        .await
        .context("opening the database")?;
    if is_single_file_backup(dir) && !url.starts_with("postgres") {
        if dir.exists() {
            bail!("{} already exists; choose a new file", dir.display());
        }
        db.backup_sqlite(dir).await?;
        let mut c = db.read().await?;
        let files = dxplan_store::backup::referenced_files(&mut c).await?.len();
        drop(c);
        db.close().await;
        println!("backup written to {} (the database only)", dir.display());
        if files > 0 {
            eprintln!(
                "cảnh báo: bản này không có {files} tệp minh chứng; `dxplan backup THƯ_MỤC` sao lưu cả chúng / warning: the {files} evidence files are not in this copy; `dxplan backup DIR` includes them"
            );
        }
        return Ok(());
    }
    let summary = backup::backup(&db, url, data_dir, dir, allow_missing).await;
    db.close().await;
    let s = summary?;
    println!(
        "Đã sao lưu / backup written to {}: {} ({}), {} evidence files ({}){} in {:.1} s",
        s.dir.display(),
        s.database,
        size(s.database_bytes),
        s.files,
        size(s.file_bytes),
        if s.missing.is_empty() {
            String::new()
        } else {
            format!(", {} missing (listed in backup.json)", s.missing.len())
        },
        s.seconds
    );
    Ok(())
}

fn size(bytes: u64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    if bytes as f64 >= MB {
        format!("{:.1} MB", bytes as f64 / MB)
    } else {
        format!("{:.1} kB", bytes as f64 / 1024.0)
    }
}

async fn restore_command(dir: &Path, data_dir: &Path, url: &str) -> anyhow::Result<()> {
    if !dir.exists() {
        bail!("không có / there is no {}", dir.display());
    }
    // Held to the end: no server starts on the data directory while it is replaced.
    let _lock = lock::acquire(data_dir, "restore")?;
    if dir.is_file() {
        return restore_single_file(dir, url).await;
    }
    let s = backup::restore(dir, data_dir, url).await?;
    match &s.database {
        Some(db) => println!(
            "Đã khôi phục / restored {} into {}: the database, {} evidence files written, {} already in place, in {:.1} s",
            dir.display(),
            db.display(),
            s.files_written,
            s.files_kept,
            s.seconds
        ),
        None => {
            println!(
                "Đã khôi phục tệp minh chứng / evidence files restored into {}: {} written, {} already in place.",
                data_dir.join("attachments").display(),
                s.files_written,
                s.files_kept
            );
            println!(
                "Khôi phục cơ sở dữ liệu PostgreSQL / now restore the PostgreSQL database (server stopped), then bring its schema up to date:"
            );
            println!(
                "  pg_restore --clean --if-exists --no-owner --dbname DATABASE_URL {}",
                dir.join(backup::PG_DUMP_FILE).display()
            );
            println!("  dxplan migrate --database DATABASE_URL");
        }
    }
    if !s.missing.is_empty() {
        eprintln!(
            "cảnh báo / warning: {} evidence files were missing when the backup was made (see backup.json)",
            s.missing.len()
        );
    }
    Ok(())
}

/// The old single-file form: an SQLite database from `dxplan backup FILE.db`.
async fn restore_single_file(file: &Path, url: &str) -> anyhow::Result<()> {
    if url.starts_with("postgres") {
        bail!(
            "PostgreSQL: restore with pg_restore (for example `pg_restore -d DATABASE_URL dxplan.dump`)"
        );
    }
    let mut header = [0u8; 16];
    let read = std::fs::File::open(file)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut header))
        .with_context(|| format!("reading {}", file.display()));
    if read.is_err() || &header != b"SQLite format 3\0" {
        bail!("{} is not an SQLite database backup", file.display());
    }
    let target = PathBuf::from(
        url.strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url),
    );
    let mut aside = target.clone().into_os_string();
    aside.push(".restoring");
    let aside = PathBuf::from(aside);
    // Checked (it opens and migrates) on a copy beside the target, then renamed in place.
    backup::install_aside(file, &aside, None)
        .await
        .context("the backup does not open")?;
    backup::replace_database(&aside, &target)?;
    println!("restored {} into {}", file.display(), target.display());
    Ok(())
}
