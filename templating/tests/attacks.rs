//! The attack suite (in-process sandbox): Jinja2 sandbox-escape payload families
//! translated to Tera, secrets and the environment, templates outside the sandbox,
//! loops that write nothing, nested loops, string and array doubling, deep nesting,
//! recursive components, huge output. Each ends in a typed error within its limits,
//! quickly, and the sandbox keeps serving. The same families through isolated mode
//! are in `isolated.rs`.

use std::time::{Duration, Instant};

use carafe_templating::sandbox::{Caps, Sandbox};
use carafe_templating::{Cap, Context, DirLoader, Error, ForbiddenKind};

/// What an attack must end in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    /// Refused when the sandbox is built.
    Refused(ForbiddenKind),
    /// Does not even parse or name-check.
    Invalid,
    /// Stopped by a cap while rendering (or while building, for load-time caps).
    Capped(Cap),
    /// A plain render error (undefined variable: the data is not there).
    Fails,
}

fn context() -> Context {
    let mut context = Context::new();
    context.insert("user", &serde_json::json!({"name": "ada"}));
    context.insert("items", &(0..1000).collect::<Vec<_>>());
    context.insert("big", &"x".repeat(100_000));
    context
}

/// Runs one payload and checks the outcome, the time it took, and that the sandbox
/// still renders normally afterwards.
fn attack(name: &str, source: &str, expected: Outcome) {
    let started = Instant::now();
    // The default caps, except the clock: on a loaded machine a debug build may run
    // out of time before the cap each payload is meant to hit (time has its own test).
    let built = Sandbox::builder()
        .caps(Caps::default().max_render_time(Duration::from_secs(60)))
        .template("payload.html", source)
        .template("ok.html", "ok {{ user.name }}")
        .build();
    let outcome = match built {
        Err(Error::Forbidden { kind, .. }) => Outcome::Refused(kind),
        Err(Error::CapExceeded { cap, .. }) => Outcome::Capped(cap),
        Err(Error::Syntax { .. } | Error::MissingParent { .. } | Error::Cycle { .. }) => {
            Outcome::Invalid
        }
        Err(other) => panic!("{name}: unexpected build error {other:?}"),
        Ok(sandbox) => {
            let outcome = match sandbox.render("payload.html", &context()) {
                Err(Error::CapExceeded { cap, .. }) => Outcome::Capped(cap),
                Err(Error::Forbidden { kind, .. }) => Outcome::Refused(kind),
                Err(Error::Render { .. }) => Outcome::Fails,
                Err(other) => panic!("{name}: unexpected render error {other:?}"),
                Ok(out) => panic!("{name}: rendered {} bytes: {:.200}", out.len(), out),
            };
            assert_eq!(
                sandbox.render("ok.html", &context()).unwrap(),
                "ok ada",
                "{name}: the sandbox still serves"
            );
            outcome
        }
    };
    let elapsed = started.elapsed();
    assert_eq!(outcome, expected, "{name}");
    assert!(elapsed < Duration::from_secs(30), "{name} took {elapsed:?}");
}

#[test]
fn jinja2_sandbox_escapes_translated_to_tera() {
    // The classic Jinja2 SSTI chains reach Python internals through dunder
    // attributes; Tera has no host objects, and the sandbox refuses `__` names.
    for (name, payload) in [
        ("mro", "{{ ''.__class__.__mro__[1].__subclasses__ }}"),
        ("globals", "{{ cycler.__init__.__globals__.os }}"),
        ("lipsum", "{{ lipsum.__globals__['os'] }}"),
        ("config", "{{ self.__dict__ }}"),
        (
            "loop-over-subclasses",
            "{% for c in [].__class__.__base__ %}{{ c }}{% endfor %}",
        ),
        ("tera-context", "{{ __tera_context }}"),
        ("tera-context-in-filter", "{{ __tera_context | tojson }}"),
        (
            "internal-loop-name",
            "{% for x in items %}{{ __tera_loop_index }}{% endfor %}",
        ),
        ("carafe-hook", "{{ [1] | __carafe_iter }}"),
    ] {
        attack(name, payload, Outcome::Refused(ForbiddenKind::Name));
    }
    // Method calls and attribute chains with calls do not exist in Tera.
    attack("method-call", "{{ config.items() }}", Outcome::Invalid);
    attack(
        "format-string",
        "{{ '{0.__class__}'.format(user) }}",
        Outcome::Invalid,
    );
    attack(
        "attr-filter-dunder",
        "{{ user | attr(name='__class__') }}",
        Outcome::Fails,
    );
}

#[test]
fn secrets_and_the_environment_are_out_of_reach() {
    // Tera 1's get_env is gone from Tera 2; nothing registers it.
    attack("get_env", "{{ get_env(name='HOME') }}", Outcome::Invalid);
    attack("env-var", "{{ HOME }}{{ PATH }}", Outcome::Fails);
    attack("secret-not-passed", "{{ secret_key }}", Outcome::Fails);
    attack(
        "now-and-files",
        "{{ now() }}{{ read_file(path='/etc/passwd') }}",
        Outcome::Invalid,
    );
}

#[test]
fn only_the_sandbox_templates_are_reachable() {
    for (name, payload) in [
        ("include-absolute", "{% include \"/etc/passwd\" %}"),
        ("include-parent", "{% include \"../secret.html\" %}"),
        (
            "extends-outside",
            "{% extends \"../../layouts/admin.html\" %}",
        ),
        ("include-unknown", "{% include \"admin/settings.html\" %}"),
    ] {
        attack(name, payload, Outcome::Refused(ForbiddenKind::Template));
    }
}

#[cfg(unix)]
#[test]
fn a_directory_link_cannot_smuggle_files_in() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.html"), "s3cr3t").unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("page.html"),
        "{% include \"secret.html\" %}",
    )
    .unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.html"),
        dir.path().join("secret.html"),
    )
    .unwrap();
    let err = Sandbox::builder()
        .loader(DirLoader::new(dir.path()))
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Forbidden {
                kind: ForbiddenKind::Template,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn loops_that_write_nothing() {
    attack(
        "range-squared",
        "{% for i in range(end=10000) %}{% for j in range(end=10000) %}{% endfor %}{% endfor %}",
        Outcome::Capped(Cap::Iterations),
    );
    attack(
        "context-cubed",
        "{% for a in items %}{% for b in items %}{% for c in items %}{% endfor %}{% endfor %}{% endfor %}",
        Outcome::Capped(Cap::Iterations),
    );
    attack(
        "comprehension-squared",
        "{% set n = [[b for b in items] for a in items] %}",
        Outcome::Capped(Cap::Iterations),
    );
    attack(
        "characters-of-a-big-string",
        "{% for a in big %}{% for b in items %}{% endfor %}{% endfor %}",
        Outcome::Capped(Cap::Iterations),
    );
    attack(
        "huge-range",
        "{% for i in range(end=1000000000) %}{% endfor %}",
        Outcome::Capped(Cap::CollectionLength),
    );
}

#[test]
fn nested_loops_with_output() {
    attack(
        "nested-output",
        "{% for a in items %}{% for b in items %}{{ a }}{{ b }}{% endfor %}{% endfor %}",
        Outcome::Capped(Cap::Iterations),
    );
}

#[test]
fn string_and_array_doubling() {
    attack(
        "string-doubling",
        "{% set s = 'ab' %}{% for i in range(end=64) %}{% set_global s = s ~ s %}{% endfor %}{{ s | length }}",
        Outcome::Capped(Cap::StringLength),
    );
    attack(
        "captured-doubling",
        "{% set s = 'ab' %}{% for i in range(end=64) %}{% set_global s %}{{ s }}{{ s }}{% endset %}{% endfor %}",
        Outcome::Capped(Cap::StringLength),
    );
    attack(
        "replace-amplification",
        "{{ big | replace(from='x', to='xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx') | length }}",
        Outcome::Capped(Cap::StringLength),
    );
    attack(
        "filter-chain-amplification",
        "{{ big | replace(from='x', to='&') | escape_html | escape_html | escape_html | length }}",
        Outcome::Capped(Cap::StringLength),
    );
    attack(
        "join-amplification",
        "{% set parts = [big, big, big, big, big, big, big, big, big, big, big] %}{{ parts | join(sep=big) | length }}",
        Outcome::Capped(Cap::StringLength),
    );
    attack(
        "array-doubling",
        "{% set a = [1] %}{% for i in range(end=64) %}{% set_global a = [...a, ...a] %}{% endfor %}",
        Outcome::Capped(Cap::CollectionLength),
    );
    attack(
        "shared-array-doubling",
        "{% set a = [1] %}{% for i in range(end=64) %}{% set_global a = [a, a] %}{% endfor %}{{ a }}",
        Outcome::Capped(Cap::CollectionLength),
    );
    attack(
        "deep-value",
        "{% set a = 1 %}{% for i in range(end=1000) %}{% set_global a = [a] %}{% endfor %}{{ a }}",
        Outcome::Capped(Cap::ValueDepth),
    );
    attack(
        "wordwrap-amplification",
        "{{ big | wordwrap(width=1, wrapstring=big) | length }}",
        Outcome::Capped(Cap::StringLength),
    );
}

#[test]
fn deep_nesting() {
    let tags = format!(
        "{}{}",
        "{% if true %}".repeat(200),
        "{% endif %}".repeat(200)
    );
    attack("nested-tags", &tags, Outcome::Capped(Cap::NestingDepth));
    let parens = format!("{{{{ {}1{} }}}}", "(".repeat(10_000), ")".repeat(10_000));
    attack("nested-parentheses", &parens, Outcome::Invalid);
    let brackets = format!("{{{{ {}1{} }}}}", "[".repeat(10_000), "]".repeat(10_000));
    attack("nested-lists", &brackets, Outcome::Invalid);
    let blocks: String = (0..200)
        .map(|i| format!("{{% block b{i} %}}"))
        .collect::<String>()
        + &"{% endblock %}".repeat(200);
    attack("nested-blocks", &blocks, Outcome::Capped(Cap::NestingDepth));
    attack(
        "include-self",
        "{% include \"payload.html\" %}",
        Outcome::Invalid,
    );
}

#[test]
fn recursive_components() {
    attack(
        "infinite-recursion",
        "{% component r(n) %}{{<r n={n + 1} />}}{% endcomponent r %}{{<r n={0} />}}",
        Outcome::Capped(Cap::RecursionDepth),
    );
    attack(
        "mutual-recursion",
        "{% component a(n) %}{{<b n={n} />}}{% endcomponent a %}{% component b(n) %}{{<a n={n} />}}{% endcomponent b %}{{<a n={0} />}}",
        Outcome::Capped(Cap::RecursionDepth),
    );
    // Within the depth cap, a loop in each level fans out exponentially: 2000^6.
    attack(
        "exponential-fan-out",
        "{% component r(n) %}{% for i in range(end=2000) %}{% if n > 0 %}{{<r n={n - 1} />}}{% endif %}{% endfor %}{% endcomponent r %}{{<r n={6} />}}",
        Outcome::Capped(Cap::Iterations),
    );
}

#[test]
fn huge_output() {
    attack(
        "repeat-big",
        "{% for i in range(end=10000) %}{{ big }}{% endfor %}",
        Outcome::Capped(Cap::OutputSize),
    );
    attack(
        "print-shared-structure",
        "{{ [big, big, big, big, big, big, big, big, big, big, big, big] }}",
        Outcome::Capped(Cap::OutputSize),
    );
    attack(
        "set-shared-structure",
        "{% set a = [big, big, big, big, big, big, big, big, big, big, big, big] %}{{ a }}",
        Outcome::Capped(Cap::StringLength),
    );
}

#[test]
fn time() {
    let sandbox = Sandbox::builder()
        .caps(Caps::default().max_render_time(Duration::from_millis(20)).max_iterations(u64::MAX))
        .template("slow.html", "{% for a in items %}{% for b in items %}{% for c in items %}{% endfor %}{% endfor %}{% endfor %}")
        .build()
        .unwrap();
    let started = Instant::now();
    let err = sandbox.render("slow.html", &context()).unwrap_err();
    assert_eq!(err.cap(), Some(Cap::RenderTime));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}
