//! Building an app: blueprints replayed onto the app (Flask's
//! `BlueprintSetupState`), endpoints and hook scopes laid out for dispatch,
//! the URL map compiled, problems reported with the lines that caused them.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::Arc;

use carafe_routing::{Map, MapError, Rule, Value, Values};
use carafe_wrappers::{Request, SendFile};
use http::Method;

use crate::app::{App, AppInner, Endpoint};
use crate::blueprint::Blueprint;
use crate::builder::AppBuilder;
use crate::handler::BoxedHandler;
use crate::hooks::Hooks;
use crate::scaffold::Scaffold;
use crate::session::cookie::CookieSessions;
use crate::setup_error::{SetupError, SetupProblem, Site};
use crate::templates::Templates;
use carafe_templating::{DirLoader, Environment, EnvironmentBuilder};

/// Where a scaffold's registrations go: the app (no name) or a blueprint.
#[derive(Clone, Default)]
struct Mount {
    /// The dotted blueprint name.
    name: Option<String>,
    url_prefix: Option<String>,
    subdomain: Option<String>,
    url_defaults: Vec<(String, Value<'static>)>,
    /// Hook scopes, innermost first.
    scopes: Vec<u32>,
}

#[derive(Default)]
struct Flat {
    rules: Vec<(Rule, Site)>,
    endpoints: Vec<(Endpoint, TypeId, Site)>,
    endpoint_index: HashMap<String, u32>,
    handler_endpoints: HashMap<TypeId, Vec<u32>>,
    app_hooks: Hooks,
    scopes: Vec<Hooks>,
    blueprints: HashMap<String, Site>,
    problems: Vec<crate::setup_error::SetupProblem>,
}

/// Flask's rule joining: `prefix.rstrip("/") + "/" + rule.lstrip("/")`,
/// the prefix alone for an empty rule.
fn join(prefix: Option<&str>, rule: &str) -> String {
    match prefix {
        None => rule.to_owned(),
        Some(prefix) if rule.is_empty() => prefix.to_owned(),
        Some(prefix) => format!(
            "{}/{}",
            prefix.trim_end_matches('/'),
            rule.trim_start_matches('/')
        ),
    }
}

impl Flat {
    fn add_scaffold(&mut self, scaffold: Scaffold, mount: &Mount) {
        self.problems.extend(scaffold.problems);
        for route in scaffold.routes {
            self.add_route(route.rule, route.handler, route.site, mount);
        }
        match mount.scopes.first() {
            Some(&scope) => self.scopes[scope as usize].extend(scaffold.hooks),
            None => self.app_hooks.extend(scaffold.hooks),
        }
        for (blueprint, site) in scaffold.blueprints {
            self.add_blueprint(blueprint, site, mount);
        }
    }

    fn add_route(&mut self, rule: Rule, handler: BoxedHandler, site: Site, mount: &Mount) {
        let endpoint = if rule.endpoint().is_empty() {
            match &handler.name {
                Some(name) => name.to_string(),
                None => {
                    self.problems.push(SetupProblem::InvalidName {
                        message: format!(
                            "the handler of rule '{}' is a closure, which has no name to use as \
                             its endpoint: register it with add_url_rule(Rule::new(rule, \
                             \"endpoint\"), handler), or use a fn",
                            rule.pattern()
                        ),
                        location: site,
                    });
                    return;
                }
            }
        } else {
            rule.endpoint().to_owned()
        };
        let full = match &mount.name {
            Some(blueprint) => {
                if endpoint.contains('.') {
                    self.problems.push(SetupProblem::InvalidName {
                        message: format!(
                            "endpoint '{endpoint}' of blueprint '{blueprint}' may not contain a dot '.'"
                        ),
                        location: site,
                    });
                    return;
                }
                format!("{blueprint}.{endpoint}")
            }
            None => endpoint,
        };
        let pattern = join(mount.url_prefix.as_deref(), rule.pattern());
        let mut rule = rule.with_pattern(pattern).with_endpoint(full.clone());
        if rule.subdomain_pattern().is_none()
            && let Some(subdomain) = &mount.subdomain
        {
            rule = rule.subdomain(subdomain.clone());
        }
        for (name, value) in &mount.url_defaults {
            if !rule.defaults().iter().any(|(k, _)| k == name) {
                rule = rule.default_value(name.clone(), value.clone());
            }
        }
        let index = match self.endpoint_index.get(&full) {
            Some(&index) => {
                let (_, type_id, existing) = &self.endpoints[index as usize];
                if *type_id != handler.type_id {
                    self.problems.push(SetupProblem::DuplicateEndpoint {
                        endpoint: full,
                        location: site,
                        existing: *existing,
                    });
                    return;
                }
                index
            }
            None => {
                let index = self.endpoints.len() as u32;
                self.endpoints.push((
                    Endpoint {
                        name: full.clone().into_boxed_str(),
                        handler: handler.handler.clone(),
                        blueprint: mount.name.clone().map(String::into_boxed_str),
                        scopes: mount.scopes.clone().into_boxed_slice(),
                    },
                    handler.type_id,
                    site,
                ));
                self.endpoint_index.insert(full, index);
                index
            }
        };
        let list = self.handler_endpoints.entry(handler.type_id).or_default();
        if !list.contains(&index) {
            list.push(index);
        }
        self.rules.push((rule, site));
    }

    /// Flask's `Blueprint.register`, nested registration included.
    fn add_blueprint(&mut self, blueprint: Blueprint, site: Site, parent: &Mount) {
        let name = match &parent.name {
            Some(parent) => format!("{parent}.{}", blueprint.name),
            None => blueprint.name.clone(),
        };
        if let Some(existing) = self.blueprints.get(&name) {
            self.problems.push(SetupProblem::DuplicateBlueprint {
                name,
                location: site,
                existing: *existing,
            });
            return;
        }
        self.blueprints.insert(name.clone(), site);
        let subdomain = match (&blueprint.subdomain, &parent.subdomain) {
            (Some(child), Some(parent)) => Some(format!("{child}.{parent}")),
            (Some(child), None) => Some(child.clone()),
            (None, parent) => parent.clone(),
        };
        let url_prefix = match (&parent.url_prefix, &blueprint.url_prefix) {
            (Some(parent), Some(child)) => Some(format!(
                "{}/{}",
                parent.trim_end_matches('/'),
                child.trim_start_matches('/')
            )),
            (None, Some(child)) => Some(child.clone()),
            (parent, None) => parent.clone(),
        };
        let mut url_defaults = parent.url_defaults.clone();
        for (key, value) in &blueprint.url_defaults {
            url_defaults.retain(|(k, _)| k != key);
            url_defaults.push((key.clone(), value.clone()));
        }
        let scope = self.scopes.len() as u32;
        self.scopes.push(Hooks::default());
        let mut scopes = vec![scope];
        scopes.extend(&parent.scopes);
        self.app_hooks.extend(blueprint.app_hooks);
        let mount = Mount {
            name: Some(name),
            url_prefix,
            subdomain,
            url_defaults,
            scopes,
        };
        self.add_scaffold(blueprint.scaffold, &mount);
    }
}

/// The sites of the rules a map error names.
fn locate(error: &MapError, rules: &[(Rule, Site)]) -> (Option<Site>, Option<Site>) {
    let find_last = |text: &str| {
        rules
            .iter()
            .rev()
            .find(|(rule, _)| rule.to_string() == text)
            .map(|(_, site)| *site)
    };
    let find_first = |text: &str| {
        rules
            .iter()
            .find(|(rule, _)| rule.to_string() == text)
            .map(|(_, site)| *site)
    };
    match error {
        MapError::Duplicate { rule, existing } | MapError::Conflict { rule, existing } => {
            (find_last(rule), find_first(existing))
        }
        MapError::UnknownConverter { rule, .. }
        | MapError::ConverterArgs { rule, .. }
        | MapError::DuplicateVariable { rule, .. }
        | MapError::SlashInHost { rule, .. }
        | MapError::InvalidMethods { rule, .. }
        | MapError::InvalidRedirect { rule, .. } => (find_first(rule), None),
        MapError::Parse { endpoint, error } => (
            rules
                .iter()
                .find(|(rule, _)| {
                    rule.endpoint() == endpoint
                        && (rule.pattern() == error.rule()
                            || rule.subdomain_pattern() == Some(error.rule())
                            || rule.host_pattern() == Some(error.rule()))
                })
                .map(|(_, site)| *site),
            None,
        ),
        _ => (None, None),
    }
}

/// The static files route: `<static_url_path>/<path:filename>`.
fn add_static(builder: &mut AppBuilder) {
    let Some(folder) = builder.settings.static_folder.clone() else {
        return;
    };
    let folder = Arc::new(folder);
    let max_age = builder.settings.send_file_max_age;
    let serve = move |request: &Request, values: &Values<'_>| {
        let filename: String = values.get_as("filename").unwrap_or_default();
        let mut file = SendFile::from_directory(folder.as_path(), &filename);
        if let Some(max_age) = max_age {
            file = file.with_max_age(max_age);
        }
        file.send(request)
    };
    let rule = Rule::new(
        format!("{}/<path:filename>", builder.settings.static_url_path),
        "static",
    )
    .methods([Method::GET]);
    builder
        .scaffold
        .add(rule, BoxedHandler::new(serve), Site::caller());
}

pub(crate) fn build(mut builder: AppBuilder) -> Result<App, SetupError> {
    add_static(&mut builder);
    let mut flat = Flat::default();
    flat.add_scaffold(std::mem::take(&mut builder.scaffold), &Mount::default());
    let mut problems = std::mem::take(&mut flat.problems);

    let mut map = Map::builder();
    if let Some(name) = &builder.settings.server_name {
        map = map.server_name(name.clone());
    }
    for configure in std::mem::take(&mut builder.url_map) {
        map = configure(map);
    }
    for (rule, _) in &flat.rules {
        map.push(rule.clone());
    }
    let map = match map.build() {
        Ok(map) => Some(map),
        Err(error) => {
            let (location, other) = locate(&error, &flat.rules);
            problems.push(SetupProblem::Map {
                error,
                location,
                other,
            });
            None
        }
    };
    let templates = match build_templates(std::mem::take(&mut builder.templates), &builder.settings)
    {
        Ok(templates) => templates,
        Err(error) => {
            problems.push(SetupProblem::Setting {
                message: format!("the templates do not load: {}", error.report()),
            });
            None
        }
    };
    let secret = builder.secret_key.as_deref();
    if secret.is_some_and(<[u8]>::is_empty) {
        problems.push(SetupProblem::Setting {
            message: "the secret key is empty".to_owned(),
        });
    }
    let (Some(map), true) = (map, problems.is_empty()) else {
        return Err(SetupError::new(problems));
    };

    let Flat {
        endpoints,
        endpoint_index,
        handler_endpoints,
        app_hooks,
        scopes,
        ..
    } = flat;
    let endpoints = endpoints
        .into_iter()
        .map(|(mut endpoint, _, _)| {
            endpoint.scopes = endpoint
                .scopes
                .iter()
                .copied()
                .filter(|&scope| !scopes[scope as usize].is_empty())
                .collect();
            endpoint
        })
        .collect();
    let sessions = CookieSessions::new(
        secret,
        &builder.secret_key_fallbacks,
        builder.session,
        &builder.settings.application_root,
    );
    let rule_endpoints = map
        .rules()
        .map(|rule| {
            endpoint_index
                .get(rule.endpoint())
                .copied()
                .unwrap_or(u32::MAX)
        })
        .collect();
    Ok(App::from_inner(AppInner {
        map,
        endpoints,
        rule_endpoints,
        handler_endpoints,
        app_hooks,
        scopes,
        settings: builder.settings,
        sessions,
        state: builder.state,
        templates,
    }))
}

/// The template environment: the template folder, the app's functions, the
/// user's configuration.
fn build_templates(
    configure: Vec<Box<dyn FnOnce(EnvironmentBuilder) -> EnvironmentBuilder>>,
    settings: &crate::builder::Settings,
) -> Result<Option<Templates>, carafe_templating::Error> {
    if settings.template_folder.is_none() && configure.is_empty() {
        return Ok(None);
    }
    let mut env = crate::templates::register(Environment::builder())
        .auto_reload(settings.templates_auto_reload.unwrap_or(settings.debug));
    if let Some(folder) = &settings.template_folder {
        env = env.loader(DirLoader::new(folder.clone()));
    }
    for configure in configure {
        env = configure(env);
    }
    Ok(Some(Templates::new(env.build()?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flask_rule_joining() {
        assert_eq!(join(None, "/a"), "/a");
        assert_eq!(join(Some("/bp/"), "/a"), "/bp/a");
        assert_eq!(join(Some("/bp"), "a"), "/bp/a");
        assert_eq!(join(Some("/bp"), ""), "/bp");
        assert_eq!(join(Some("/bp/"), "/"), "/bp/");
    }
}
