//! Templates (Flask's `render_template`): the app's [`Environment`] from a
//! template folder, and what every template gets — `request`, `session`,
//! `url_for()`, `static_url()` and `get_flashed_messages()`.
//!
//! `request` and `session` are put in the context only for templates that
//! use them (Tera's variable analysis, parents and includes included), so a
//! page that does not pays nothing for them and does not read the session.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use carafe_routing::Value as UrlValue;
use carafe_templating::{Context, Environment, Kwargs, RenderScope, State, Value};
use carafe_wrappers::Request;
use http::Method;
use percent_encoding::percent_decode_str;
use serde::Serialize;

use crate::app::{App, AppInner};
use crate::context::{RequestContext, RequestExt};
use crate::error::Error;
use crate::response::Html;
use crate::session::Flash;
use crate::url::{UrlBase, UrlFor};

/// The app's templates, and which of them use `request` and `session`.
pub(crate) struct Templates {
    pub(crate) env: Environment,
    /// Per template, for a frozen environment (computed per render when it
    /// reloads).
    needs: Option<HashMap<String, Needs>>,
}

#[derive(Clone, Copy, Default)]
struct Needs {
    request: bool,
    session: bool,
}

fn needs_of(env: &Environment, name: &str) -> Needs {
    env.with_tera(|tera| match tera.get_template_variables(name) {
        Ok(vars) => Needs {
            request: vars.contains("request"),
            session: vars.contains("session"),
        },
        Err(_) => Needs::default(),
    })
}

impl Templates {
    pub(crate) fn new(env: Environment) -> Self {
        let needs = (!env.auto_reloads()).then(|| {
            env.template_names()
                .into_iter()
                .map(|name| {
                    let needs = needs_of(&env, &name);
                    (name, needs)
                })
                .collect()
        });
        Templates { env, needs }
    }

    fn needs(&self, name: &str) -> Needs {
        match &self.needs {
            Some(map) => map.get(name).copied().unwrap_or_default(),
            None => needs_of(&self.env, name),
        }
    }
}

/// The request as templates see it (Flask's `request` in templates).
#[derive(Serialize)]
struct RequestView<'r> {
    method: &'r str,
    scheme: &'r str,
    host: &'r str,
    path: String,
    full_path: String,
    script_root: &'r str,
    url: String,
    base_url: String,
    url_root: String,
    args: HashMap<&'r str, &'r str>,
    endpoint: Option<&'r str>,
    blueprint: Option<&'r str>,
    remote_addr: Option<String>,
}

impl<'r> RequestView<'r> {
    fn of(request: &'r Request) -> Self {
        let path = percent_decode_str(request.path_info())
            .decode_utf8_lossy()
            .into_owned();
        let query = request.query_string();
        let url_root = format!(
            "{}://{}{}/",
            request.scheme(),
            request.host(),
            request.script_root()
        );
        let base_url = format!(
            "{}://{}{}{}",
            request.scheme(),
            request.host(),
            request.script_root(),
            request.path_info()
        );
        let mut args = HashMap::new();
        if let Ok(pairs) = request.args() {
            for (key, value) in pairs.iter() {
                args.entry(key).or_insert(value.as_str());
            }
        }
        RequestView {
            method: request.method().as_str(),
            scheme: request.scheme().as_str(),
            host: request.host(),
            full_path: format!("{path}?{query}"),
            path,
            script_root: request.script_root(),
            url: if query.is_empty() {
                base_url.clone()
            } else {
                format!("{base_url}?{query}")
            },
            base_url,
            url_root,
            args,
            endpoint: request.endpoint(),
            blueprint: request.blueprint(),
            remote_addr: request.remote_addr().map(|a| a.ip().to_string()),
        }
    }
}

/// What `url_for()` in a template builds against.
struct UrlScope {
    app: App,
    host: String,
    scheme: String,
    script_root: String,
    method: Method,
    blueprint: Option<String>,
    /// Outside requests: absolute URLs with the server name.
    app_only: bool,
}

impl UrlScope {
    fn of(request: &Request, context: &RequestContext) -> Self {
        UrlScope {
            app: context.app.clone(),
            host: request.host().to_owned(),
            scheme: request.scheme().as_str().to_owned(),
            script_root: request.script_root().to_owned(),
            method: request.method().clone(),
            blueprint: context.blueprint_name().map(str::to_owned),
            app_only: false,
        }
    }

    fn build(&self, url: UrlFor<'_>) -> Result<String, crate::UrlError> {
        if self.app_only {
            return url.build_for_app(&self.app);
        }
        url.build_in(&UrlBase {
            app: &self.app.inner,
            host: &self.host,
            scheme: &self.scheme,
            script_root: &self.script_root,
            method: &self.method,
            blueprint: self.blueprint.as_deref(),
        })
    }
}

/// The flashed messages a template may take, and whether it did.
struct FlashScope {
    messages: Vec<Flash>,
    taken: AtomicBool,
}

fn tera_error(message: impl std::fmt::Display) -> carafe_templating::tera::Error {
    carafe_templating::tera::Error::message(message.to_string())
}

fn url_value(value: &Value) -> Option<UrlValue<'static>> {
    if let Some(text) = value.as_str() {
        return Some(UrlValue::from(text.to_owned()));
    }
    if let Some(flag) = value.as_bool() {
        return Some(UrlValue::Bool(flag));
    }
    if let Some(int) = value.as_i64() {
        return Some(UrlValue::Int(int));
    }
    if let Some(float) = value.as_f64() {
        return Some(UrlValue::Float(float));
    }
    if let Some(items) = value.as_array() {
        return Some(UrlValue::List(items.iter().filter_map(url_value).collect()));
    }
    None
}

/// `url_for(endpoint="...", name=value, _external=true, _anchor="...",
/// _method="POST", _scheme="https")`.
fn url_for_function(
    kwargs: Kwargs,
    _: &State<'_>,
) -> Result<String, carafe_templating::tera::Error> {
    let scope = RenderScope::current::<UrlScope>()
        .ok_or_else(|| tera_error("url_for() needs a template rendered by the app"))?;
    let endpoint: &str = kwargs.must_get("endpoint")?;
    let mut url = UrlFor::new(endpoint.to_owned());
    for (key, value) in kwargs.iter() {
        let Some(name) = key.as_str() else { continue };
        match name {
            "endpoint" => {}
            "_external" => url = url.external(value.is_truthy()),
            "_anchor" => url = url.anchor(value.as_str().unwrap_or_default().to_owned()),
            "_scheme" => url = url.scheme(value.as_str().unwrap_or_default().to_owned()),
            "_method" => {
                let method = value.as_str().unwrap_or_default();
                let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes())
                    .map_err(|_| tera_error(format!("url_for(): invalid method {method:?}")))?;
                url = url.method(method);
            }
            _ => {
                if let Some(value) = url_value(value) {
                    url = url.value(name.to_owned(), value);
                }
            }
        }
    }
    scope.build(url).map_err(tera_error)
}

/// `static_url(filename="css/site.css")`: `url_for("static", filename=...)`.
fn static_url_function(
    kwargs: Kwargs,
    _: &State<'_>,
) -> Result<String, carafe_templating::tera::Error> {
    let scope = RenderScope::current::<UrlScope>()
        .ok_or_else(|| tera_error("static_url() needs a template rendered by the app"))?;
    let filename: &str = kwargs.must_get("filename")?;
    scope
        .build(UrlFor::new("static").value("filename", filename.to_owned()))
        .map_err(tera_error)
}

/// `get_flashed_messages(with_categories=false, category_filter=[...])`.
fn flashed_function(
    kwargs: Kwargs,
    _: &State<'_>,
) -> Result<Value, carafe_templating::tera::Error> {
    let with_categories = kwargs.get::<bool>("with_categories")?.unwrap_or(false);
    let filter: Vec<String> = match kwargs.get::<&[Value]>("category_filter")? {
        Some(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        None => Vec::new(),
    };
    let Some(scope) = RenderScope::current::<FlashScope>() else {
        return Ok(Value::from_serializable(&Vec::<String>::new()));
    };
    scope.taken.store(true, Ordering::Relaxed);
    let chosen = scope
        .messages
        .iter()
        .filter(|flash| filter.is_empty() || filter.contains(&flash.category));
    Ok(if with_categories {
        let pairs: Vec<(&str, &str)> = chosen
            .map(|flash| (flash.category.as_str(), flash.message.as_str()))
            .collect();
        Value::from_serializable(&pairs)
    } else {
        let messages: Vec<&str> = chosen.map(|flash| flash.message.as_str()).collect();
        Value::from_serializable(&messages)
    })
}

/// Registers the app's template functions.
pub(crate) fn register(
    builder: carafe_templating::EnvironmentBuilder,
) -> carafe_templating::EnvironmentBuilder {
    builder
        .function("url_for", url_for_function)
        .function("static_url", static_url_function)
        .function("get_flashed_messages", flashed_function)
}

/// A template that cannot be rendered because the app has none.
#[derive(Debug)]
struct NoTemplates;

impl std::fmt::Display for NoTemplates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "the app has no templates: give it a folder with AppBuilder::template_folder \
             (or templates with AppBuilder::templates)",
        )
    }
}

impl std::error::Error for NoTemplates {}

fn context_of(values: &impl Serialize) -> Result<Context, Error> {
    let value = Value::try_from_serializable(values).map_err(|e| Error::msg(e.to_string()))?;
    if value.is_none() || value.is_undefined() {
        return Ok(Context::new());
    }
    Context::from_serialize(values)
        .map_err(|e| Error::msg(format!("a template context must be a struct or a map: {e}")))
}

/// Renders the template `name` of the request's app with `context` (a
/// struct or a map that serializes; `()` for none), as Flask's
/// `render_template`. Templates also see `request`, `session`,
/// `url_for(endpoint=...)`, `static_url(filename=...)` and
/// `get_flashed_messages()`.
///
/// # Errors
///
/// The template's error (it names the file and line), or the app has no
/// templates; through `?` a `500`.
///
/// # Examples
///
/// ```
/// use carafe::prelude::*;
/// use carafe::render_template;
/// use carafe::wrappers::test::Client;
///
/// #[get("/hello/<name>")]
/// fn hello(name: String, request: &Request) -> Result<Html<String>, Error> {
///     render_template(request, "hello.html", &serde_json::json!({"name": name}))
/// }
///
/// let app = App::builder()
///     .templates(|env| {
///         env.template("hello.html", r#"<a href="{{ url_for(endpoint='hello', name='x y') }}">Hi {{ name }}</a> {{ request.method }}"#)
///     })
///     .register(hello)
///     .build();
/// let response = Client::new(app).get("/hello/%3Cb%3E").send();
/// assert_eq!(response.text(), r#"<a href="/hello/x%20y">Hi &lt;b&gt;</a> GET"#);
/// assert_eq!(response.header("content-type"), Some("text/html; charset=utf-8"));
/// ```
pub fn render_template(
    request: &Request,
    name: &str,
    context: &impl Serialize,
) -> Result<Html<String>, Error> {
    let request_context = RequestContext::of(request).ok_or_else(|| Error::new(NoTemplates))?;
    let app = &request_context.app;
    let templates = app
        .inner
        .templates
        .as_ref()
        .ok_or_else(|| Error::new(NoTemplates))?;
    let mut values = context_of(context)?;
    let needs = templates.needs(name);
    if needs.request && !values.contains_key("request") {
        values.insert("request", &RequestView::of(request));
    }
    if needs.session && !values.contains_key("session") {
        values.insert("session", &session_values(request));
    }
    let scope = RenderScope::new()
        .with(UrlScope::of(request, request_context))
        .with(FlashScope {
            messages: peek_flashes(request, &app.inner),
            taken: AtomicBool::new(false),
        });
    let html = templates.env.render_with(name, &values, &scope)?;
    if scope
        .get::<FlashScope>()
        .is_some_and(|flashes| flashes.taken.load(Ordering::Relaxed))
    {
        // The template showed them: they are taken from the session.
        request.flashed_messages();
    }
    Ok(Html(html))
}

/// The session's values, read (the response then varies on `Cookie`).
fn session_values(request: &Request) -> serde_json::Map<String, serde_json::Value> {
    let session = request.session();
    session
        .keys()
        .into_iter()
        .filter(|key| key != "_flashes")
        .filter_map(|key| session.get_value(&key).map(|value| (key, value)))
        .collect()
}

/// The messages `get_flashed_messages()` would take, without taking them.
fn peek_flashes(request: &Request, app: &AppInner) -> Vec<Flash> {
    let Some(context) = RequestContext::of(request) else {
        return Vec::new();
    };
    if let Some(taken) = context.flashes.borrow().as_ref() {
        return taken.clone();
    }
    let loaded = context.session.borrow().is_some();
    if !loaded && !app.sessions.has_cookie(request) {
        return Vec::new();
    }
    crate::session::peek_flashes(request)
}

impl App {
    /// Renders a template outside a request (an email, a report): the
    /// context only, `url_for()` builds absolute URLs with the server name.
    ///
    /// # Errors
    ///
    /// As [`render_template`].
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    ///
    /// fn index(_: &Request) -> &'static str { "" }
    /// let app = App::builder()
    ///     .server_name("example.com")
    ///     .route("/", index)
    ///     .templates(|env| env.template("mail.txt", "Hi {{ name }}, see {{ url_for(endpoint='index') }}"))
    ///     .build();
    /// let text = app.render_template("mail.txt", &serde_json::json!({"name": "Ada"})).unwrap();
    /// assert_eq!(text, "Hi Ada, see http://example.com/");
    /// ```
    pub fn render_template(&self, name: &str, context: &impl Serialize) -> Result<String, Error> {
        let templates = self
            .inner
            .templates
            .as_ref()
            .ok_or_else(|| Error::new(NoTemplates))?;
        let values = context_of(context)?;
        let scope = RenderScope::new().with(UrlScope {
            app: self.clone(),
            host: String::new(),
            scheme: String::new(),
            script_root: String::new(),
            method: Method::GET,
            blueprint: None,
            app_only: true,
        });
        Ok(templates.env.render_with(name, &values, &scope)?)
    }

    /// The app's template environment, if it has templates.
    ///
    /// # Examples
    ///
    /// ```
    /// let app = carafe::App::builder().templates(|env| env.template("a.txt", "")).build();
    /// assert_eq!(app.templates().unwrap().template_names(), ["a.txt"]);
    /// ```
    pub fn templates(&self) -> Option<&Environment> {
        self.inner.templates.as_ref().map(|t| &t.env)
    }
}
