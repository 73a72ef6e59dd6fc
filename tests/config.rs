//! Configuration: layering, environment overrides, Flask's defaults, errors
//! that point at the file and key, secrets that never show.

use std::path::Path;
use std::time::Duration;

use carafe::config::{Config, ConfigError, Location, Mode, Secret, Settings};
use carafe::wrappers::SameSite;
use serde::Deserialize;

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn load<T: serde::de::DeserializeOwned>(
    dir: &Path,
    mode: Mode,
    env: &[(&str, &str)],
) -> Result<Config<T>, ConfigError> {
    Config::loader()
        .dir(dir)
        .mode(mode)
        .env(env.iter().map(|(k, v)| (*k, *v)))
        .load::<T>()
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Database {
    url: String,
    #[serde(default)]
    pool: u16,
    #[serde(default)]
    password: Option<Secret<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct App {
    database: Database,
    backend: Backend,
    #[serde(default)]
    admins: Vec<String>,
    #[serde(default)]
    ratio: f64,
    #[serde(default)]
    version: String,
    #[serde(default)]
    api_token: Option<Secret<String>>,
}

const BASE_YAML: &str = "\
secret_key: base-secret-value
max_content_length: 1048576
app:
  backend: sqlite
  database:
    url: sqlite://dev.db
    pool: 2
  version: 1.10
";

#[test]
fn layers_apply_in_order_base_mode_env() {
    let dir = dir_with(&[
        ("base.yaml", BASE_YAML),
        (
            "production.toml",
            "session_cookie_secure = true\n[app.database]\nurl = \"postgres://db/prod\"\n",
        ),
        (
            "development.yaml",
            "app:\n  database:\n    url: never-read\n",
        ),
    ]);
    let config: Config<App> = load(
        dir.path(),
        Mode::Production,
        &[
            ("CARAFE_APP__DATABASE__POOL", "16"),
            ("CARAFE_APP__BACKEND", "postgres"),
            ("CARAFE_SESSION_COOKIE_NAME", "sid"),
        ],
    )
    .unwrap();
    let settings = &config.settings;
    assert_eq!(
        settings.secret_key.as_ref().map(|s| s.expose().as_str()),
        Some("base-secret-value")
    );
    assert_eq!(settings.max_content_length, Some(1_048_576));
    assert!(settings.session_cookie_secure, "production.toml");
    assert_eq!(settings.session_cookie_name, "sid", "environment");
    assert!(!settings.debug && !settings.testing);
    // The mode file replaced the url and kept the pool from the base, then
    // the environment replaced the pool.
    assert_eq!(config.app.database.url, "postgres://db/prod");
    assert_eq!(config.app.database.pool, 16);
    assert_eq!(config.app.backend, Backend::Postgres);
    // A YAML number read into a string keeps its text.
    assert_eq!(config.app.version, "1.10");
    assert_eq!(config.mode(), Mode::Production);
    let names: Vec<_> = config
        .files()
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap())
        .collect();
    assert_eq!(names, ["base.yaml", "production.toml"]);
    assert_eq!(config.env_vars().len(), 3);
}

#[test]
fn carafe_env_chooses_the_mode_and_its_defaults() {
    let dir = dir_with(&[
        ("base.yaml", BASE_YAML),
        (
            "testing.yaml",
            "app:\n  database:\n    url: 'sqlite://:memory:'\n",
        ),
    ]);
    let config: Config<App> = Config::loader()
        .dir(dir.path())
        .env([("CARAFE_ENV", "testing")])
        .load()
        .unwrap();
    assert_eq!(config.mode(), Mode::Testing);
    assert!(config.settings.testing);
    assert!(!config.settings.debug);
    assert_eq!(config.app.database.url, "sqlite://:memory:");

    let config: Config<App> = load(dir.path(), Mode::Development, &[]).unwrap();
    assert!(config.settings.debug, "development turns debug on");
    assert!(config.settings.templates_reload());

    // A file can still turn the mode's default off.
    let dir = dir_with(&[
        ("base.yaml", BASE_YAML),
        ("development.yaml", "debug: false\n"),
    ]);
    let config: Config<App> = load(dir.path(), Mode::Development, &[]).unwrap();
    assert!(!config.settings.debug);

    let error = Config::loader()
        .dir(dir.path())
        .env([("CARAFE_ENV", "staging")])
        .load::<App>()
        .unwrap_err();
    assert!(
        matches!(&error, ConfigError::UnknownMode { value, source, .. } if value == "staging" && source == "CARAFE_ENV"),
        "{error:?}"
    );
}

#[test]
fn defaults_are_flasks() {
    let dir = tempfile::tempdir().unwrap();
    let config: Config = load(dir.path(), Mode::Production, &[]).unwrap();
    let s = &config.settings;
    assert!(!s.debug);
    assert!(!s.testing);
    assert_eq!(s.propagate_exceptions, None);
    assert!(s.secret_key.is_none());
    assert!(s.secret_key_fallbacks.is_empty());
    assert_eq!(
        s.permanent_session_lifetime,
        Duration::from_secs(31 * 86_400)
    );
    assert!(!s.use_x_sendfile);
    assert_eq!(s.trusted_hosts, None);
    assert_eq!(s.server_name, None);
    assert_eq!(s.application_root, "/");
    assert_eq!(s.session_cookie_name, "session");
    assert_eq!(s.session_cookie_domain, None);
    assert_eq!(s.session_cookie_path, None);
    assert!(s.session_cookie_httponly);
    assert!(!s.session_cookie_secure);
    assert!(!s.session_cookie_partitioned);
    assert_eq!(s.session_cookie_samesite, None);
    assert!(s.session_refresh_each_request);
    assert_eq!(s.max_content_length, None);
    assert_eq!(s.max_form_memory_size, 500_000);
    assert_eq!(s.max_form_parts, 1_000);
    assert_eq!(s.send_file_max_age_default, None);
    assert_eq!(s.trap_bad_request_errors, None);
    assert!(!s.trap_http_exceptions);
    assert!(!s.explain_template_loading);
    assert_eq!(s.preferred_url_scheme, "http");
    assert_eq!(s.templates_auto_reload, None);
    assert_eq!(s.max_cookie_size, 4093);
    assert!(s.provide_automatic_options);
    assert_eq!(s.limits(), carafe::wrappers::Limits::default());
}

#[test]
fn environment_text_is_parsed_to_the_field_type() {
    let dir = tempfile::tempdir().unwrap();
    let config: Config = load(
        dir.path(),
        Mode::Production,
        &[
            ("CARAFE_DEBUG", "on"),
            ("CARAFE_SESSION_COOKIE_HTTPONLY", "0"),
            ("CARAFE_MAX_CONTENT_LENGTH", "16_777_216"),
            ("CARAFE_PERMANENT_SESSION_LIFETIME", "12h"),
            ("CARAFE_SEND_FILE_MAX_AGE_DEFAULT", "3600"),
            ("CARAFE_SESSION_COOKIE_SAMESITE", "None"),
            ("CARAFE_TRUSTED_HOSTS", "example.com, .example.org"),
            ("CARAFE_SECRET_KEY_FALLBACKS", "[\"old-1\", \"old-2\"]"),
            ("CARAFE_SERVER_NAME", ""),
            ("CARAFE_PROPAGATE_EXCEPTIONS", "true"),
        ],
    )
    .unwrap();
    let s = &config.settings;
    assert!(s.debug);
    assert!(!s.session_cookie_httponly);
    assert_eq!(s.max_content_length, Some(16_777_216));
    assert_eq!(s.limits().max_content_length(), Some(16_777_216));
    assert_eq!(s.permanent_session_lifetime, Duration::from_secs(43_200));
    assert_eq!(
        s.send_file_max_age_default,
        Some(Duration::from_secs(3_600))
    );
    // The text "None" is the attribute value; null would leave it out.
    assert_eq!(s.session_cookie_samesite, Some(SameSite::None));
    assert_eq!(
        s.trusted_hosts.as_deref(),
        Some(&["example.com".to_owned(), ".example.org".to_owned()][..])
    );
    let fallbacks: Vec<_> = s
        .secret_key_fallbacks
        .iter()
        .map(|k| k.expose().as_str())
        .collect();
    assert_eq!(fallbacks, ["old-1", "old-2"]);
    assert_eq!(s.server_name, None, "empty text is none");
    assert_eq!(s.propagate_exceptions, Some(true));
}

#[test]
fn environment_sets_nested_app_keys_lists_and_mappings() {
    let dir = dir_with(&[("base.yaml", BASE_YAML)]);
    let config: Config<App> = load(
        dir.path(),
        Mode::Production,
        &[
            ("CARAFE_APP__ADMINS", "ann, bob"),
            ("CARAFE_APP__RATIO", "0.25"),
            ("CARAFE_APP__DATABASE", "{url: 'mysql://x', pool: 3}"),
        ],
    )
    .unwrap();
    assert_eq!(config.app.admins, ["ann", "bob"]);
    assert!((config.app.ratio - 0.25).abs() < f64::EPSILON);
    assert_eq!(config.app.database.url, "mysql://x");
    assert_eq!(config.app.database.pool, 3);
}

#[test]
fn other_carafe_variables_are_not_config_keys() {
    let dir = tempfile::tempdir().unwrap();
    // The server's settings, the mode, the config dir: not config keys.
    let config: Config = load(
        dir.path(),
        Mode::Production,
        &[
            ("CARAFE_WORKERS", "4"),
            ("CARAFE_BIND", "0.0.0.0:80"),
            ("CARAFE_ENV", "production"),
            ("CARAFE_LOG__LEVEL", "debug"),
        ],
    )
    .unwrap();
    assert!(config.env_vars().is_empty());
}

#[test]
fn a_missing_default_directory_means_defaults_but_a_named_one_must_exist() {
    let error = Config::loader()
        .mode(Mode::Production)
        .env([("CARAFE_CONFIG_DIR", "/no/such/carafe/dir")])
        .load::<()>()
        .unwrap_err();
    assert!(matches!(error, ConfigError::MissingDir { .. }), "{error}");

    let dir = dir_with(&[("base.toml", "debug = true\n")]);
    let config: Config = Config::loader()
        .mode(Mode::Production)
        .env([("CARAFE_CONFIG_DIR", dir.path().as_os_str())])
        .load()
        .unwrap();
    assert!(config.settings.debug);
}

#[test]
fn extra_files_come_after_the_mode_file() {
    let dir = dir_with(&[
        ("base.yaml", "server_name: base.example\n"),
        ("local.toml", "server_name = \"local.example:5000\"\n"),
    ]);
    let config: Config = Config::loader()
        .dir(dir.path())
        .mode(Mode::Production)
        .env(Vec::<(String, String)>::new())
        .file(dir.path().join("local.toml"))
        .load()
        .unwrap();
    assert_eq!(
        config.settings.server_name.as_deref(),
        Some("local.example:5000")
    );

    let error = Config::loader()
        .dir(dir.path())
        .mode(Mode::Production)
        .env(Vec::<(String, String)>::new())
        .file(dir.path().join("missing.yaml"))
        .load::<()>()
        .unwrap_err();
    assert!(matches!(error, ConfigError::Io { .. }), "{error}");
}

// ------------------------------------------------------------------ errors

fn file_location(error: &ConfigError) -> (String, u32, u32) {
    let location = match error {
        ConfigError::InvalidValue { location, .. }
        | ConfigError::UnknownKey { location, .. }
        | ConfigError::Syntax { location, .. } => location,
        other => panic!("no location in {other:?}"),
    };
    match location {
        Location::File { path, line, column } => (
            path.file_name().unwrap().to_str().unwrap().to_owned(),
            *line,
            *column,
        ),
        other => panic!("not a file: {other:?}"),
    }
}

#[test]
fn a_wrong_type_names_the_key_file_line_and_column() {
    let dir = dir_with(&[("base.yaml", "debug: false\nmax_form_parts: many\n")]);
    let error = load::<()>(dir.path(), Mode::Production, &[]).unwrap_err();
    assert!(
        matches!(&error, ConfigError::InvalidValue { key, .. } if key == "max_form_parts"),
        "{error:?}"
    );
    assert_eq!(file_location(&error), ("base.yaml".into(), 2, 17));
    let text = error.to_string();
    assert!(text.contains("base.yaml:2:17"), "{text}");
    assert!(text.contains("`max_form_parts`"), "{text}");

    let dir = dir_with(&[(
        "production.toml",
        "[app]\nbackend = \"sqlite\"\n[app.database]\nurl = \"x\"\npool = -1\n",
    )]);
    let error = load::<App>(dir.path(), Mode::Production, &[]).unwrap_err();
    assert!(
        matches!(&error, ConfigError::InvalidValue { key, .. } if key == "app.database.pool"),
        "{error:?}"
    );
    assert_eq!(file_location(&error), ("production.toml".into(), 5, 8));

    // An enum with an unknown variant.
    let dir = dir_with(&[(
        "base.yaml",
        "app:\n  backend: oracle\n  database: {url: x}\n",
    )]);
    let error = load::<App>(dir.path(), Mode::Production, &[]).unwrap_err();
    assert_eq!(file_location(&error), ("base.yaml".into(), 2, 12));
    assert!(error.to_string().contains("oracle"), "{error}");
}

#[test]
fn syntax_errors_name_the_file_line_and_column() {
    let dir = dir_with(&[("base.yaml", "debug: true\napp: [unclosed\nx: 1\n")]);
    let error = load::<()>(dir.path(), Mode::Production, &[]).unwrap_err();
    let (file, line, _) = file_location(&error);
    assert!(matches!(error, ConfigError::Syntax { .. }), "{error:?}");
    assert_eq!(file, "base.yaml");
    assert!(line >= 2, "{error}");

    let dir = dir_with(&[("base.toml", "debug = true\nserver_name = \n")]);
    let error = load::<()>(dir.path(), Mode::Production, &[]).unwrap_err();
    assert_eq!(file_location(&error).0, "base.toml");
    assert_eq!(file_location(&error).1, 2, "{error}");

    // A duplicate key is an error, not a silent overwrite.
    let dir = dir_with(&[("base.yaml", "debug: true\ndebug: false\n")]);
    let error = load::<()>(dir.path(), Mode::Production, &[]).unwrap_err();
    assert!(matches!(error, ConfigError::Syntax { .. }), "{error:?}");

    let dir = dir_with(&[("base.yaml", "- a\n- b\n")]);
    let error = load::<()>(dir.path(), Mode::Production, &[]).unwrap_err();
    assert!(error.to_string().contains("must be a mapping"), "{error}");
}

#[test]
fn unknown_keys_are_errors_with_a_suggestion() {
    let dir = dir_with(&[("base.yaml", "debug: true\nSECRET_KEY: x\n")]);
    let error = load::<()>(dir.path(), Mode::Production, &[]).unwrap_err();
    match &error {
        ConfigError::UnknownKey {
            key, suggestion, ..
        } => {
            assert_eq!(key, "SECRET_KEY");
            assert_eq!(suggestion.as_deref(), Some("secret_key"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(file_location(&error), ("base.yaml".into(), 2, 1));
    assert!(
        error.to_string().contains("did you mean `secret_key`"),
        "{error}"
    );

    let dir = dir_with(&[("base.yaml", BASE_YAML)]);
    let error = load::<App>(
        dir.path(),
        Mode::Production,
        &[("CARAFE_APP__DATABASE__POL", "3")],
    )
    .unwrap_err();
    match error {
        ConfigError::UnknownKey {
            key,
            location,
            suggestion,
        } => {
            assert_eq!(key, "app.database.pol");
            assert_eq!(
                location,
                Location::Env {
                    var: "CARAFE_APP__DATABASE__POL".into()
                }
            );
            assert_eq!(suggestion.as_deref(), Some("pool"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_app_key_names_the_variable_that_would_set_it() {
    let dir = dir_with(&[("base.yaml", "app:\n  backend: sqlite\n  database: {}\n")]);
    let error = load::<App>(dir.path(), Mode::Production, &[]).unwrap_err();
    match &error {
        ConfigError::MissingKey { key, env_var } => {
            assert_eq!(key, "app.database.url");
            assert_eq!(env_var, "CARAFE_APP__DATABASE__URL");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_bad_environment_value_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    for (var, value, key) in [
        ("CARAFE_DEBUG", "maybe", "debug"),
        ("CARAFE_MAX_FORM_PARTS", "-5", "max_form_parts"),
        (
            "CARAFE_PERMANENT_SESSION_LIFETIME",
            "forever",
            "permanent_session_lifetime",
        ),
        (
            "CARAFE_SESSION_COOKIE_SAMESITE",
            "sometimes",
            "session_cookie_samesite",
        ),
        ("CARAFE_TRUSTED_HOSTS", "[unclosed", "trusted_hosts"),
        (
            "CARAFE_MAX_CONTENT_LENGTH",
            "99999999999999999999999",
            "max_content_length",
        ),
    ] {
        let error = load::<()>(dir.path(), Mode::Production, &[(var, value)]).unwrap_err();
        match &error {
            ConfigError::InvalidEnv {
                var: got_var,
                key: got_key,
                ..
            } => {
                assert_eq!(got_var, var);
                assert_eq!(got_key, key);
            }
            other => panic!("{var}: {other:?}"),
        }
        assert!(error.to_string().contains(var), "{error}");
    }
}

#[test]
fn other_error_cases() {
    let dir = dir_with(&[
        ("base.toml", "debug = true\n"),
        ("base.yaml", "debug: true\n"),
    ]);
    let error = load::<()>(dir.path(), Mode::Production, &[]).unwrap_err();
    assert!(matches!(error, ConfigError::Ambiguous { .. }), "{error:?}");

    let big = format!("# {}\n", "x".repeat(2 * 1024 * 1024));
    let dir = dir_with(&[("base.yaml", &big)]);
    let error = load::<()>(dir.path(), Mode::Production, &[]).unwrap_err();
    assert!(matches!(error, ConfigError::TooLarge { .. }), "{error:?}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.yaml"), b"debug: true\nx: \xff\xfe\n").unwrap();
    let error = load::<()>(dir.path(), Mode::Production, &[]).unwrap_err();
    assert_eq!(file_location(&error), ("base.yaml".into(), 2, 4));

    // `Config<()>` reads no app section: one in the files is reported.
    let dir = dir_with(&[("base.yaml", "app:\n  x: 1\n")]);
    let error = load::<()>(dir.path(), Mode::Production, &[]).unwrap_err();
    assert!(
        matches!(&error, ConfigError::InvalidValue { key, .. } if key == "app"),
        "{error:?}"
    );
}

// ------------------------------------------------------------------ secrets

#[test]
fn formatting_a_loaded_config_never_shows_secrets() {
    let dir = dir_with(&[(
        "base.yaml",
        "secret_key: file-secret-1\nsecret_key_fallbacks: [file-secret-2]\napp:\n  backend: sqlite\n  \
         database:\n    url: x\n    password: file-secret-3\n  api_token: file-secret-4\n",
    )]);
    let config: Config<App> = load(
        dir.path(),
        Mode::Production,
        &[("CARAFE_SECRET_KEY_FALLBACKS", "env-secret-5, file-secret-2")],
    )
    .unwrap();
    assert_eq!(
        config.app.api_token.as_ref().unwrap().expose(),
        "file-secret-4"
    );
    assert_eq!(
        config.app.database.password.as_ref().unwrap().expose(),
        "file-secret-3"
    );
    let shown = format!("{config:?}\n{config:#?}\n{:?}", config.settings);
    for secret in [
        "file-secret-1",
        "file-secret-2",
        "file-secret-3",
        "file-secret-4",
        "env-secret-5",
    ] {
        assert!(!shown.contains(secret), "{secret} shown in {shown}");
    }
    assert!(shown.contains("[redacted]"));
}

#[test]
fn errors_about_secret_keys_never_quote_the_value() {
    #[derive(Debug, Deserialize)]
    struct Pins {
        #[allow(dead_code)]
        db_password: u32,
    }

    // A value of the wrong type in a file.
    let dir = dir_with(&[("base.yaml", "app:\n  db_password: hunter2-in-file\n")]);
    let error = load::<Pins>(dir.path(), Mode::Production, &[]).unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("app.db_password"), "{text}");

    // ... in the environment.
    let error = load::<Pins>(
        dir.path(),
        Mode::Production,
        &[("CARAFE_APP__DB_PASSWORD", "hunter2-in-env")],
    )
    .unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("CARAFE_APP__DB_PASSWORD"), "{text}");

    // A list of secret keys written badly in the environment.
    let error = load::<()>(
        dir.path(),
        Mode::Production,
        &[("CARAFE_SECRET_KEY_FALLBACKS", "[hunter2-list")],
    )
    .unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(!text.contains("hunter2"), "{text}");

    // Syntax errors never quote source lines.
    for (name, body) in [
        ("base.yaml", "secret_key: \"hunter2-syntax\n  bad: [\n"),
        ("base.toml", "secret_key = \"hunter2-syntax\nx = \n"),
    ] {
        let dir = dir_with(&[(name, body)]);
        let error = load::<()>(dir.path(), Mode::Production, &[]).unwrap_err();
        let text = format!("{error} {error:?}");
        assert!(!text.contains("hunter2"), "{name}: {text}");
        assert!(
            matches!(error, ConfigError::Syntax { .. }),
            "{name}: {text}"
        );
    }
}

#[test]
fn keys_named_like_secrets_but_read_as_plain_values_are_reported() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Mixed {
        db_password: String,
        api_tokens: Vec<String>,
        signing_key: Secret<String>,
        token_ttl: Option<u32>,
        name: String,
    }

    let dir = dir_with(&[(
        "base.yaml",
        "secret_key: s\nsecret_key_fallbacks: [a]\napp:\n  db_password: p\n  api_tokens: [t1, t2]\n  \
         signing_key: k\n  name: shop\n",
    )]);
    let config: Config<Mixed> = load(
        dir.path(),
        Mode::Production,
        &[("CARAFE_APP__TOKEN_TTL", "60")],
    )
    .unwrap();
    // Flask's secret keys are Secrets; the app's plain ones are reported
    // (a key merely containing "token" too: the check errs on the safe side).
    assert_eq!(
        config.exposed_secrets(),
        ["app.db_password", "app.api_tokens", "app.token_ttl"]
    );
    let shown = format!("{config:?}");
    assert!(
        shown.contains("\"p\""),
        "what the report warns about: {shown}"
    );
}

#[test]
fn settings_is_a_plain_struct_with_documented_keys() {
    let mut settings = Settings::default();
    settings.max_content_length = Some(10);
    settings.secret_key = Some(Secret::new("k".into()));
    assert_eq!(settings.limits().max_content_length(), Some(10));
    assert_eq!(Settings::keys().len(), 34);
}

// ------------------------------------------------------------ hostile input

#[test]
fn arbitrary_file_contents_never_panic() {
    // A bounded, deterministic sweep: every config byte sequence of a small
    // generator goes through both parsers and the typed load.
    let pieces: &[&str] = &[
        "a", ":", " ", "\n", "[", "]", "{", "}", "\"", "'", "=", "-", "*x", "&x", "<<", "!!",
        "debug", "app", "1e999", "0x", "\t", "#", ",", "\\", "é", ".",
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..600 {
        let mut text = String::new();
        for _ in 0..(seed % 24) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
        }
        for name in ["base.yaml", "base.toml"] {
            let other = if name == "base.yaml" {
                "base.toml"
            } else {
                "base.yaml"
            };
            let _ = std::fs::remove_file(dir.path().join(other));
            std::fs::write(dir.path().join(name), &text).unwrap();
            let _ = load::<serde::de::IgnoredAny>(dir.path(), Mode::Production, &[]);
        }
    }
    // An alias bomb is refused by serde-saphyr's budget, not expanded.
    let mut bomb = String::from("app:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..12 {
        let previous = format!("*a{}", level - 1);
        let items = [previous.as_str(); 10].join(", ");
        bomb.push_str(&format!("  a{level}: &a{level} [{items}]\n"));
    }
    std::fs::remove_file(dir.path().join("base.toml")).ok();
    std::fs::write(dir.path().join("base.yaml"), bomb).unwrap();
    let started = std::time::Instant::now();
    let result = load::<serde::de::IgnoredAny>(dir.path(), Mode::Production, &[]);
    assert!(
        matches!(result, Err(ConfigError::Syntax { .. })),
        "an alias bomb must be refused by the parser: {result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}
