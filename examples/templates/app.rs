//! The app factory and the handlers: each renders a template with a
//! context; the templates do the rest.

use std::path::Path;

use carafe::cli::BoxError;
use carafe::config::Config;
use carafe::prelude::*;
use carafe::render_template;
use serde::Serialize;
use serde_json::json;

/// An article (a database row in a real app).
#[derive(Debug, Serialize)]
pub(crate) struct Article {
    pub(crate) slug: &'static str,
    pub(crate) title: &'static str,
    pub(crate) summary: &'static str,
    pub(crate) body: &'static str,
    pub(crate) tags: &'static [&'static str],
}

pub(crate) const ARTICLES: [Article; 3] = [
    Article {
        slug: "inheritance",
        title: "Template inheritance",
        summary: "A base layout with blocks that child templates fill in.",
        body: "Children extend the base and override its blocks; super() keeps the parent's text.",
        tags: &["Templates", "Layout"],
    },
    Article {
        slug: "escaping",
        title: "Autoescaping",
        summary: "Everything a template prints from a variable is escaped in .html files.",
        body: "Write {{ comment }} and <script> arrives as &lt;script&gt;; mark trusted markup with | safe.",
        tags: &["Security"],
    },
    Article {
        slug: "urls",
        title: "Links & assets",
        summary: "url_for() and static_url() build links from endpoint names.",
        body: "Rename a route and every link follows.",
        tags: &["Routing"],
    },
];

fn find(slug: &str) -> Option<&'static Article> {
    ARTICLES.iter().find(|article| article.slug == slug)
}

#[get("/")]
fn index(request: &Request) -> Result<Html<String>, Error> {
    render_template(
        request,
        "index.html",
        &json!({
            "articles": ARTICLES,
            // Text a user wrote: the template escapes it.
            "comment": "<script>alert('owned')</script> Nice & tidy!",
            // Markup the app wrote: the template marks it safe.
            "notice": "<p class=\"notice\"><em>Comments are moderated.</em></p>",
        }),
    )
}

#[get("/articles/<slug>")]
fn show_article(slug: String, request: &Request) -> Result<Html<String>, Error> {
    let article = find(&slug).ok_or_else(HttpError::not_found)?;
    render_template(
        request,
        "articles/show.html",
        &json!({ "article": article }),
    )
}

/// Flashes a message and redirects (Post/Redirect/Get): the next page
/// shows the message once.
#[post("/articles/<slug>/like")]
fn like(slug: String, request: &Request) -> Result<Redirect, Error> {
    let Some(article) = find(&slug) else {
        request.flash_category("error", format!("There is no article “{slug}” to like."))?;
        return Ok(Redirect::see_other(request.url_for(url_for!(index))?));
    };
    request.flash_category("success", format!("You liked “{}”.", article.title))?;
    Ok(Redirect::see_other(
        request.url_for(url_for!(show_article, slug = slug))?,
    ))
}

/// A `.txt` template: not escaped, served as plain text.
#[get("/email/<name>")]
fn email(name: String, request: &Request) -> Result<Response, Error> {
    let Html(text) = render_template(
        request,
        "email.txt",
        &json!({"name": name, "articles": ARTICLES}),
    )?;
    Ok(Response::text(text))
}

/// The `404` page, from a template.
fn not_found(_: &Error, request: &Request) -> Result<(StatusCode, Html<String>), Error> {
    Ok((
        StatusCode::NOT_FOUND,
        render_template(request, "404.html", &())?,
    ))
}

/// The example's template folder.
pub(crate) const TEMPLATES: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/examples/templates/templates");
/// The example's static folder.
pub(crate) const STATIC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/templates/static");

/// The app being set up, from a loaded config (the key for flashed
/// messages, debug mode for reloading templates) and its folders.
pub(crate) fn app_builder(config: &Config, templates: &Path, static_folder: &Path) -> AppBuilder {
    let nav: Vec<_> = ARTICLES
        .iter()
        .map(|article| json!({"slug": article.slug, "title": article.title}))
        .collect();
    config
        .settings
        .apply_to(App::builder())
        .template_folder(templates)
        .static_folder(static_folder)
        // A global every template sees (Jinja2's `env.globals`).
        .templates(move |env| env.global("nav_articles", &nav))
        .register(index)
        .register(show_article)
        .register(like)
        .register(email)
        .error_handler(404, not_found)
}

/// The app, from a loaded config.
pub(crate) fn build_app(config: &Config) -> App {
    app_builder(config, Path::new(TEMPLATES), Path::new(STATIC)).build()
}

/// The app factory.
pub(crate) fn create_app() -> Result<App, BoxError> {
    let config: Config = Config::load()?;
    Ok(build_app(&config))
}
