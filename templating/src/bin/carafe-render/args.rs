//! The command line, parsed without touching the file system.

use std::ffi::OsString;
use std::path::PathBuf;

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Command {
    Render(Options),
    Help,
    Version,
    /// Internal: serve the isolated-worker protocol on stdin/stdout.
    ServeIsolated,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) dir: PathBuf,
    pub(crate) sandbox: bool,
    pub(crate) isolated: bool,
    /// `None`: JSON from stdin when it is not a terminal; `Some("-")`: JSON from stdin.
    pub(crate) data: Option<PathBuf>,
    pub(crate) out: Option<PathBuf>,
    pub(crate) template: String,
}

pub(crate) const USAGE: &str =
    "usage: carafe-render [--dir DIR] [--sandbox] [--isolated] [--data FILE] [--out FILE] TEMPLATE";

pub(crate) const HELP: &str = "\
Renders TEMPLATE (a name inside DIR, default `.`) to stdout or --out FILE.

options:
  --dir DIR     the template directory (default: the current directory)
  --data FILE   the data: .json, .yaml/.yml or .toml; `-` reads JSON from stdin;
                without --data, JSON is read from stdin when it is not a terminal
  --out FILE    write the output to FILE (replaced only when the render succeeds)
  --sandbox     untrusted templates: the sandbox's policy and caps
  --isolated    --sandbox, in a child process with hard CPU, memory and time limits
  -h, --help    this help
  -V, --version the version

exit status: 0 rendered; 1 template error or sandbox limit; 2 usage error.";

/// Parses the arguments after the program name; `Err` is a usage error message.
pub(crate) fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    let mut dir = None;
    let mut data = None;
    let mut out = None;
    let mut sandbox = false;
    let mut isolated = false;
    let mut template = None;
    let mut args = args.into_iter();
    let mut only_positional = false;
    while let Some(arg) = args.next() {
        let text = arg
            .to_str()
            .ok_or_else(|| format!("argument {arg:?} is not valid UTF-8"))?
            .to_string();
        if only_positional || !text.starts_with('-') || text == "-" {
            if template.replace(text.clone()).is_some() {
                return Err(format!("unexpected argument `{text}`: give one TEMPLATE"));
            }
            continue;
        }
        let (flag, inline) = match text.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_string(), Some(value.to_string()))
            }
            _ => (text.clone(), None),
        };
        let mut value = |name: &str| -> Result<PathBuf, String> {
            match inline
                .clone()
                .or_else(|| args.next().and_then(|v| v.into_string().ok()))
            {
                Some(v) if !v.is_empty() => Ok(PathBuf::from(v)),
                _ => Err(format!("{name} needs a value")),
            }
        };
        let no_value = |name: &str| match inline {
            Some(_) => Err(format!("{name} takes no value")),
            None => Ok(()),
        };
        match flag.as_str() {
            "--dir" => set_once(&mut dir, value("--dir")?, "--dir")?,
            "--data" => set_once(&mut data, value("--data")?, "--data")?,
            "--out" => set_once(&mut out, value("--out")?, "--out")?,
            "--sandbox" => {
                no_value("--sandbox")?;
                sandbox = true;
            }
            "--isolated" => {
                no_value("--isolated")?;
                isolated = true;
            }
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "--serve-isolated" => return Ok(Command::ServeIsolated),
            "--" => only_positional = true,
            _ => return Err(format!("unknown option `{flag}`")),
        }
    }
    let template = template.ok_or("missing TEMPLATE")?;
    Ok(Command::Render(Options {
        dir: dir.unwrap_or_else(|| PathBuf::from(".")),
        sandbox: sandbox || isolated,
        isolated,
        data,
        out,
        template,
    }))
}

fn set_once(slot: &mut Option<PathBuf>, value: PathBuf, name: &str) -> Result<(), String> {
    match slot.replace(value) {
        Some(_) => Err(format!("{name} given twice")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Command, String> {
        parse(args.iter().map(OsString::from))
    }

    #[test]
    fn full_command_line() {
        let Command::Render(options) = run(&[
            "--dir",
            "tpl",
            "--sandbox",
            "--data=d.yaml",
            "--out",
            "o.html",
            "page.html",
        ])
        .unwrap() else {
            panic!()
        };
        assert_eq!(options.dir, PathBuf::from("tpl"));
        assert!(options.sandbox && !options.isolated);
        assert_eq!(options.data, Some(PathBuf::from("d.yaml")));
        assert_eq!(options.out, Some(PathBuf::from("o.html")));
        assert_eq!(options.template, "page.html");
    }

    #[test]
    fn defaults_and_isolated_implies_sandbox() {
        let Command::Render(options) = run(&["--isolated", "a.txt"]).unwrap() else {
            panic!()
        };
        assert_eq!(options.dir, PathBuf::from("."));
        assert!(options.sandbox && options.isolated);
        assert_eq!(options.data, None);
        let Command::Render(options) = run(&["--data", "-", "--", "--weird-name"]).unwrap() else {
            panic!()
        };
        assert_eq!(options.data, Some(PathBuf::from("-")));
        assert_eq!(options.template, "--weird-name");
    }

    #[test]
    fn usage_errors() {
        for (args, message) in [
            (&[][..], "missing TEMPLATE"),
            (
                &["a", "b"][..],
                "unexpected argument `b`: give one TEMPLATE",
            ),
            (&["--dir"][..], "--dir needs a value"),
            (&["--dir="][..], "--dir needs a value"),
            (&["--frob", "a"][..], "unknown option `--frob`"),
            (&["--sandbox=yes", "a"][..], "--sandbox takes no value"),
            (&["--out", "x", "--out", "y", "a"][..], "--out given twice"),
        ] {
            assert_eq!(run(args).unwrap_err(), message, "{args:?}");
        }
        assert_eq!(run(&["-h"]).unwrap(), Command::Help);
        assert_eq!(run(&["x", "--version"]).unwrap(), Command::Version);
    }
}
