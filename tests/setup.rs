//! Registration errors fail at start-up, naming the line that registered
//! the problem (rules that do not parse or collide, duplicate endpoints,
//! functions that are not routes).

use carafe::prelude::*;
use carafe::routing::Rule;
use carafe::{SetupError, SetupProblem};

fn a(_: &Request) -> &'static str {
    "a"
}

fn b(_: &Request) -> &'static str {
    "b"
}

fn error(result: Result<App, SetupError>) -> String {
    result.unwrap_err().to_string()
}

#[test]
fn conflicting_rules_name_both_lines() {
    let first = line!() + 2;
    let result = App::builder()
        .route("/page/<x>", a)
        .route("/page/<y>", b)
        .try_build();
    let text = error(result);
    assert!(
        text.contains("rule '/page/<y>' (GET) -> b conflicts with rule '/page/<x>' (GET) -> a"),
        "{text}"
    );
    assert!(
        text.contains(&format!("registered at {}:{}:", file!(), first + 1)),
        "{text}"
    );
    assert!(
        text.contains(&format!("the other rule at {}:{}:", file!(), first)),
        "{text}"
    );
}

#[test]
fn a_bad_rule_names_its_line() {
    let line = line!() + 1;
    let result = App::builder().route("/users/<int:>", a).try_build();
    let text = error(result);
    assert!(
        text.contains("invalid rule '/users/<int:>' at column 13"),
        "{text}"
    );
    assert!(text.contains(&format!("{}:{line}:", file!())), "{text}");
    let result = App::builder().route("/<color:c>", a).try_build();
    assert!(error(result).contains("unknown converter 'color'"));
}

#[test]
fn duplicate_endpoints() {
    let result = App::builder()
        .add_url_rule(Rule::new("/a", "same"), a)
        .add_url_rule(Rule::new("/b", "same"), b)
        .try_build();
    let problem = result.unwrap_err();
    assert!(matches!(
        problem.problems(),
        [SetupProblem::DuplicateEndpoint { endpoint, .. }] if endpoint == "same"
    ));
    // One handler under one endpoint with several rules is fine.
    let app = App::builder()
        .add_url_rule(Rule::new("/a", "same"), a)
        .add_url_rule(Rule::new("/a/<int:n>", "same"), a)
        .build();
    assert_eq!(app.endpoints().collect::<Vec<_>>(), ["same"]);
}

#[test]
fn every_problem_is_listed() {
    let result = App::builder()
        .add_url_rule(Rule::new("/a", "same"), a)
        .add_url_rule(Rule::new("/b", "same"), b)
        .register_blueprint(Blueprint::new("x.y"))
        .error_handler(200, |_: &Error, _: &Request| "")
        .try_build();
    let text = error(result);
    assert!(text.starts_with("3 problems:"), "{text}");
}

#[test]
fn registering_a_plain_function_is_an_error() {
    let result = App::builder().register(a).try_build();
    let text = error(result);
    assert!(
        text.contains("is not a function marked with #[route]"),
        "{text}"
    );
    assert!(text.contains(file!()), "{text}");
}

#[test]
#[should_panic(expected = "the app cannot start")]
fn build_panics() {
    let _ = App::builder().route("/<", a).build();
}

#[test]
fn an_empty_secret_key_is_refused() {
    let result = App::builder().secret_key("").try_build();
    assert!(error(result).contains("the secret key is empty"));
}
