use carafe::prelude::*;

#[post("/both")]
fn both(Json(value): Json<serde_json::Value>, body: String) -> String {
    format!("{value} {body}")
}

fn main() {}
