//! The table of settings: names, flags, parsers and help, in one place.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use super::{LogTarget, Settings};

/// One setting.
pub(crate) struct Spec {
    /// The setting's name (TOML key; `CARAFE_` + uppercase = env variable).
    pub(crate) name: &'static str,
    /// Long flags, the first is the canonical one.
    pub(crate) flags: &'static [&'static str],
    /// The short flag.
    pub(crate) short: Option<char>,
    /// Whether the flag takes a value (`false`: a switch, `--reuse-port`).
    pub(crate) takes_value: bool,
    /// Sets the value from its text form.
    pub(crate) apply: fn(&mut Settings, &str) -> Result<(), String>,
    /// For list settings: empties the list (a new source replaces, then adds).
    pub(crate) clear: Option<fn(&mut Settings)>,
    /// One line of help, with the default.
    pub(crate) help: &'static str,
}

fn number<T: FromStr>(value: &str) -> Result<T, String> {
    value
        .trim()
        .parse()
        .map_err(|_| "expected a non-negative whole number".to_owned())
}

fn seconds(value: &str) -> Result<Duration, String> {
    let seconds: f64 = value
        .trim()
        .parse()
        .map_err(|_| "expected a number of seconds".to_owned())?;
    if !seconds.is_finite() || !(0.0..=1e9).contains(&seconds) {
        return Err("expected a number of seconds".to_owned());
    }
    Ok(Duration::from_secs_f64(seconds))
}

fn switch(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err("expected true or false".to_owned()),
    }
}

fn optional_text(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

fn log_target(value: &str) -> LogTarget {
    match value.trim() {
        "-" => LogTarget::Std,
        path => LogTarget::File(PathBuf::from(path)),
    }
}

macro_rules! spec {
    ($name:literal, [$($flag:literal),*], $short:expr, $takes:expr, $help:literal, |$s:ident, $v:ident| $body:expr) => {
        Spec {
            name: $name,
            flags: &[$($flag),*],
            short: $short,
            takes_value: $takes,
            apply: |$s: &mut Settings, $v: &str| -> Result<(), String> { $body; Ok(()) },
            clear: None,
            help: $help,
        }
    };
}

/// Every setting, in the order `--help` lists them.
pub(crate) static SPECS: &[Spec] = &[
    spec!(
        "config",
        ["--config"],
        Some('c'),
        true,
        "the TOML config file (default: none)",
        |s, v| s.config = optional_text(v).map(PathBuf::from)
    ),
    Spec {
        name: "bind",
        flags: &["--bind"],
        short: Some('b'),
        takes_value: true,
        apply: |s, v| {
            for part in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                s.bind.push(part.parse().map_err(|e: crate::Error| match e {
                    crate::Error::Setting { reason, .. } => reason,
                    other => other.to_string(),
                })?);
            }
            Ok(())
        },
        clear: Some(|s| s.bind.clear()),
        help: "HOST:PORT, unix:PATH or fd://N; repeat for several (default: 127.0.0.1:8000)",
    },
    spec!(
        "backlog",
        ["--backlog"],
        None,
        true,
        "the listen queue length (default: 2048)",
        |s, v| s.backlog = number(v)?
    ),
    spec!(
        "reuse_port",
        ["--reuse-port"],
        None,
        false,
        "set SO_REUSEPORT on TCP sockets",
        |s, v| s.reuse_port = switch(v)?
    ),
    spec!(
        "workers",
        ["--workers"],
        Some('w'),
        true,
        "worker processes (default: 1, or $WEB_CONCURRENCY)",
        |s, v| s.workers = number(v)?
    ),
    spec!(
        "threads",
        ["--threads"],
        None,
        true,
        "handler threads per worker (default: 16)",
        |s, v| s.threads = number(v)?
    ),
    spec!(
        "io_threads",
        ["--io-threads"],
        None,
        true,
        "runtime threads per worker; 0 = CPUs / workers (default: 0)",
        |s, v| s.io_threads = number(v)?
    ),
    spec!(
        "scheduler",
        ["--scheduler"],
        None,
        true,
        "adaptive, inline, pool or blocking (default: adaptive)",
        |s, v| s.scheduler = v.trim().parse()?
    ),
    spec!(
        "worker_connections",
        ["--worker-connections"],
        None,
        true,
        "the most connections per worker (default: 1000)",
        |s, v| s.worker_connections = number(v)?
    ),
    spec!(
        "max_requests",
        ["--max-requests"],
        None,
        true,
        "recycle a worker after this many requests (default: 0, never)",
        |s, v| s.max_requests = number(v)?
    ),
    spec!(
        "max_requests_jitter",
        ["--max-requests-jitter"],
        None,
        true,
        "random extra requests per worker before recycling (default: 0)",
        |s, v| s.max_requests_jitter = number(v)?
    ),
    spec!(
        "timeout",
        ["--timeout"],
        Some('t'),
        true,
        "kill a worker silent or stuck in a handler this long, seconds (default: 30)",
        |s, v| s.timeout = seconds(v)?
    ),
    spec!(
        "graceful_timeout",
        ["--graceful-timeout"],
        None,
        true,
        "time for stopping workers to finish, seconds (default: 30)",
        |s, v| s.graceful_timeout = seconds(v)?
    ),
    spec!(
        "keepalive",
        ["--keep-alive", "--keepalive"],
        None,
        true,
        "idle keep-alive timeout, seconds; 0 disables keep-alive (default: 2)",
        |s, v| s.keepalive = seconds(v)?
    ),
    spec!(
        "limit_request_line",
        ["--limit-request-line"],
        None,
        true,
        "the longest request line, bytes; 0 = unlimited (default: 4094)",
        |s, v| s.limit_request_line = number(v)?
    ),
    spec!(
        "limit_request_fields",
        ["--limit-request-fields"],
        None,
        true,
        "the most header fields (default: 100)",
        |s, v| s.limit_request_fields = number(v)?
    ),
    spec!(
        "limit_request_field_size",
        ["--limit-request-field-size"],
        None,
        true,
        "the largest header field, bytes; 0 = unlimited (default: 8190)",
        |s, v| s.limit_request_field_size = number(v)?
    ),
    spec!(
        "header_timeout",
        ["--header-timeout"],
        None,
        true,
        "time to receive a request head, seconds (default: 30)",
        |s, v| s.header_timeout = seconds(v)?
    ),
    spec!(
        "write_timeout",
        ["--write-timeout"],
        None,
        true,
        "time a write to a non-reading client may stall, seconds (default: 30)",
        |s, v| s.write_timeout = seconds(v)?
    ),
    spec!(
        "body_min_rate",
        ["--body-min-rate"],
        None,
        true,
        "slowest request body, bytes/s after the grace period; 0 = none (default: 240)",
        |s, v| s.body_min_rate = number(v)?
    ),
    spec!(
        "body_rate_grace",
        ["--body-rate-grace"],
        None,
        true,
        "grace period of --body-min-rate, seconds (default: 5)",
        |s, v| s.body_rate_grace = seconds(v)?
    ),
    spec!(
        "forwarded_allow_ips",
        ["--forwarded-allow-ips"],
        None,
        true,
        "trusted proxies: addresses, CIDR networks or * (default: 127.0.0.1,::1)",
        |s, v| s.forwarded_allow_ips = v.parse()?
    ),
    Spec {
        name: "secure_scheme_headers",
        flags: &["--secure-scheme-headers"],
        short: None,
        takes_value: true,
        apply: |s, v| {
            for pair in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let (name, value) = pair
                    .split_once('=')
                    .ok_or("expected HEADER=VALUE pairs separated by commas")?;
                s.secure_scheme_headers
                    .push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
            }
            Ok(())
        },
        clear: Some(|s| s.secure_scheme_headers.clear()),
        help: "HEADER=VALUE pairs marking https from trusted proxies (default: gunicorn's)",
    },
    spec!(
        "accesslog",
        ["--access-logfile"],
        None,
        true,
        "access log file (Apache combined format), - for stdout (default: none)",
        |s, v| s.accesslog = optional_text(v).map(|v| log_target(&v))
    ),
    spec!(
        "errorlog",
        ["--error-logfile", "--log-file"],
        None,
        true,
        "error log file, - for stderr (default: -)",
        |s, v| s.errorlog = log_target(v)
    ),
    spec!(
        "loglevel",
        ["--log-level"],
        None,
        true,
        "debug, info, warning, error or critical (default: info)",
        |s, v| s.loglevel = v.parse()?
    ),
    spec!(
        "pidfile",
        ["--pid"],
        Some('p'),
        true,
        "write the master's pid to this file",
        |s, v| s.pidfile = optional_text(v).map(PathBuf::from)
    ),
    spec!(
        "user",
        ["--user"],
        Some('u'),
        true,
        "run workers as this user",
        |s, v| s.user = optional_text(v)
    ),
    spec!(
        "group",
        ["--group"],
        Some('g'),
        true,
        "run workers as this group",
        |s, v| s.group = optional_text(v)
    ),
    spec!(
        "umask",
        ["--umask"],
        Some('m'),
        true,
        "file mode creation mask, octal (default: 0)",
        |s, v| {
            let v = v.trim();
            let digits = v.strip_prefix("0o").unwrap_or(v);
            s.umask = u32::from_str_radix(digits, 8)
                .ok()
                .filter(|mask| *mask <= 0o777)
                .ok_or("expected an octal mask such as 022")?;
        }
    ),
];

/// The spec for a setting name, a long flag or a short flag.
pub(crate) fn find(name: &str) -> Option<&'static Spec> {
    let normalized = name.trim_start_matches('-').replace('-', "_");
    SPECS.iter().find(|spec| {
        spec.name == normalized
            || spec.flags.contains(&name)
            || spec
                .flags
                .iter()
                .any(|flag| flag.trim_start_matches('-').replace('-', "_") == normalized)
            || (name.len() == 2
                && name.starts_with('-')
                && spec.short.is_some_and(|short| name.ends_with(short)))
    })
}

/// The closest setting name (or flag, when `name` looks like one).
pub(crate) fn suggest(name: &str) -> Option<String> {
    let as_flag = name.starts_with("--");
    let key = name
        .trim_start_matches('-')
        .replace('-', "_")
        .to_ascii_lowercase();
    SPECS
        .iter()
        .map(|spec| (distance(&key, spec.name), spec))
        .filter(|(d, _)| *d <= 3.max(key.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, spec)| {
            if as_flag {
                spec.flags[0].to_owned()
            } else {
                spec.name.to_owned()
            }
        })
}

/// Levenshtein distance.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_flag_and_short_finds_its_spec() {
        for spec in SPECS {
            assert_eq!(find(spec.name).unwrap().name, spec.name);
            for flag in spec.flags {
                assert_eq!(find(flag).unwrap().name, spec.name, "{flag}");
            }
            if let Some(short) = spec.short {
                assert_eq!(find(&format!("-{short}")).unwrap().name, spec.name);
            }
        }
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("--wokers").as_deref(), Some("--workers"));
        assert_eq!(suggest("keep_alive").as_deref(), Some("keepalive"));
        assert_eq!(suggest("completely-unrelated-name"), None);
    }
}
