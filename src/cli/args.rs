//! The command line's grammar (on clap's builder API), without running
//! anything.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Command as ClapCommand};

use super::bind::Bind;
use crate::config::Mode;

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Invocation {
    /// `--env MODE`: the mode, ahead of `CARAFE_ENV`.
    pub env: Option<Mode>,
    /// `--config-dir DIR`: the config directory, ahead of
    /// `CARAFE_CONFIG_DIR`.
    pub config_dir: Option<PathBuf>,
    /// The subcommand.
    pub command: Command,
}

/// A subcommand and its options.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command {
    /// `dev`: the development server.
    Dev {
        /// `--bind` (default `127.0.0.1:5000`, Flask's).
        bind: Bind,
        /// Off with `--no-reload`.
        reload: bool,
    },
    /// `serve`: the production server.
    Serve {
        /// Every argument after `serve` except `--env` and `--config-dir`,
        /// for the server's own parser (`--bind`, `-w`, ...).
        server_args: Vec<String>,
    },
    /// `routes`: the URL rules.
    Routes {
        /// `--bind`, checked, not used.
        bind: Option<Bind>,
        /// `--sort`.
        sort: Sort,
        /// `--json`.
        json: bool,
    },
    /// `check`: build the app, validate, serve nothing.
    Check {
        /// `--bind`: resolved as part of the check.
        bind: Option<Bind>,
    },
}

/// The order of `routes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Sort {
    /// By endpoint, then rule (Flask's default).
    #[default]
    Endpoint,
    /// By the sorted methods, then rule.
    Methods,
    /// By rule.
    Rule,
    /// In the order the rules were added, the order they are matched in.
    Match,
}

/// Help to print (exit 0) or a usage error (exit 2), with clap's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    text: String,
    error: bool,
}

impl Usage {
    /// The text to print.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether it is an error (print it to standard error, exit 2) rather
    /// than help or the version (standard output, exit 0).
    pub fn is_error(&self) -> bool {
        self.error
    }

    /// The process exit code: 0 for help, 2 for an error.
    pub fn exit_code(&self) -> u8 {
        if self.error { 2 } else { 0 }
    }
}

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for Usage {}

const ABOUT: &str = "Run, serve and inspect this Carafe app.";

const AFTER_HELP: &str = "\
The mode (which config files are read) is --env, else CARAFE_ENV, else
production; `dev` uses development when neither is given. Configuration is
read from --config-dir, else CARAFE_CONFIG_DIR, else ./config.

Examples:
  APP dev                      development server on 127.0.0.1:5000, reloading
  APP serve --bind 0.0.0.0:8000 -w 4
  APP routes --sort rule --json
  APP --env production check";

const SERVE_ABOUT: &str = "Run the production server (pre-fork workers, like gunicorn).\n\
Every option after `serve` but --env and --config-dir goes to the server.";

fn bind_arg(default: Option<&'static str>) -> Arg {
    let arg = Arg::new("bind")
        .long("bind")
        .short('b')
        .value_name("HOST:PORT")
        .help("The address to listen on")
        .value_parser(|text: &str| text.parse::<Bind>());
    match default {
        Some(default) => arg.default_value(default),
        None => arg,
    }
}

/// The clap command (exposed for completions and tests).
pub(crate) fn command(name: &str) -> ClapCommand {
    ClapCommand::new(name.to_owned())
        .about(ABOUT)
        .after_help(AFTER_HELP.replace("APP", name))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new("env")
                .long("env")
                .short('e')
                .global(true)
                .value_name("MODE")
                .help("development, production or testing (default: CARAFE_ENV, else production)")
                .value_parser(|text: &str| text.parse::<Mode>()),
        )
        .arg(
            Arg::new("config-dir")
                .long("config-dir")
                .global(true)
                .value_name("DIR")
                .help("The config directory (default: CARAFE_CONFIG_DIR, else ./config)")
                .value_parser(clap::value_parser!(PathBuf)),
        )
        .subcommand(
            ClapCommand::new("dev")
                .about("Run the development server, reloading on changes (not for production)")
                .arg(bind_arg(Some("127.0.0.1:5000")))
                .arg(
                    Arg::new("no-reload")
                        .long("no-reload")
                        .action(ArgAction::SetTrue)
                        .help("Do not watch the sources and restart on changes"),
                ),
        )
        .subcommand(
            ClapCommand::new("serve")
                .about(SERVE_ABOUT)
                .disable_help_flag(true)
                .arg(
                    Arg::new("args")
                        .num_args(0..)
                        .trailing_var_arg(true)
                        .allow_hyphen_values(true)
                        .value_name("SERVER OPTIONS")
                        .help("The server's options: --bind HOST:PORT, -w N, ... (listed below)"),
                ),
        )
        .subcommand(
            ClapCommand::new("routes")
                .about("Show the URL rules: endpoint, methods, rule")
                .arg(bind_arg(None))
                .arg(
                    Arg::new("sort")
                        .long("sort")
                        .short('s')
                        .value_name("KEY")
                        .value_parser(["endpoint", "methods", "rule", "match"])
                        .default_value("endpoint")
                        .help("Sort by endpoint, methods, rule, or match (the order rules are tried)"),
                )
                .arg(
                    Arg::new("json")
                        .long("json")
                        .action(ArgAction::SetTrue)
                        .help("Print a JSON array instead of a table"),
                ),
        )
        .subcommand(
            ClapCommand::new("check")
                .about(
                    "Build the app, validate config, logging, routes and the app's own checks; serve nothing.\n\
                     Exits with 1 when something is wrong.",
                )
                .arg(bind_arg(None)),
        )
}

/// Parses a command line; the first item is the program name, as in
/// `std::env::args_os()`.
///
/// # Errors
///
/// [`Usage`]: help was asked for, or the arguments are wrong.
///
/// # Examples
///
/// ```
/// use carafe::cli::{Command, Sort, parse};
/// use carafe::config::Mode;
///
/// let invocation = parse(["app", "--env", "testing", "routes", "--sort", "rule", "--json"]).unwrap();
/// assert_eq!(invocation.env, Some(Mode::Testing));
/// assert!(matches!(invocation.command, Command::Routes { sort: Sort::Rule, json: true, .. }));
///
/// let invocation = parse(["app", "serve", "--bind", "0.0.0.0:8000", "-w", "4"]).unwrap();
/// let Command::Serve { server_args } = invocation.command else { panic!() };
/// assert_eq!(server_args, ["--bind", "0.0.0.0:8000", "-w", "4"]);
///
/// let usage = parse(["app", "dev", "--bind", "nowhere"]).unwrap_err();
/// assert!(usage.is_error());
/// assert!(usage.text().contains("HOST:PORT"), "{usage}");
/// ```
pub fn parse<I, T>(args: I) -> Result<Invocation, Usage>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let name = args
        .first()
        .map(PathBuf::from)
        .and_then(|path| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "app".to_owned());
    parse_as(&name, args)
}

pub(crate) fn parse_as(name: &str, args: Vec<OsString>) -> Result<Invocation, Usage> {
    let matches = command(name)
        .try_get_matches_from(args)
        .map_err(|error| Usage {
            error: error.use_stderr(),
            text: error.render().to_string(),
        })?;
    let mut invocation = Invocation {
        env: matches.get_one::<Mode>("env").copied(),
        config_dir: matches.get_one::<PathBuf>("config-dir").cloned(),
        command: Command::Check { bind: None },
    };
    let Some((subcommand, sub)) = matches.subcommand() else {
        return Err(Usage {
            text: command(name).render_help().to_string(),
            error: true,
        });
    };
    invocation.env = invocation.env.or(sub.get_one::<Mode>("env").copied());
    invocation.config_dir = invocation
        .config_dir
        .or(sub.get_one::<PathBuf>("config-dir").cloned());
    invocation.command = match subcommand {
        "dev" => Command::Dev {
            bind: bind(sub).unwrap_or_else(|| Bind::new("127.0.0.1", 5000)),
            reload: !sub.get_flag("no-reload"),
        },
        "serve" => serve(name, sub, &mut invocation)?,
        "routes" => Command::Routes {
            bind: bind(sub),
            sort: match sub.get_one::<String>("sort").map(String::as_str) {
                Some("methods") => Sort::Methods,
                Some("rule") => Sort::Rule,
                Some("match") => Sort::Match,
                _ => Sort::Endpoint,
            },
            json: sub.get_flag("json"),
        },
        _ => Command::Check { bind: bind(sub) },
    };
    Ok(invocation)
}

fn bind(matches: &ArgMatches) -> Option<Bind> {
    matches.get_one::<Bind>("bind").cloned()
}

/// `serve`'s arguments: `--env` and `--config-dir` are ours, `--help` shows
/// ours and the server's options, the rest is the server's.
fn serve(name: &str, sub: &ArgMatches, invocation: &mut Invocation) -> Result<Command, Usage> {
    let raw: Vec<String> = sub
        .get_many::<String>("args")
        .map(|values| values.cloned().collect())
        .unwrap_or_default();
    let mut server_args = Vec::new();
    let mut args = raw.into_iter();
    let usage_error = |text: String| Usage { text, error: true };
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        match flag.as_str() {
            "--env" | "--config-dir" => {
                let Some(value) = inline.or_else(|| args.next()) else {
                    return Err(usage_error(format!("error: {flag} needs a value\n")));
                };
                if flag == "--env" {
                    let mode = value
                        .parse::<Mode>()
                        .map_err(|e| usage_error(format!("error: {e}\n")))?;
                    invocation.env = Some(mode);
                } else {
                    invocation.config_dir = Some(PathBuf::from(value));
                }
            }
            "-h" | "--help" => {
                let mut help = command(name)
                    .find_subcommand_mut("serve")
                    .map(|c| {
                        let mut c = c.clone().bin_name(format!("{name} serve"));
                        c.render_help().to_string()
                    })
                    .unwrap_or_default();
                help.push('\n');
                help.push_str(&super::serve::server_usage());
                return Err(Usage {
                    text: help,
                    error: false,
                });
            }
            _ => server_args.push(arg),
        }
    }
    Ok(Command::Serve { server_args })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(args: &[&str]) -> Invocation {
        parse(args.iter().copied()).unwrap_or_else(|usage| panic!("{args:?}: {usage}"))
    }

    #[test]
    fn the_grammar_is_consistent() {
        command("app").debug_assert();
    }

    #[test]
    fn dev_defaults_and_flags() {
        let invocation = parse_ok(&["app", "dev"]);
        assert_eq!(
            invocation.command,
            Command::Dev {
                bind: Bind::new("127.0.0.1", 5000),
                reload: true
            }
        );
        let invocation = parse_ok(&[
            "app",
            "dev",
            "--no-reload",
            "-b",
            "0.0.0.0:8080",
            "--env",
            "testing",
        ]);
        assert_eq!(
            invocation.command,
            Command::Dev {
                bind: Bind::new("0.0.0.0", 8080),
                reload: false
            }
        );
        assert_eq!(invocation.env, Some(Mode::Testing));
    }

    #[test]
    fn global_options_go_anywhere() {
        let before = parse_ok(&[
            "app",
            "--config-dir",
            "/etc/app",
            "--env",
            "development",
            "check",
        ]);
        let after = parse_ok(&[
            "app",
            "check",
            "--config-dir",
            "/etc/app",
            "--env",
            "development",
        ]);
        assert_eq!(before, after);
        assert_eq!(before.config_dir, Some(PathBuf::from("/etc/app")));
        let serve = parse_ok(&[
            "app",
            "serve",
            "-w",
            "2",
            "--env=production",
            "--config-dir",
            "/c",
            "--bind",
            "unix:/run/app.sock",
        ]);
        assert_eq!(serve.env, Some(Mode::Production));
        assert_eq!(serve.config_dir, Some(PathBuf::from("/c")));
        assert_eq!(
            serve.command,
            Command::Serve {
                server_args: vec![
                    "-w".into(),
                    "2".into(),
                    "--bind".into(),
                    "unix:/run/app.sock".into()
                ]
            }
        );
    }

    #[test]
    fn usage_errors_and_help() {
        for bad in [
            &["app"][..],
            &["app", "launch"],
            &["app", "routes", "--sort", "size"],
            &["app", "check", "--bind", "localhost"],
            &["app", "--env", "staging", "check"],
            &["app", "serve", "--env"],
            &["app", "dev", "--reload"],
        ] {
            let usage = parse(bad.iter().copied()).unwrap_err();
            assert!(usage.is_error(), "{bad:?}: {usage}");
            assert_eq!(usage.exit_code(), 2);
        }
        let help = parse(["app", "--help"]).unwrap_err();
        assert!(!help.is_error());
        for sub in ["dev", "serve", "routes", "check"] {
            assert!(help.text().contains(sub), "{help}");
        }
        let help = parse(["app", "serve", "--help"]).unwrap_err();
        assert!(!help.is_error());
        assert!(help.text().contains("--workers"), "{help}");
    }
}
