//! The contact form: typed, validated, shown again with errors.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use carafe::prelude::*;
use carafe::render_template;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The form as posted. Every field has a default, so a field left out is
/// a validation message rather than a `400` (a malformed form body still
/// is one; a body of another type is an empty form, as in Werkzeug).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub(crate) struct ContactForm {
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) topic: String,
    pub(crate) message: String,
    /// A checkbox: `on` when ticked, absent otherwise.
    pub(crate) newsletter: Option<bool>,
}

/// The topics the `<select>` offers.
const TOPICS: [&str; 3] = ["question", "bug", "other"];

impl ContactForm {
    /// Field → what is wrong with it.
    fn errors(&self) -> BTreeMap<&'static str, &'static str> {
        let mut errors = BTreeMap::new();
        let name = self.name.trim();
        if name.is_empty() {
            errors.insert("name", "Please give your name.");
        } else if name.chars().count() > 100 {
            errors.insert("name", "At most 100 characters, please.");
        }
        let email = self.email.trim();
        let plausible = email.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
        if !plausible || email.chars().any(char::is_whitespace) {
            errors.insert("email", "This does not look like an email address.");
        }
        if !TOPICS.contains(&self.topic.as_str()) {
            errors.insert("topic", "Choose a topic from the list.");
        }
        let length = self.message.trim().chars().count();
        if !(10..=2000).contains(&length) {
            errors.insert("message", "Between 10 and 2000 characters, please.");
        }
        errors
    }
}

/// The messages received (a database in a real app).
#[derive(Debug, Default)]
pub(crate) struct Inbox {
    received: Mutex<Vec<ContactForm>>,
}

impl Inbox {
    /// The messages so far, oldest first.
    pub(crate) fn messages(&self) -> Vec<serde_json::Value> {
        let messages = self.received.lock().unwrap_or_else(PoisonError::into_inner);
        messages.iter().map(|m| json!(m)).collect()
    }
}

#[get("/contact")]
pub(crate) fn contact_form(request: &Request) -> Result<Html<String>, Error> {
    let empty = ContactForm {
        topic: "question".to_owned(),
        ..ContactForm::default()
    };
    render_template(
        request,
        "contact.html",
        &json!({"form": empty, "errors": {}, "topics": TOPICS}),
    )
}

#[post("/contact")]
fn send(
    request: &Request,
    inbox: State<Inbox>,
    Form(form): Form<ContactForm>,
) -> Result<Response, Error> {
    let errors = form.errors();
    if !errors.is_empty() {
        // Shown again with what was typed and a message per field.
        let page = render_template(
            request,
            "contact.html",
            &json!({"form": form, "errors": errors, "topics": TOPICS}),
        )?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    request.flash_category(
        "success",
        format!("Thanks, {}! We will answer soon.", form.name.trim()),
    )?;
    inbox
        .received
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(form);
    Ok(Redirect::see_other(request.url_for(url_for!(contact_form))?).into_response())
}

#[get("/messages")]
fn messages(request: &Request, inbox: State<Inbox>) -> Result<Html<String>, Error> {
    render_template(
        request,
        "messages.html",
        &json!({"messages": inbox.messages()}),
    )
}

pub(crate) fn blueprint() -> Blueprint {
    Blueprint::new("contact")
        .register(contact_form)
        .register(send)
        .register(messages)
}
