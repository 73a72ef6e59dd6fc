//! The `explain` example's stable command line.

#[path = "../examples/explain/cli.rs"]
mod cli;

use std::io::Write;
use std::process::Command;

const RULES: &str = r#"
# A rules file for the explain tests.
@map server_name=example.com
/                               index
/users/<int:id>                 user      methods=GET,POST
/num/<int(fixed_digits=3):n>    num
/page/<int:n>                   page_num
/page/<name>                    page_name
/all/                           all       defaults=page:1
/all/page/<int:page>            all
/old/<int:id>                   old       redirect_to=/users/<id>
/about/                         about
/loose/                         loose     strict_slashes=false
/<any(about, help, "contact us"):p>/info  info
/                               sub_index subdomain=<user>
/v<int:major>.<int:minor>       version
/static/<path:f>/edit           edit_static
/save                           save      methods=POST
"#;

fn write_rules(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

fn run(rules: &tempfile::NamedTempFile, args: &[&str]) -> (i32, String, String) {
    let mut all = vec![rules.path().to_str().unwrap().to_owned()];
    all.extend(args.iter().map(|s| s.to_string()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::run(&all, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn explain_table() {
    let rules = write_rules(RULES);
    let cases: &[(&[&str], &str)] = &[
        (&["GET", "http://example.com/"], "match index"),
        (&["GET", "http://example.com/users/42"], "match user id=42"),
        (&["GET", "http://example.com/num/007"], "match num n=7"),
        (&["GET", "http://example.com/page/7"], "match page_num n=7"),
        (
            &["GET", "http://example.com/page/seven"],
            "match page_name name=seven",
        ),
        (&["GET", "http://example.com/all/"], "match all page=1"),
        (
            &["GET", "http://example.com/all/page/1?x=1"],
            "redirect http://example.com/all/?x=1",
        ),
        (
            &["GET", "http://example.com/all/page/2"],
            "match all page=2",
        ),
        (
            &["GET", "http://example.com/old/5"],
            "redirect http://example.com/users/5",
        ),
        (
            &["GET", "http://example.com/about?q=a"],
            "redirect http://example.com/about/?q=a",
        ),
        (&["GET", "http://example.com/loose"], "match loose"),
        (
            &["GET", "http://example.com//users//42"],
            "redirect http://example.com/users/42",
        ),
        (
            &["GET", "http://example.com/contact%20us/info"],
            "match info p=contact us",
        ),
        (
            &["GET", "http://ann.example.com/"],
            "match sub_index user=ann",
        ),
        (
            &["GET", "http://example.com/v1.2"],
            "match version major=1 minor=2",
        ),
        (
            &["GET", "http://example.com/static/css/site.css/edit"],
            "match edit_static f=css/site.css",
        ),
        (&["GET", "http://example.com/nope"], "not-found"),
        (
            &["DELETE", "http://example.com/users/42"],
            "method-not-allowed GET,HEAD,OPTIONS,POST",
        ),
        (
            &["GET", "http://example.com/save"],
            "method-not-allowed OPTIONS,POST",
        ),
        (
            &["OPTIONS", "http://example.com/users/42"],
            "options GET,HEAD,OPTIONS,POST",
        ),
        (
            &["GET", "http://example.com/page/%FF"],
            "bad-request the path is not valid utf-8 once decoded",
        ),
        (&["--build", "user", "id=7"], "/users/7"),
        (&["--build", "num", "n=7"], "/num/007"),
        (&["--build", "all", "page=1"], "/all/"),
        (
            &["--build", "all", "page=3", "sort=new"],
            "/all/page/3?sort=new",
        ),
        (
            &["--build", "sub_index", "user=bob"],
            "http://bob.example.com/",
        ),
        (
            &["--build", "usr", "id=7"],
            "build-error could not build url for endpoint 'usr' with values ['id']; did you mean 'user' instead?",
        ),
    ];
    for (args, expected) in cases {
        let (code, out, err) = run(&rules, args);
        assert_eq!(
            (code, out.trim_end(), err.as_str()),
            (0, *expected, ""),
            "{args:?}"
        );
    }
}

#[test]
fn invalid_rules_files_exit_2() {
    let cases: &[(&str, &[&str])] = &[
        ("/a a\n/a b\n", &["'/a' -> b", "'/a' -> a", "duplicates"]),
        (
            "/p/<x> a\n/p/<y> b\n",
            &["'/p/<y>' -> b", "'/p/<x>' -> a", "conflicts"],
        ),
        ("/p/<int(> a\n", &["'/p/<int(>'", "column", "endpoint a"]),
        ("/p/<foo:x> a\n", &["unknown converter 'foo'", "-> a"]),
        ("/p a methods=\n", &["line 1", "invalid method"]),
        ("/p\n", &["line 1", "expected PATTERN ENDPOINT"]),
        ("@map bogus=1\n", &["line 1", "unknown map option"]),
    ];
    for (text, needles) in cases {
        let rules = write_rules(text);
        let (code, out, err) = run(&rules, &["GET", "http://example.com/"]);
        assert_eq!((code, out.as_str()), (2, ""), "{text}");
        for needle in *needles {
            assert!(err.contains(needle), "{text}: {err:?} lacks {needle:?}");
        }
    }
}

#[test]
fn usage_errors_exit_2() {
    let rules = write_rules(RULES);
    for args in [
        &["GET"][..],
        &["GET", "/relative"],
        &["G T", "http://example.com/"],
    ] {
        let (code, _, err) = run(&rules, args);
        assert_eq!(code, 2, "{args:?}");
        assert!(!err.is_empty());
    }
}

#[test]
fn the_example_binary_runs() {
    // `cargo test` builds the examples next to the test binary's directory;
    // a filtered run (`--test main`) may not have, so build it then.
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(|d| d.parent()).unwrap();
    let bin = dir
        .join("examples")
        .join(format!("explain{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        let mut cargo = Command::new(env!("CARGO"));
        cargo.args([
            "build",
            "-q",
            "-p",
            "carafe-routing",
            "--example",
            "explain",
        ]);
        if dir.ends_with("release") {
            cargo.arg("--release");
        }
        let status = cargo.status().unwrap();
        assert!(status.success());
    }
    assert!(bin.exists(), "{} not built", bin.display());
    let rules = write_rules(RULES);
    let cases: &[(&[&str], i32, &str)] = &[
        (&["GET", "http://example.com/num/007"], 0, "match num n=7\n"),
        (&["--build", "num", "n=7"], 0, "/num/007\n"),
        (
            &["GET", "http://example.com/save"],
            0,
            "method-not-allowed OPTIONS,POST\n",
        ),
    ];
    for (args, code, stdout) in cases {
        let output = Command::new(&bin)
            .arg(rules.path())
            .args(*args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(*code), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&output.stdout), *stdout, "{args:?}");
    }
    let bad = write_rules("/a a\n/a b\n");
    let output = Command::new(&bin)
        .arg(bad.path())
        .args(["GET", "http://example.com/"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("'/a' -> b duplicates rule '/a' -> a")
    );
}
