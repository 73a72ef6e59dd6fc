use carafe::prelude::*;

#[derive(serde::Deserialize)]
struct Signup {
    email: String,
}

#[post("/signup")]
fn signup(Form(form): Form<Signup>, request: &Request) -> String {
    format!("{} {}", form.email, request.method())
}

fn main() {}
