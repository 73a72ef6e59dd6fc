//! Renders a welcome email with a plain-text part and an HTML part, no web framework
//! involved: templates compiled into the binary, Jinja2 filters (`date`,
//! `filesizeformat`, `wordwrap`), a global, and a `multipart/alternative` message.
//!
//! ```sh
//! cargo run -p carafe-templating --example email
//! ```

use carafe_templating::{Context, EmbeddedLoader, Environment, Error, embed_templates};
use serde::Serialize;

static TEMPLATES: &[(&str, &str)] = embed_templates!(
    "examples/email",
    ["base.html", "welcome.html", "welcome.txt"]
);

#[derive(Serialize)]
pub(crate) struct User {
    name: String,
    email: String,
    /// ISO 8601, as it comes out of a database.
    trial_ends: String,
}

#[derive(Serialize)]
pub(crate) struct File {
    name: String,
    size: u64,
}

/// The email's two parts and subject.
pub(crate) struct Email {
    pub(crate) subject: String,
    pub(crate) text: String,
    pub(crate) html: String,
}

/// Renders the welcome email for `user`.
pub(crate) fn welcome_email(
    env: &Environment,
    user: &User,
    files: &[File],
) -> Result<Email, Error> {
    let mut context = Context::new();
    context.insert("user", user);
    context.insert("files", files);
    context.insert(
        "unsubscribe_url",
        &format!("https://example.com/unsubscribe?u={}", user.email),
    );
    context.insert(
        "intro",
        "Thanks for signing up. Everything you upload is kept in your space, and nobody else can see it until you share it.",
    );
    Ok(Email {
        subject: env.render_str("Welcome to {{ company }}, {{ user.name }}", &context, false)?,
        text: env.render("welcome.txt", &context)?,
        html: env.render("welcome.html", &context)?,
    })
}

/// The environment: embedded templates, `.html` escaped, `.txt` not.
pub(crate) fn environment() -> Result<Environment, Error> {
    Environment::builder()
        .loader(EmbeddedLoader::new(TEMPLATES))
        .global("company", "Carafe & Co")
        .build()
}

/// A `multipart/alternative` message (text first, then HTML, as RFC 2046 asks), with
/// CRLF line ends throughout.
pub(crate) fn mime_message(to: &str, email: &Email) -> String {
    let boundary = "carafe-alternative-boundary";
    format!(
        "To: {to}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"{boundary}\"\r\n\r\n\
         --{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n\
         --{boundary}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n\
         --{boundary}--\r\n",
        subject = email.subject,
        text = email.text.replace('\n', "\r\n"),
        html = email.html.replace('\n', "\r\n"),
    )
}

pub(crate) fn sample() -> (User, Vec<File>) {
    let user = User {
        name: "Ada <Lovelace>".to_string(),
        email: "ada@example.com".to_string(),
        trial_ends: "2026-12-24T18:00:00Z".to_string(),
    };
    let files = vec![
        File {
            name: "notes.txt".into(),
            size: 1_523,
        },
        File {
            name: "engine.png".into(),
            size: 2_400_000,
        },
    ];
    (user, files)
}

fn main() -> Result<(), Error> {
    let env = environment()?;
    let (user, files) = sample();
    let email = welcome_email(&env, &user, &files)?;
    print!("{}", mime_message(&user.email, &email));
    Ok(())
}
