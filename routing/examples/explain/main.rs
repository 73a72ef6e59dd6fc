//! `explain`: show what a set of rules does with a request, for people
//! debugging their routes.
//!
//! ```text
//! cargo run -p carafe-routing --example explain -- RULES METHOD URL
//! cargo run -p carafe-routing --example explain -- RULES --build ENDPOINT [name=value ...]
//! ```
//!
//! RULES is a file with one rule per line (blank lines and `#` comments are
//! ignored):
//!
//! ```text
//! @map server_name=example.com merge_slashes=true
//! /                      index
//! /users/<int:id>        user      methods=GET,POST
//! /num/<int(fixed_digits=3):n> num
//! /all/                  all       defaults=page:1
//! /old/<int:id>          old       redirect_to=/users/<id>
//! ```
//!
//! It prints one line: `match ENDPOINT name=value ...`, `redirect LOCATION`,
//! `not-found`, `method-not-allowed METHODS`, `options METHODS` or
//! `bad-request MESSAGE` (with `--build`: the URL or `build-error MESSAGE`)
//! and exits 0; an invalid rules file exits 2 with the reason on stderr.

mod cli;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = cli::run(&args, &mut std::io::stdout(), &mut std::io::stderr());
    std::process::exit(code);
}
