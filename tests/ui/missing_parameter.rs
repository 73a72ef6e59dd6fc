use carafe::prelude::*;

#[get("/users/<int:id>/posts/<slug>")]
fn post(id: i64) -> String {
    id.to_string()
}

fn main() {}
