//! Forms and uploads: a contact form read into a typed struct, validated,
//! and shown again with its errors and values; a file upload with safe
//! names, an allow-list of extensions, a size limit (`413` as a page) and
//! the uploaded files served back.
//!
//! Run it:
//!
//! ```text
//! cargo run --example forms -- dev        # http://127.0.0.1:5000/contact and /upload
//! cargo run --example forms -- check
//! curl -F title=Holidays -F photos=@beach.jpg http://127.0.0.1:5000/upload
//! ```
//!
//! | rule | what |
//! |---|---|
//! | `GET /contact`, `POST /contact` | the form; a valid post is kept, flashed and redirected (Post/Redirect/Get); an invalid one is shown again (`422`) with a message per field |
//! | `GET /messages` | the messages received (escaped: they are user input) |
//! | `GET /upload`, `POST /upload` | several files at once; names made safe, only `png jpg jpeg gif txt pdf`, never overwriting |
//! | `GET /uploads/<path:name>` | the uploaded files (no dotfiles, nothing outside the folder) |
//!
//! Configuration (`examples/forms/config`): `max_content_length` bounds an
//! upload (2 MiB); `app.upload_folder` is where files go (a folder in the
//! system's temporary directory when unset).

mod app;

use std::process::ExitCode;

fn main() -> ExitCode {
    carafe::cli::Cli::new(app::create_app)
        .config_dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/forms/config"
        ))
        .run()
}
