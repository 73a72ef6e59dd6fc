//! The server's settings: gunicorn's names and defaults, from flags, the
//! environment and a TOML file.

mod sources;
mod table;

use std::path::PathBuf;
use std::time::Duration;

use carafe_wrappers::hyper::{GatewayConfig, HeadLimits};

pub use sources::usage;

use crate::{Bind, Error, ForwardedAllowIps};

/// Where handlers run (see the crate docs, "Scheduling", for the measurements
/// behind the default).
///
/// # Examples
///
/// ```
/// use carafe_server::Scheduler;
///
/// assert_eq!("pool".parse::<Scheduler>(), Ok(Scheduler::Pool));
/// assert!("threads".parse::<Scheduler>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scheduler {
    /// Handlers known to be fast run on the runtime thread that read the
    /// request; unknown and slow ones on the handler pool (`threads`).
    Adaptive,
    /// Every handler whose body is in memory runs on the runtime thread (the
    /// fastest for handlers that never block; a blocking one stalls the
    /// connections queued on its thread).
    Inline,
    /// Every handler on the handler pool (gunicorn's gthread worker).
    Pool,
    /// Every handler on tokio's blocking pool (`spawn_blocking`): measured
    /// for the docs, not recommended.
    Blocking,
}

impl std::str::FromStr for Scheduler {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        match value {
            "adaptive" => Ok(Scheduler::Adaptive),
            "inline" => Ok(Scheduler::Inline),
            "pool" => Ok(Scheduler::Pool),
            "blocking" => Ok(Scheduler::Blocking),
            _ => Err("expected adaptive, inline, pool or blocking".to_owned()),
        }
    }
}

/// A log destination: a file, or `-` for the standard stream.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogTarget {
    /// Standard output (access log) or standard error (error log): `-`.
    Std,
    /// Appended to this file.
    File(PathBuf),
}

/// Log levels of the error log, gunicorn's names.
///
/// # Examples
///
/// ```
/// use carafe_server::LogLevel;
///
/// assert_eq!("WARNING".parse::<LogLevel>(), Ok(LogLevel::Warning));
/// assert!(LogLevel::Debug < LogLevel::Error);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum LogLevel {
    /// Everything.
    Debug,
    /// Starts, stops, signals, worker lifecycle.
    Info,
    /// Recoverable problems.
    Warning,
    /// Failures.
    Error,
    /// Worker timeouts, boot failures.
    Critical,
}

impl std::str::FromStr for LogLevel {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        match value.to_ascii_lowercase().as_str() {
            "debug" => Ok(LogLevel::Debug),
            "info" => Ok(LogLevel::Info),
            "warning" | "warn" => Ok(LogLevel::Warning),
            "error" => Ok(LogLevel::Error),
            "critical" => Ok(LogLevel::Critical),
            _ => Err("expected debug, info, warning, error or critical".to_owned()),
        }
    }
}

/// Every setting of the server. Field names are gunicorn's; the crate docs
/// list the flags, environment variables and TOML keys.
///
/// Build it with [`Settings::from_args`] (flags > environment > file >
/// defaults, the way the App's `serve` command does), or start from
/// `Settings::default()` and assign fields.
///
/// # Examples
///
/// ```
/// use carafe_server::Settings;
///
/// let settings = Settings::from_args(["--bind", "127.0.0.1:9000", "-w", "3"]).unwrap();
/// assert_eq!(settings.bind[0].to_string(), "127.0.0.1:9000");
/// assert_eq!(settings.workers, 3);
/// assert_eq!(settings.timeout.as_secs(), 30);
///
/// let mut settings = Settings::default();
/// settings.workers = 2;
/// assert_eq!(settings.keepalive.as_secs(), 2);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    /// `-c`/`--config`: the TOML config file.
    pub config: Option<PathBuf>,
    /// `-b`/`--bind` (repeatable): where to listen. Default `127.0.0.1:8000`
    /// (`0.0.0.0:$PORT` when `PORT` is set).
    pub bind: Vec<Bind>,
    /// `--backlog`: the listen queue length. Default 2048.
    pub backlog: u32,
    /// `--reuse-port`: set `SO_REUSEPORT` on TCP sockets. Default off.
    pub reuse_port: bool,
    /// `-w`/`--workers`: worker processes. Default 1 (`$WEB_CONCURRENCY`
    /// when set).
    pub workers: usize,
    /// `--threads`: handler threads per worker, the most handlers that may
    /// block at the same time in one worker. Default 16.
    pub threads: usize,
    /// `--io-threads` (Carafe): runtime threads per worker that read and
    /// write connections (and run fast handlers). Default 0: the machine's
    /// CPUs divided among the workers (at least 1); see
    /// [`io_threads_per_worker`](Self::io_threads_per_worker).
    pub io_threads: usize,
    /// `--scheduler` (Carafe): where handlers run. Default adaptive.
    pub scheduler: Scheduler,
    /// `--worker-connections`: the most connections one worker serves at
    /// once; more wait in the listen queue. Default 1000.
    pub worker_connections: usize,
    /// `--max-requests`: recycle a worker after this many requests (0: never).
    pub max_requests: u64,
    /// `--max-requests-jitter`: add a random 0..=jitter to `max_requests`
    /// per worker, so workers do not all restart together.
    pub max_requests_jitter: u64,
    /// `-t`/`--timeout`: a worker silent (or running one handler) longer than
    /// this is killed and replaced (0: never). Default 30 s.
    pub timeout: Duration,
    /// `--graceful-timeout`: how long stopping workers may finish their
    /// requests. Default 30 s.
    pub graceful_timeout: Duration,
    /// `--keep-alive`: how long an idle keep-alive connection stays open (0:
    /// no keep-alive). Default 2 s.
    pub keepalive: Duration,
    /// `--limit-request-line`: the longest request line (0: unlimited).
    /// Default 4094.
    pub limit_request_line: usize,
    /// `--limit-request-fields`: the most header fields. Default 100.
    pub limit_request_fields: usize,
    /// `--limit-request-field-size`: the largest header field line (0:
    /// unlimited). Default 8190.
    pub limit_request_field_size: usize,
    /// `--header-timeout` (Carafe): how long a client may take to send a
    /// request head. Default 30 s.
    pub header_timeout: Duration,
    /// `--write-timeout` (Carafe): how long a write to a client that does not
    /// read may stall. Default 30 s.
    pub write_timeout: Duration,
    /// `--body-min-rate` (Carafe): the slowest a request body may arrive
    /// while the application reads it, bytes/s after the grace period (0: no
    /// minimum). Default 240 (Kestrel's).
    pub body_min_rate: u64,
    /// `--body-rate-grace` (Carafe): the grace period of `body_min_rate`.
    /// Default 5 s.
    pub body_rate_grace: Duration,
    /// `--forwarded-allow-ips`: proxies whose `secure_scheme_headers` are
    /// trusted. Default `127.0.0.1,::1` (`$FORWARDED_ALLOW_IPS` when set).
    pub forwarded_allow_ips: ForwardedAllowIps,
    /// `--secure-scheme-headers`: header/value pairs that mark a request from
    /// a trusted proxy as https. gunicorn's default.
    pub secure_scheme_headers: Vec<(String, String)>,
    /// `--access-logfile`: the access log (Apache combined format); `-` is
    /// standard output. Default none.
    pub accesslog: Option<LogTarget>,
    /// `--error-logfile`/`--log-file`: the error log; `-` is standard error
    /// (the default).
    pub errorlog: LogTarget,
    /// `--log-level`. Default info.
    pub loglevel: LogLevel,
    /// `-p`/`--pid`: write the master's pid to this file.
    pub pidfile: Option<PathBuf>,
    /// `-u`/`--user`: workers run as this user (name or uid).
    pub user: Option<String>,
    /// `-g`/`--group`: workers run as this group (name or gid).
    pub group: Option<String>,
    /// `-m`/`--umask`: the file mode creation mask (octal). Default 0.
    pub umask: u32,
    /// The arguments these settings were parsed from (for `HUP`).
    args: Option<Vec<String>>,
    /// `CARAFE_` variables that are no setting but look like one misspelt.
    ignored_env: Vec<(String, String)>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            config: None,
            bind: vec![Bind::Tcp {
                host: "127.0.0.1".to_owned(),
                port: 8000,
            }],
            backlog: 2048,
            reuse_port: false,
            workers: 1,
            threads: 16,
            io_threads: 0,
            scheduler: Scheduler::Adaptive,
            worker_connections: 1000,
            max_requests: 0,
            max_requests_jitter: 0,
            timeout: Duration::from_secs(30),
            graceful_timeout: Duration::from_secs(30),
            keepalive: Duration::from_secs(2),
            limit_request_line: 4094,
            limit_request_fields: 100,
            limit_request_field_size: 8190,
            header_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
            body_min_rate: 240,
            body_rate_grace: Duration::from_secs(5),
            forwarded_allow_ips: ForwardedAllowIps::default(),
            secure_scheme_headers: GatewayConfig::default().secure_scheme_headers().to_vec(),
            accesslog: None,
            errorlog: LogTarget::Std,
            loglevel: LogLevel::Info,
            pidfile: None,
            user: None,
            group: None,
            umask: 0,
            args: None,
            ignored_env: Vec::new(),
        }
    }
}

impl Settings {
    /// Settings from command-line arguments (without the program name), the
    /// environment and the config file, with precedence flags > environment
    /// > file > defaults. See the crate docs for every source.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownSetting`] (with a suggestion), [`Error::Setting`] for
    /// a bad value, [`Error::ConfigFile`].
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_server::Settings;
    ///
    /// let error = Settings::from_args(["--wokers", "2"]).unwrap_err();
    /// assert!(error.to_string().contains("did you mean `--workers`"), "{error}");
    /// ```
    pub fn from_args<I, S>(args: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let args: Vec<String> = args.into_iter().map(Into::into).collect();
        let mut settings = sources::load(&args, &sources::Environment::capture())?;
        settings.args = Some(args);
        Ok(settings)
    }

    /// `CARAFE_` environment variables that are not server settings but
    /// look like a misspelt one, each with the setting's variable: `(name,
    /// did you mean)`.
    ///
    /// The server reads only its own names (`CARAFE_<SETTING>`,
    /// `CARAFE_CONFIG`, `CARAFE_CMD_ARGS`) and ignores every other `CARAFE_`
    /// variable, as gunicorn ignores the environment it does not read: the
    /// app's configuration shares the namespace (`CARAFE_ENV`,
    /// `CARAFE_SECRET_KEY`, `CARAFE_APP__...`). The program that embeds the
    /// server knows which other names it reads, and warns about the rest.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_server::Settings;
    ///
    /// // SAFETY of the test: no other thread reads the environment here.
    /// # unsafe { std::env::set_var("CARAFE_WORKRES", "2") };
    /// let settings = Settings::from_args(["--bind", "127.0.0.1:9000"]).unwrap();
    /// assert_eq!(settings.workers, 1);
    /// let ignored: Vec<_> = settings.ignored_env().collect();
    /// assert_eq!(ignored, [("CARAFE_WORKRES", "CARAFE_WORKERS")]);
    /// # unsafe { std::env::remove_var("CARAFE_WORKRES") };
    /// ```
    pub fn ignored_env(&self) -> impl Iterator<Item = (&str, &str)> {
        self.ignored_env
            .iter()
            .map(|(name, suggestion)| (name.as_str(), suggestion.as_str()))
    }

    /// The settings again from the same sources (`HUP`): the same arguments,
    /// the environment and the config file as they are now. Settings not
    /// built from arguments only re-read their config file, if any.
    pub(crate) fn reload(&self) -> Result<Self, Error> {
        match &self.args {
            Some(args) => Self::from_args(args.clone()),
            None => match &self.config {
                Some(path) => {
                    let mut settings = self.clone();
                    sources::apply_file(&mut settings, path)?;
                    settings.validate()?;
                    Ok(settings)
                }
                None => Ok(self.clone()),
            },
        }
    }

    /// Sets one setting from its text form, by its name (`workers`,
    /// `max_requests`, ...) or any of its flags (`--max-requests`, `-w`).
    /// List settings (`bind`) add a value.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownSetting`], [`Error::Setting`].
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_server::Settings;
    ///
    /// let mut settings = Settings::default();
    /// settings.set("graceful_timeout", "2.5").unwrap();
    /// assert_eq!(settings.graceful_timeout.as_millis(), 2500);
    /// assert!(settings.set("workers", "many").is_err());
    /// ```
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), Error> {
        let spec = table::find(name).ok_or_else(|| Error::UnknownSetting {
            name: name.to_owned(),
            source: "Settings::set".to_owned(),
            suggestion: table::suggest(name),
        })?;
        (spec.apply)(self, value).map_err(|reason| Error::Setting {
            name: spec.name.to_owned(),
            value: value.to_owned(),
            reason,
        })
    }

    /// Checks the settings together.
    ///
    /// # Errors
    ///
    /// [`Error::Setting`] naming the first bad one.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_server::Settings;
    ///
    /// let mut settings = Settings::default();
    /// assert!(settings.validate().is_ok());
    /// settings.workers = 0;
    /// assert!(settings.validate().unwrap_err().to_string().contains("`workers`"));
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |name: &str, value: String, reason: &str| {
            Err(Error::Setting {
                name: name.to_owned(),
                value,
                reason: reason.to_owned(),
            })
        };
        if self.bind.is_empty() {
            return bad("bind", String::new(), "at least one address is needed");
        }
        if self.workers == 0 {
            return bad("workers", "0".to_owned(), "at least one worker is needed");
        }
        if self.threads == 0 {
            return bad("threads", "0".to_owned(), "at least one thread is needed");
        }
        if self.worker_connections == 0 {
            return bad("worker_connections", "0".to_owned(), "must be at least 1");
        }
        if self.limit_request_fields == 0 || self.limit_request_fields > 32768 {
            return bad(
                "limit_request_fields",
                self.limit_request_fields.to_string(),
                "must be from 1 to 32768",
            );
        }
        Ok(())
    }

    /// The runtime threads of one worker: `io_threads`, or when it is 0 the
    /// available CPUs divided among the `workers` (at least 1).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_server::Settings;
    ///
    /// let mut settings = Settings::default();
    /// settings.io_threads = 3;
    /// assert_eq!(settings.io_threads_per_worker(), 3);
    /// settings.io_threads = 0;
    /// settings.workers = 10_000;
    /// assert_eq!(settings.io_threads_per_worker(), 1);
    /// ```
    pub fn io_threads_per_worker(&self) -> usize {
        if self.io_threads > 0 {
            return self.io_threads;
        }
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        (cpus / self.workers.max(1)).max(1)
    }

    /// The gateway configuration these settings describe.
    pub(crate) fn gateway_config(&self) -> GatewayConfig {
        let unlimited = |value: usize| if value == 0 { usize::MAX / 4 } else { value };
        let limits = HeadLimits::default()
            .with_request_line(unlimited(self.limit_request_line))
            .with_header_fields(self.limit_request_fields)
            .with_header_field_size(unlimited(self.limit_request_field_size));
        let optional = |duration: Duration| (!duration.is_zero()).then_some(duration);
        GatewayConfig::default()
            .with_head_limits(limits)
            .with_keepalive(optional(self.keepalive))
            .with_header_read_timeout(optional(self.header_timeout))
            .with_write_timeout(optional(self.write_timeout))
            .with_body_min_rate(
                (self.body_min_rate > 0).then_some(self.body_min_rate),
                self.body_rate_grace,
            )
            .with_secure_scheme_headers(self.secure_scheme_headers.clone())
    }
}
