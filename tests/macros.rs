//! The route macros: one registration step (`register`, `register_module`),
//! options, and the compile errors (trybuild cases in `tests/ui`, each
//! with its `.stderr`).

use carafe::prelude::*;
use carafe::wrappers::test::Client;

mod shop {
    use carafe::prelude::*;

    #[route("/cart", methods = ["GET", "post"])]
    pub(super) fn cart(request: &Request) -> String {
        format!("cart {}", request.method())
    }

    #[get("/items/<int:id>", endpoint = "item")]
    pub(super) fn show_item(id: u64) -> String {
        format!("item {id}")
    }

    #[get("/dir/", strict_slashes = false)]
    pub(super) fn dir() -> &'static str {
        "dir"
    }

    /// Keywords can be rule variables (`r#type`).
    #[get("/kinds/<type>")]
    pub(super) fn kind(r#type: String) -> String {
        r#type
    }

    #[get("/color/<color:c>", converters = ["color"])]
    pub(super) fn color(c: String) -> String {
        format!("color {c}")
    }
}

#[test]
fn register_module_collects_the_routes_of_a_module() {
    use std::borrow::Cow;

    use carafe::routing::{ConvertError, Converter, Value};

    #[derive(Debug)]
    struct ColorConverter;
    impl Converter for ColorConverter {
        fn to_value<'a>(&self, text: Cow<'a, str>) -> Option<Value<'a>> {
            matches!(&*text, "red" | "green" | "blue").then_some(Value::Str(text))
        }
        fn to_url<'v>(&self, value: &'v Value<'_>) -> Result<Cow<'v, str>, ConvertError> {
            Ok(value.to_string().into())
        }
    }
    let app = App::builder()
        .url_map(|map| map.converter("color", |_| Ok(ColorConverter)))
        .register_module(&format!("{}::shop", module_path!()))
        .build();
    let mut endpoints: Vec<_> = app.endpoints().collect();
    endpoints.sort_unstable();
    assert_eq!(endpoints, ["cart", "color", "dir", "item", "kind"]);
    let client = Client::new(app);
    assert_eq!(client.get("/cart").send().text(), "cart GET");
    assert_eq!(client.post("/cart").send().text(), "cart POST");
    assert_eq!(client.put("/cart").send().status(), 405);
    assert_eq!(client.get("/items/7").send().text(), "item 7");
    assert_eq!(client.get("/dir").send().text(), "dir");
    assert_eq!(client.get("/kinds/tea").send().text(), "tea");
    assert_eq!(client.get("/color/red").send().text(), "color red");
    assert_eq!(client.get("/color/pink").send().status(), 404);
}

#[test]
fn the_function_stays_callable() {
    assert_eq!(shop::show_item(3), "item 3");
    assert_eq!(shop::kind("x".into()), "x");
}

#[test]
fn a_binding_named_like_a_handler_is_a_binding() {
    // The attribute adds a type, not a value: locals named like handlers
    // (here `cart`) are fine.
    let cart = 5;
    assert_eq!(cart + 1, 6);
}

#[test]
#[ignore = "slow: compiles every compile-fail case; run by .ci/run"]
fn compile_errors() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
