//! Where settings come from, and in which order: defaults, then
//! `WEB_CONCURRENCY`/`PORT`/`FORWARDED_ALLOW_IPS` (gunicorn's environment
//! defaults), then the TOML file, then `CARAFE_<NAME>` variables, then
//! `CARAFE_CMD_ARGS`, then the command line. Later sources win. Other
//! `CARAFE_` variables belong to the app's configuration and are ignored.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use super::Settings;
use super::table::{self, SPECS, Spec};
use crate::{Bind, Error};

/// A snapshot of the environment variables that matter (testable without
/// touching the process environment).
#[derive(Debug, Default, Clone)]
pub(crate) struct Environment {
    vars: BTreeMap<String, String>,
}

impl Environment {
    pub(crate) fn capture() -> Self {
        Self {
            vars: std::env::vars()
                .filter(|(name, _)| {
                    name.starts_with("CARAFE_")
                        || matches!(
                            name.as_str(),
                            "WEB_CONCURRENCY" | "PORT" | "FORWARDED_ALLOW_IPS"
                        )
                })
                .collect(),
        }
    }

    #[cfg(test)]
    pub(crate) fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Self {
            vars: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }
}

/// Variables of the `CARAFE_` namespace that are not settings.
const NOT_SETTINGS: &[&str] = &["CARAFE_CMD_ARGS", "CARAFE_FDS", "CARAFE_WORKER"];

/// One source's values, applied in order; a list setting set by this source
/// replaces what earlier sources set.
struct Layer<'a> {
    settings: &'a mut Settings,
    cleared: HashSet<&'static str>,
}

impl<'a> Layer<'a> {
    fn new(settings: &'a mut Settings) -> Self {
        Self {
            settings,
            cleared: HashSet::new(),
        }
    }

    fn set(&mut self, spec: &'static Spec, value: &str) -> Result<(), Error> {
        if let Some(clear) = spec.clear
            && self.cleared.insert(spec.name)
        {
            clear(self.settings);
        }
        (spec.apply)(self.settings, value).map_err(|reason| Error::Setting {
            name: spec.name.to_owned(),
            value: value.to_owned(),
            reason,
        })
    }
}

/// Parses command-line style arguments into (spec, value) pairs.
fn parse_flags(args: &[String], source: &str) -> Result<Vec<(&'static Spec, String)>, Error> {
    let mut pairs = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let unknown = |name: &str| Error::UnknownSetting {
            name: name.to_owned(),
            source: source.to_owned(),
            suggestion: table::suggest(name),
        };
        if !arg.starts_with('-') || arg == "-" {
            return Err(Error::UnknownSetting {
                name: arg.clone(),
                source: format!("{source} (positional arguments are not accepted)"),
                suggestion: None,
            });
        }
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if arg.starts_with("--") => (name, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        // `-w4` is `-w 4`.
        let (name, inline) = if !name.starts_with("--") && name.len() > 2 && inline.is_none() {
            (&name[..2], Some(name[2..].to_owned()))
        } else {
            (name, inline)
        };
        let spec = SPECS
            .iter()
            .find(|spec| {
                spec.flags.contains(&name)
                    || (name.len() == 2 && spec.short.is_some_and(|c| name.ends_with(c)))
            })
            .ok_or_else(|| unknown(name))?;
        let value = match (spec.takes_value, inline) {
            (_, Some(value)) => value,
            (true, None) => args.next().cloned().ok_or_else(|| Error::Setting {
                name: spec.name.to_owned(),
                value: String::new(),
                reason: format!("{name} needs a value"),
            })?,
            (false, None) => "true".to_owned(),
        };
        pairs.push((spec, value));
    }
    Ok(pairs)
}

/// Splits `CARAFE_CMD_ARGS` like a shell would (whitespace, single and double
/// quotes, backslash escapes).
fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"') | None, '\\') => {
                if let Some(next) = chars.next() {
                    word.push(next);
                    in_word = true;
                }
            }
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Applies a TOML config file.
pub(crate) fn apply_file(settings: &mut Settings, path: &Path) -> Result<(), Error> {
    let shown = path.display().to_string();
    let file_error = |reason: String| Error::ConfigFile {
        path: shown.clone(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|error| file_error(error.to_string()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|error: toml::de::Error| file_error(error.to_string().trim().to_owned()))?;
    let mut layer = Layer::new(settings);
    for (key, value) in &table {
        let spec =
            SPECS
                .iter()
                .find(|spec| spec.name == key)
                .ok_or_else(|| Error::UnknownSetting {
                    name: key.clone(),
                    source: shown.clone(),
                    suggestion: table::suggest(key),
                })?;
        let values: Vec<String> = match value {
            toml::Value::Array(items) => items.iter().map(toml_text).collect(),
            toml::Value::Table(pairs) if spec.name == "secure_scheme_headers" => vec![
                pairs
                    .iter()
                    .map(|(name, value)| format!("{name}={}", toml_text(value)))
                    .collect::<Vec<_>>()
                    .join(","),
            ],
            other => vec![toml_text(other)],
        };
        if values.is_empty() && spec.clear.is_some() {
            layer.set(spec, "")?;
        }
        for value in values {
            layer.set(spec, &value)?;
        }
    }
    Ok(())
}

fn toml_text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(text) => text.clone(),
        toml::Value::Integer(number) => number.to_string(),
        toml::Value::Float(number) => number.to_string(),
        toml::Value::Boolean(flag) => flag.to_string(),
        other => other.to_string(),
    }
}

/// Loads settings from every source, in precedence order.
pub(crate) fn load(args: &[String], env: &Environment) -> Result<Settings, Error> {
    let flags = parse_flags(args, "the command line")?;
    let cmd_args = match env.get("CARAFE_CMD_ARGS") {
        Some(text) => parse_flags(&split_words(text), "CARAFE_CMD_ARGS")?,
        None => Vec::new(),
    };
    let mut named = Vec::new();
    let mut ignored = Vec::new();
    for (name, value) in &env.vars {
        let Some(key) = name.strip_prefix("CARAFE_") else {
            continue;
        };
        if NOT_SETTINGS.contains(&name.as_str()) {
            continue;
        }
        let key = key.to_ascii_lowercase();
        match SPECS.iter().find(|spec| spec.name == key) {
            Some(spec) => named.push((spec, value.clone())),
            // The namespace is shared with the app's configuration
            // (`CARAFE_ENV`, `CARAFE_SECRET_KEY`, `CARAFE_APP__...`): other
            // names are not the server's business. One that looks like a
            // misspelt setting is noted for the embedding program to warn
            // about.
            None => {
                // Closer than `suggest` asks: short names of the app's
                // (`CARAFE_ENV`) are not a typo of `bind`.
                if let Some(suggestion) =
                    table::suggest(&key).filter(|setting| table::distance(&key, setting) <= 2)
                {
                    ignored.push((
                        name.clone(),
                        format!("CARAFE_{}", suggestion.to_uppercase()),
                    ));
                }
            }
        }
    }

    let mut settings = Settings {
        ignored_env: ignored,
        ..Settings::default()
    };
    // gunicorn's environment defaults.
    if let Some(workers) = env.get("WEB_CONCURRENCY") {
        settings.set("workers", workers)?;
    }
    if let Some(port) = env.get("PORT") {
        let bind: Bind = format!("0.0.0.0:{}", port.trim()).parse()?;
        settings.bind = vec![bind];
    }
    if let Some(ips) = env.get("FORWARDED_ALLOW_IPS") {
        settings.set("forwarded_allow_ips", ips)?;
    }

    let config_of = |pairs: &[(&'static Spec, String)]| {
        pairs
            .iter()
            .rev()
            .find(|(spec, _)| spec.name == "config")
            .map(|(_, value)| value.clone())
    };
    let config = config_of(&flags)
        .or_else(|| config_of(&cmd_args))
        .or_else(|| config_of(&named));
    if let Some(path) = config.as_deref().filter(|path| !path.trim().is_empty()) {
        apply_file(&mut settings, Path::new(path.trim()))?;
    }
    for source in [named, cmd_args, flags] {
        let mut layer = Layer::new(&mut settings);
        for (spec, value) in source {
            layer.set(spec, &value)?;
        }
    }
    settings.validate()?;
    Ok(settings)
}

/// The `--help` text: every flag with its environment variable and default.
///
/// # Examples
///
/// ```
/// let help = carafe_server::usage();
/// assert!(help.contains("-w, --workers N"));
/// assert!(help.contains("CARAFE_WORKERS"));
/// ```
pub fn usage() -> String {
    let mut text = String::from(
        "Settings (precedence: command line > CARAFE_CMD_ARGS > CARAFE_<NAME> > config file > defaults):\n",
    );
    for spec in SPECS {
        let short = spec.short.map(|c| format!("-{c}, ")).unwrap_or_default();
        let value = if spec.takes_value { " N" } else { "" };
        let _ = writeln!(
            text,
            "  {short}{}{value}\n      {}  [env CARAFE_{}, toml `{}`]",
            spec.flags[0],
            spec.help,
            spec.name.to_uppercase(),
            spec.name
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn flag_spellings() {
        let env = Environment::default();
        let s = load(
            &args(&[
                "-w4",
                "--threads=3",
                "-b",
                "127.0.0.1:1",
                "--bind",
                "unix:/tmp/x",
                "--reuse-port",
                "-t",
                "0.5",
            ]),
            &env,
        )
        .unwrap();
        assert_eq!(s.workers, 4);
        assert_eq!(s.threads, 3);
        assert_eq!(s.bind.len(), 2);
        assert!(s.reuse_port);
        assert_eq!(s.timeout.as_millis(), 500);
    }

    #[test]
    fn precedence_flags_over_env_over_file_over_defaults() {
        let dir = std::env::temp_dir().join(format!("carafe-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("server.toml");
        std::fs::write(
            &file,
            "workers = 2\nthreads = 5\nkeepalive = 7\nbind = [\"127.0.0.1:1\", \"127.0.0.1:2\"]\n\
             [secure_scheme_headers]\nX-Proto = \"https\"\n",
        )
        .unwrap();
        let env = Environment::from_pairs(&[
            ("CARAFE_CONFIG", file.to_str().unwrap()),
            ("CARAFE_THREADS", "6"),
            ("CARAFE_CMD_ARGS", "--keep-alive 8 --max-requests '10'"),
            ("WEB_CONCURRENCY", "9"),
        ]);
        let s = load(&args(&["--max-requests", "11"]), &env).unwrap();
        assert_eq!(s.workers, 2, "file beats WEB_CONCURRENCY");
        assert_eq!(s.threads, 6, "CARAFE_THREADS beats the file");
        assert_eq!(s.keepalive.as_secs(), 8, "CARAFE_CMD_ARGS beats the file");
        assert_eq!(s.max_requests, 11, "the command line beats everything");
        assert_eq!(s.bind.len(), 2, "the file's list replaces the default");
        assert_eq!(
            s.secure_scheme_headers,
            vec![("x-proto".to_owned(), "https".to_owned())]
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn environment_defaults() {
        let env = Environment::from_pairs(&[("PORT", "5000"), ("WEB_CONCURRENCY", "3")]);
        let s = load(&[], &env).unwrap();
        assert_eq!(s.bind[0].to_string(), "0.0.0.0:5000");
        assert_eq!(s.workers, 3);
    }

    #[test]
    fn other_carafe_variables_are_left_alone() {
        // The app's configuration shares the namespace.
        let env = Environment::from_pairs(&[
            ("CARAFE_ENV", "production"),
            ("CARAFE_SECRET_KEY", "k"),
            ("CARAFE_APP__DATABASE__URL", "postgres://db"),
            ("CARAFE_LOG__LEVEL", "warn"),
            ("CARAFE_CONFIG_DIR", "config"),
            ("CARAFE_WORKERS", "3"),
            ("CARAFE_WORKRES", "2"),
        ]);
        let s = load(&[], &env).unwrap();
        assert_eq!(s.workers, 3);
        let ignored: Vec<_> = s.ignored_env().collect();
        assert!(
            ignored.contains(&("CARAFE_WORKRES", "CARAFE_WORKERS")),
            "a likely typo is noted: {ignored:?}"
        );
        assert!(
            ignored.contains(&("CARAFE_LOG__LEVEL", "CARAFE_LOGLEVEL")),
            "{ignored:?}"
        );
        assert!(
            !ignored.iter().any(|(name, _)| *name == "CARAFE_ENV"),
            "{ignored:?}"
        );
    }

    #[test]
    fn errors_name_the_setting_and_source() {
        let env = Environment::from_pairs(&[("CARAFE_WORKERS", "two")]);
        let error = load(&[], &env).unwrap_err().to_string();
        assert!(
            error.contains("\"two\"") && error.contains("`workers`"),
            "{error}"
        );
        let error = load(&args(&["--workers"]), &Environment::default()).unwrap_err();
        assert!(error.to_string().contains("needs a value"), "{error}");
        let error = load(&args(&["serve"]), &Environment::default()).unwrap_err();
        assert!(error.to_string().contains("positional"), "{error}");
        let error = load(&args(&["--umask", "999"]), &Environment::default()).unwrap_err();
        assert!(error.to_string().contains("`umask`"), "{error}");
    }

    #[test]
    fn shell_words() {
        assert_eq!(
            split_words(r#"--bind "a b" -w 2 'x y' c\ d"#),
            vec!["--bind", "a b", "-w", "2", "x y", "c d"]
        );
    }
}
