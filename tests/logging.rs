//! Logging: the config file, levels per target, formats, file output, the
//! writer thread.

use std::path::Path;

use carafe::config::{ConfigError, Loader, Location, Mode};
use carafe::logging::{Format, Level, LoggingConfig, LoggingError, Output};

fn loader(dir: &Path, mode: Mode, env: &[(&str, &str)]) -> Loader {
    Loader::new()
        .dir(dir)
        .mode(mode)
        .env(env.iter().map(|(k, v)| (*k, *v)))
}

fn json_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line:?}")))
        .collect()
}

#[test]
fn the_config_layers_file_mode_file_and_environment() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("logging.yaml"),
        "level: info\ntargets:\n  my_app::db: debug\n  hyper: warn\nformat: json\noutput: logs/app.log\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("logging.production.toml"),
        "level = \"warning\"\ntimestamps = false\n[targets]\nhyper = \"error\"\n",
    )
    .unwrap();
    let config = LoggingConfig::load_with(&loader(
        dir.path(),
        Mode::Production,
        &[("CARAFE_LOG__OUTPUT", "stdout"), ("CARAFE_LOG__ANSI", "no")],
    ))
    .unwrap();
    assert_eq!(config.level, Level::Warn);
    assert_eq!(config.targets["my_app::db"], Level::Debug);
    assert_eq!(config.targets["hyper"], Level::Error);
    assert_eq!(config.format, Format::Json);
    assert_eq!(config.output, Output::Stdout);
    assert_eq!(config.ansi, Some(false));
    assert!(!config.timestamps);
    assert_eq!(config.directives(), "warn,hyper=error,my_app::db=debug");

    // Another mode does not read logging.production.*.
    let config = LoggingConfig::load_with(&loader(dir.path(), Mode::Development, &[])).unwrap();
    assert_eq!(config.level, Level::Info);
    assert_eq!(config.output, Output::File("logs/app.log".into()));

    // RUST_LOG replaces the levels, not the rest.
    let config = LoggingConfig::load_with(&loader(
        dir.path(),
        Mode::Development,
        &[("RUST_LOG", "trace,hyper=off")],
    ))
    .unwrap();
    assert_eq!(config.directives(), "off,trace,hyper=off");
    assert_eq!(config.format, Format::Json);

    // No file at all: the defaults.
    let empty = tempfile::tempdir().unwrap();
    let config = LoggingConfig::load_with(&loader(empty.path(), Mode::Production, &[])).unwrap();
    assert_eq!(config, LoggingConfig::default());
}

#[test]
fn config_errors_point_at_the_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("logging.yaml"),
        "format: json\nlevel: loud\n",
    )
    .unwrap();
    let error = LoggingConfig::load_with(&loader(dir.path(), Mode::Production, &[])).unwrap_err();
    match &error {
        ConfigError::InvalidValue { key, location, .. } => {
            assert_eq!(key, "level");
            assert!(
                matches!(
                    location,
                    Location::File {
                        line: 2,
                        column: 8,
                        ..
                    }
                ),
                "{location:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    std::fs::write(dir.path().join("logging.yaml"), "formt: json\n").unwrap();
    let error = LoggingConfig::load_with(&loader(dir.path(), Mode::Production, &[])).unwrap_err();
    assert!(
        error.to_string().contains("did you mean `format`"),
        "{error}"
    );

    std::fs::write(dir.path().join("logging.yaml"), "").unwrap();
    let error = LoggingConfig::load_with(&loader(
        dir.path(),
        Mode::Production,
        &[("CARAFE_LOG__FORMAT", "xml")],
    ))
    .unwrap_err();
    assert!(
        matches!(&error, ConfigError::InvalidEnv { var, .. } if var == "CARAFE_LOG__FORMAT"),
        "{error:?}"
    );
}

#[test]
fn levels_per_target_filter_events() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut config = LoggingConfig::default();
    config.level = Level::Warn;
    config.format = Format::Json;
    config.output = Output::File(path.clone());
    config.targets.insert("shop::db".into(), Level::Debug);
    config.targets.insert("shop::noisy".into(), Level::Off);
    let logger = config.build().unwrap();
    tracing::dispatcher::with_default(logger.dispatch(), || {
        tracing::debug!(target: "shop::db", sql = "select 1", "query");
        tracing::trace!(target: "shop::db", "too detailed");
        tracing::info!(target: "shop::web", "hidden: below warn");
        tracing::warn!(target: "shop::web", "shown");
        tracing::error!(target: "shop::noisy", "silenced");
        tracing::debug!(target: "shop::db::pool", "a sub-target inherits");
    });
    assert!(logger.flush());
    let lines = json_lines(&path);
    let messages: Vec<&str> = lines
        .iter()
        .map(|l| l["fields"]["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, ["query", "shown", "a sub-target inherits"]);
    assert_eq!(lines[0]["fields"]["sql"], "select 1");
    assert_eq!(lines[0]["target"], "shop::db");
    assert_eq!(lines[0]["level"], "DEBUG");
    assert!(lines[0]["timestamp"].is_string());
}

#[test]
fn text_lines_in_a_file_have_no_colors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("text.log");
    for (format, timestamps) in [(Format::Text, true), (Format::Compact, false)] {
        let mut config = LoggingConfig::default();
        config.format = format;
        config.timestamps = timestamps;
        config.output = Output::File(path.clone());
        let logger = config.build().unwrap();
        tracing::dispatcher::with_default(logger.dispatch(), || {
            tracing::info!(user = "ann", "{format:?} line");
        });
        logger.flush();
    }
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no ANSI escapes in files: {text:?}"
    );
    assert!(
        lines[0].contains("INFO") && lines[0].contains("Text line"),
        "{text}"
    );
    assert!(lines[0].contains("user=\"ann\""), "{text}");
    assert!(
        lines[0].starts_with(|c: char| c.is_ascii_digit()),
        "timestamp first: {text}"
    );
    assert!(
        lines[1].trim_start().starts_with("INFO"),
        "no timestamp: {text}"
    );
}

#[test]
fn bad_directives_and_unopenable_files_are_errors() {
    let mut config = LoggingConfig::default();
    config.filter = Some("shop=[".into());
    let error = config.build().unwrap_err();
    assert!(matches!(error, LoggingError::Filter { .. }), "{error:?}");
    assert!(error.to_string().contains("shop=["), "{error}");

    let mut config = LoggingConfig::default();
    config.output = Output::File("/no/such/dir/app.log".into());
    let error = config.build().unwrap_err();
    assert!(matches!(error, LoggingError::Open { .. }), "{error:?}");
    assert!(
        error.to_string().contains("/no/such/dir/app.log"),
        "{error}"
    );
}

#[test]
fn the_writer_thread_keeps_lines_whole_under_concurrency() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("threads.log");
    let mut config = LoggingConfig::default();
    config.format = Format::Json;
    config.output = Output::File(path.clone());
    let logger = config.build().unwrap();
    assert!(logger.start_writer_thread().unwrap());
    std::thread::scope(|scope| {
        for thread in 0..8 {
            let dispatch = logger.dispatch().clone();
            scope.spawn(move || {
                tracing::dispatcher::with_default(&dispatch, || {
                    for i in 0..500 {
                        tracing::info!(thread, i, padding = "x".repeat(300), "event");
                    }
                });
            });
        }
    });
    assert!(logger.flush());
    let lines = json_lines(&path);
    assert_eq!(lines.len(), 4_000);
    for thread in 0..8 {
        let mut seen: Vec<u64> = lines
            .iter()
            .filter(|l| l["fields"]["thread"] == thread)
            .map(|l| l["fields"]["i"].as_u64().unwrap())
            .collect();
        // Each thread's events arrive complete and in order.
        let expected: Vec<u64> = (0..500).collect();
        assert_eq!(seen, expected);
        seen.clear();
    }
}
