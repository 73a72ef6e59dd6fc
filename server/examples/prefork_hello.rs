//! The smallest production deployment: a closure app on carafe-server.
//!
//! ```sh
//! cargo run --release -p carafe-server --example prefork_hello -- --bind 127.0.0.1:8000 --workers 2
//! curl http://127.0.0.1:8000/
//! ```
//!
//! Every flag of `carafe_server::usage()` works (`--help` prints them); so do
//! `CARAFE_*` variables and `--config server.toml`.

use carafe_server::{Server, Settings};
use carafe_wrappers::{Request, Response};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        print!("{}", carafe_server::usage());
        return;
    }
    let result = Settings::from_args(args).and_then(|settings| {
        // The factory runs in every worker process.
        Server::new(settings).run(|| |_: Request| Response::text("Hello, World!"))
    });
    if let Err(error) = result {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}
