//! The worker side: a process that puts kernel limits on itself, loads one template
//! set, then renders requests from stdin to stdout until stdin closes.

use std::io::{self, BufReader, BufWriter, Read, Write};

use nix::sys::resource::{Resource, UsageWho, getrusage, setrlimit};

use super::protocol::{
    ErrorRecord, KIND_FAILED, KIND_LOAD, KIND_LOADED, KIND_RENDER, KIND_RENDERED, Load,
    MAX_REQUEST_BYTES, Mode, Render, SandboxSpec, WorkerLimits, read_frame, write_frame,
};
use crate::data::{Format, context_from_value, parse_value};
use crate::loader::{Loader, Source};
use crate::sandbox::Sandbox;
use crate::{Environment, Error};

/// The environment variable that makes [`serve_if_requested`](super::serve_if_requested)
/// turn the current process into a worker.
pub const WORKER_ENV: &str = "CARAFE_TEMPLATING_WORKER";

/// Serves the worker protocol on stdin/stdout and exits the process.
pub fn serve() -> ! {
    // Panics inside a render are caught and answered in-band; stay silent on stderr,
    // which the pool reads only to explain a death.
    std::panic::set_hook(Box::new(|_| {}));
    let stdin = io::stdin();
    let stdout = io::stdout();
    let result = run(
        &mut BufReader::new(stdin.lock()),
        &mut BufWriter::new(stdout.lock()),
    );
    std::process::exit(match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("carafe-templating worker: {e}");
            3
        }
    })
}

enum Renderer {
    Plain(Environment),
    Sandbox(Sandbox),
}

struct Sources(Vec<Source>);

impl Loader for Sources {
    fn load(&self) -> Result<Vec<Source>, Error> {
        Ok(self.0.clone())
    }
}

fn run(input: &mut impl Read, output: &mut impl Write) -> io::Result<()> {
    let Some((KIND_LOAD, payload)) = read_frame(input, MAX_REQUEST_BYTES)? else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "expected a load request first",
        ));
    };
    let load: Load = serde_json::from_slice(&payload).map_err(io::Error::other)?;
    drop(payload);
    let cpu = CpuLimit::install(load.limits)?;
    let renderer = match build(load) {
        Ok(renderer) => renderer,
        Err(error) => return send_error(output, &error),
    };
    write_frame(output, KIND_LOADED, b"")?;
    while let Some((kind, payload)) = read_frame(input, MAX_REQUEST_BYTES)? {
        if kind != KIND_RENDER {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("unexpected frame {kind}"),
            ));
        }
        let request = Render::decode(&payload)?;
        cpu.before_render()?;
        match render(&renderer, &request) {
            Ok(page) => write_frame(output, KIND_RENDERED, page.as_bytes())?,
            Err(error) => send_error(output, &error)?,
        }
    }
    Ok(())
}

fn send_error(output: &mut impl Write, error: &Error) -> io::Result<()> {
    let record = serde_json::to_vec(&ErrorRecord::from_error(error)).map_err(io::Error::other)?;
    write_frame(output, KIND_FAILED, &record)
}

fn build(load: Load) -> Result<Renderer, Error> {
    let sources = Sources(
        load.templates
            .into_iter()
            .map(|(name, text, path)| match path {
                Some(path) => Source::new(name, text).with_path(path),
                None => Source::new(name, text),
            })
            .collect(),
    );
    Ok(match load.mode {
        Mode::Plain => Renderer::Plain(Environment::builder().loader(sources).build()?),
        Mode::Sandbox(spec) => Renderer::Sandbox(sandbox(*spec, sources)?),
    })
}

fn sandbox(spec: SandboxSpec, sources: Sources) -> Result<Sandbox, Error> {
    let mut builder = Sandbox::builder().caps(spec.caps).loader(sources);
    if let Some(names) = spec.allow_filters {
        builder = builder.allow_filters(names);
    }
    for name in &spec.deny_filters {
        builder = builder.deny_filter(name);
    }
    if let Some(names) = spec.allow_functions {
        builder = builder.allow_functions(names);
    }
    for name in &spec.deny_functions {
        builder = builder.deny_function(name);
    }
    if let Some(names) = spec.allow_tests {
        builder = builder.allow_tests(names);
    }
    for name in &spec.deny_tests {
        builder = builder.deny_test(name);
    }
    builder.build()
}

fn render(renderer: &Renderer, request: &Render<'_>) -> Result<String, Error> {
    let data = std::str::from_utf8(request.data).map_err(|_| Error::Value {
        message: "the data is not UTF-8".to_string(),
    })?;
    let context = context_from_value(parse_value(Format::Json, data)?)?;
    match renderer {
        Renderer::Plain(env) => env.render(request.name, &context),
        Renderer::Sandbox(sandbox) => sandbox.render(request.name, &context),
    }
}

/// `RLIMIT_CPU` for a long-lived worker: the soft limit (SIGXCPU) is moved before each
/// render to "CPU used so far + the per-render allowance"; the hard limit (SIGKILL)
/// stays where it was set at start, which bounds the worker's whole life.
struct CpuLimit {
    per_render: Option<u64>,
    hard: u64,
}

/// Renders a worker may serve before its lifetime CPU budget runs out.
pub(crate) const MAX_RENDERS_PER_WORKER: u64 = 256;

fn cpu_seconds_used() -> io::Result<u64> {
    let usage = getrusage(UsageWho::RUSAGE_SELF).map_err(io::Error::from)?;
    let micros =
        |t: nix::sys::time::TimeVal| t.tv_sec() as i128 * 1_000_000 + i128::from(t.tv_usec());
    let total = micros(usage.user_time()) + micros(usage.system_time());
    // Round up: the kernel compares whole seconds.
    Ok(u64::try_from((total + 999_999) / 1_000_000).unwrap_or(0))
}

impl CpuLimit {
    fn install(limits: WorkerLimits) -> io::Result<Self> {
        // No core files: a worker killed by a limit must not leave one behind.
        setrlimit(Resource::RLIMIT_CORE, 0, 0).map_err(io::Error::from)?;
        if let Some(bytes) = limits.memory_bytes {
            setrlimit(Resource::RLIMIT_AS, bytes, bytes).map_err(io::Error::from)?;
        }
        let Some(per_render) = limits.cpu_seconds else {
            return Ok(CpuLimit {
                per_render: None,
                hard: 0,
            });
        };
        let per_render = per_render.max(1);
        let hard = cpu_seconds_used()?
            .saturating_add(per_render.saturating_mul(MAX_RENDERS_PER_WORKER + 1))
            .saturating_add(1);
        setrlimit(Resource::RLIMIT_CPU, hard, hard).map_err(io::Error::from)?;
        Ok(CpuLimit {
            per_render: Some(per_render),
            hard,
        })
    }

    fn before_render(&self) -> io::Result<()> {
        let Some(per_render) = self.per_render else {
            return Ok(());
        };
        let soft = cpu_seconds_used()?
            .saturating_add(per_render)
            .min(self.hard);
        setrlimit(Resource::RLIMIT_CPU, soft, self.hard).map_err(io::Error::from)
    }
}
