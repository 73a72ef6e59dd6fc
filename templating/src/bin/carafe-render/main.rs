//! `carafe-render`: renders a template from a directory with JSON, YAML or TOML data,
//! with no web part at all.
//!
//! ```text
//! carafe-render [--dir DIR] [--sandbox] [--isolated] [--data FILE] [--out FILE] TEMPLATE
//! ```
//!
//! Exit status: 0 when rendered; 1 with a one-paragraph message on stderr for a
//! template error or a sandbox limit (the message names the cap); 2 for a usage error
//! (bad arguments, unreadable data).
//!
//! The process never dies by a signal or an abort, whatever the template: the render
//! itself always runs in a child process (this same binary, serving the isolated-worker
//! protocol), and a child that dies is reported as exit 1 naming the limit. Plain mode
//! gives the child a 4 GiB address-space guard; `--sandbox` adds the sandbox's policy
//! and caps; `--isolated` adds hard CPU (2 s), memory (512 MiB) and wall-clock (5 s)
//! limits.

mod args;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use carafe_templating::data::{Format, parse_value};
use carafe_templating::isolated::{self, IsolatedRenderer, ProcessLimits};
use carafe_templating::{DirLoader, Error, Loader, Value, needed_by};

use args::{Command, Options};

/// The most data read from a file or stdin.
const MAX_DATA_BYTES: u64 = 64 << 20;

/// Plain and `--sandbox` renders: a guard against a runaway template, not a policy.
const GUARD_MEMORY_BYTES: u64 = 4 << 30;

enum Failure {
    /// Exit 2.
    Usage(String),
    /// Exit 1.
    Template(String),
}

fn main() -> ExitCode {
    isolated::serve_if_requested();
    // A bug in this program must still end in a message and exit status 1, never an
    // abort.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("carafe-render: internal error: {info}");
        std::process::exit(1);
    }));
    let command = match args::parse(std::env::args_os().skip(1)) {
        Ok(command) => command,
        Err(message) => return usage_error(&message),
    };
    let options = match command {
        Command::ServeIsolated => isolated::serve(),
        Command::Help => {
            println!("{}\n\n{}", args::USAGE, args::HELP);
            return ExitCode::SUCCESS;
        }
        Command::Version => {
            println!("carafe-render {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Command::Render(options) => options,
    };
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => usage_error(&message),
        Err(Failure::Template(message)) => {
            eprintln!("carafe-render: {message}");
            ExitCode::from(1)
        }
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("carafe-render: {message}\n{}", args::USAGE);
    ExitCode::from(2)
}

fn run(options: &Options) -> Result<(), Failure> {
    let data = read_data(options)?;
    if !options.dir.is_dir() {
        return Err(Failure::Usage(format!(
            "--dir {}: not a directory",
            options.dir.display()
        )));
    }
    if let Some(out) = &options.out {
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !parent.is_dir() {
            return Err(Failure::Usage(format!(
                "--out {}: no such directory",
                out.display()
            )));
        }
    }
    let report = |e: Error| Failure::Template(e.report());
    // Only what TEMPLATE needs: an unrelated broken file in DIR does not matter.
    let sources = needed_by(
        DirLoader::new(&options.dir).load().map_err(report)?,
        &options.template,
    );
    let program = std::env::current_exe().map_err(|e| {
        Failure::Template(format!(
            "cannot find this program to start the renderer: {e}"
        ))
    })?;
    let mut builder = IsolatedRenderer::builder()
        .program(program, ["--serve-isolated"])
        .workers(1)
        .loader(Sources(sources));
    builder = if options.isolated {
        builder.limits(ProcessLimits::default())
    } else {
        builder.limits(ProcessLimits::none().memory_bytes(GUARD_MEMORY_BYTES))
    };
    if !options.sandbox {
        builder = builder.plain();
    }
    let renderer = builder.build().map_err(report)?;
    let page = renderer.render(&options.template, &data).map_err(report)?;
    write_output(options.out.as_deref(), page.as_bytes())
}

struct Sources(Vec<carafe_templating::Source>);

impl Loader for Sources {
    fn load(&self) -> Result<Vec<carafe_templating::Source>, Error> {
        Ok(self.0.clone())
    }
}

/// The template data: a map, from `--data` (by extension) or JSON on stdin.
fn read_data(options: &Options) -> Result<Value, Failure> {
    let (text, format, origin) = match options.data.as_deref() {
        Some(path) if path == Path::new("-") => (
            read_limited(std::io::stdin(), "stdin")?,
            Format::Json,
            "stdin".to_string(),
        ),
        Some(path) => {
            let name = path.display().to_string();
            let format = Format::from_extension(&name).ok_or_else(|| {
                Failure::Usage(format!(
                    "--data {name}: unknown format (use .json, .yaml, .yml or .toml)"
                ))
            })?;
            let file = std::fs::File::open(path)
                .map_err(|e| Failure::Usage(format!("--data {name}: {e}")))?;
            (read_limited(file, &name)?, format, name)
        }
        None if !std::io::stdin().is_terminal() => (
            read_limited(std::io::stdin(), "stdin")?,
            Format::Json,
            "stdin".to_string(),
        ),
        None => (String::new(), Format::Json, String::new()),
    };
    if text.trim().is_empty() {
        return Ok(Value::from(carafe_templating::tera::Map::default()));
    }
    let value = parse_value(format, &text).map_err(|e| Failure::Usage(format!("{origin}: {e}")))?;
    if !value.is_map() {
        return Err(Failure::Usage(format!(
            "{origin}: the data must be a map of names to values, not {}",
            value.name()
        )));
    }
    Ok(value)
}

fn read_limited(input: impl Read, origin: &str) -> Result<String, Failure> {
    let mut bytes = Vec::new();
    input
        .take(MAX_DATA_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::Usage(format!("{origin}: {e}")))?;
    if bytes.len() as u64 > MAX_DATA_BYTES {
        return Err(Failure::Usage(format!(
            "{origin}: larger than {} MiB",
            MAX_DATA_BYTES >> 20
        )));
    }
    String::from_utf8(bytes).map_err(|_| Failure::Usage(format!("{origin}: not UTF-8")))
}

/// Stdout, or `--out` replaced atomically (a temporary file renamed over it).
fn write_output(out: Option<&Path>, page: &[u8]) -> Result<(), Failure> {
    let failed = |what: &Path, e: std::io::Error| {
        Failure::Template(format!("cannot write {}: {e}", what.display()))
    };
    let Some(out) = out else {
        let mut stdout = std::io::stdout().lock();
        return stdout
            .write_all(page)
            .and_then(|()| stdout.flush())
            .map_err(|e| failed(Path::new("stdout"), e));
    };
    let mut temporary = PathBuf::from(out);
    let file_name = format!(
        ".{}.carafe-render-{}.tmp",
        out.file_name().and_then(|n| n.to_str()).unwrap_or("out"),
        std::process::id()
    );
    temporary.set_file_name(file_name);
    let result = std::fs::write(&temporary, page).and_then(|()| std::fs::rename(&temporary, out));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temporary);
        return Err(failed(out, e));
    }
    Ok(())
}
