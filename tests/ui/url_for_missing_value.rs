use carafe::prelude::*;

#[get("/users/<int:id>")]
fn user(id: i64) -> String {
    id.to_string()
}

fn main() {
    let _ = url_for!(user);
}
