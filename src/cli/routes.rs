//! `routes`: the URL rules as a table or JSON (pure functions of a `Map`).

use carafe_routing::{Map, Method};
use serde::Serialize;

use super::args::Sort;

/// One line of `routes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouteRow {
    /// The endpoint.
    pub endpoint: String,
    /// The methods, sorted, without HEAD and OPTIONS (answered for every
    /// GET rule and automatically); `None`: any method.
    pub methods: Option<Vec<String>>,
    /// The rule pattern.
    pub rule: String,
    /// The subdomain pattern, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subdomain: Option<String>,
    /// The host pattern, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// The rows of a map, sorted.
///
/// # Examples
///
/// ```
/// use carafe::cli::{Sort, route_rows};
/// use carafe::routing::{Map, Method, Rule};
///
/// let map = Map::builder()
///     .rule(Rule::new("/users/<int:id>", "user").methods([Method::GET, Method::DELETE]))
///     .rule(Rule::new("/", "index").methods([Method::GET]))
///     .build()
///     .unwrap();
/// let rows = route_rows(&map, Sort::Endpoint);
/// assert_eq!(rows[0].endpoint, "index");
/// assert_eq!(rows[1].methods.as_deref(), Some(&["DELETE".to_owned(), "GET".to_owned()][..]));
/// ```
pub fn route_rows(map: &Map, sort: Sort) -> Vec<RouteRow> {
    let mut rows: Vec<RouteRow> = map
        .rules()
        .map(|rule| RouteRow {
            endpoint: rule.endpoint().to_owned(),
            methods: rule.method_list().map(|methods| {
                let mut names: Vec<String> = methods
                    .iter()
                    .filter(|m| **m != Method::HEAD && **m != Method::OPTIONS)
                    .map(|m| m.as_str().to_owned())
                    .collect();
                names.sort();
                names.dedup();
                names
            }),
            rule: rule.pattern().to_owned(),
            subdomain: rule.subdomain_pattern().map(str::to_owned),
            host: rule.host_pattern().map(str::to_owned),
        })
        .collect();
    match sort {
        Sort::Endpoint => rows.sort_by(|a, b| (&a.endpoint, &a.rule).cmp(&(&b.endpoint, &b.rule))),
        Sort::Methods => {
            rows.sort_by(|a, b| (methods_text(a), &a.rule).cmp(&(methods_text(b), &b.rule)));
        }
        Sort::Rule => rows.sort_by(|a, b| (&a.rule, &a.endpoint).cmp(&(&b.rule, &b.endpoint))),
        Sort::Match => {}
    }
    rows
}

fn methods_text(row: &RouteRow) -> String {
    match &row.methods {
        Some(methods) => methods.join(", "),
        None => "*".to_owned(),
    }
}

/// The table `routes` prints: Flask's columns (Endpoint, Methods, Rule;
/// Subdomain or Host when a rule has one), aligned, with a rule under the
/// header; `No routes were registered.` for an empty map.
///
/// # Examples
///
/// ```
/// use carafe::cli::{RouteRow, routes_table};
///
/// let rows = vec![RouteRow {
///     endpoint: "index".into(),
///     methods: Some(vec!["GET".into()]),
///     rule: "/".into(),
///     subdomain: None,
///     host: None,
/// }];
/// assert_eq!(routes_table(&rows), "Endpoint  Methods  Rule\n--------  -------  ----\nindex     GET      /\n");
/// ```
pub fn routes_table(rows: &[RouteRow]) -> String {
    if rows.is_empty() {
        return "No routes were registered.\n".to_owned();
    }
    let mut headers = vec!["Endpoint", "Methods"];
    let show_subdomain = rows.iter().any(|r| r.subdomain.is_some());
    let show_host = rows.iter().any(|r| r.host.is_some());
    if show_host {
        headers.push("Host");
    } else if show_subdomain {
        headers.push("Subdomain");
    }
    headers.push("Rule");
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let mut cells = vec![row.endpoint.clone(), methods_text(row)];
            if show_host {
                cells.push(row.host.clone().unwrap_or_default());
            } else if show_subdomain {
                cells.push(row.subdomain.clone().unwrap_or_default());
            }
            cells.push(row.rule.clone());
            cells
        })
        .collect();
    let widths: Vec<usize> = (0..headers.len())
        .map(|i| {
            lines
                .iter()
                .map(|cells| cells[i].chars().count())
                .chain([headers[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let mut push_line = |cells: Vec<String>| {
        let last = cells.len() - 1;
        for (i, cell) in cells.into_iter().enumerate() {
            if i == last {
                out.push_str(&cell);
            } else {
                let pad = widths[i] - cell.chars().count();
                out.push_str(&cell);
                out.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push('\n');
    };
    push_line(headers.iter().map(|h| (*h).to_owned()).collect());
    push_line(widths.iter().map(|w| "-".repeat(*w)).collect());
    for cells in lines {
        push_line(cells);
    }
    out
}

/// The JSON `routes --json` prints: an array of `{endpoint, methods, rule}`
/// objects (`methods` is `null` for any method; `subdomain` and `host` when
/// set).
///
/// # Examples
///
/// ```
/// use carafe::cli::{RouteRow, routes_json};
///
/// let rows = vec![RouteRow {
///     endpoint: "any".into(),
///     methods: None,
///     rule: "/x".into(),
///     subdomain: None,
///     host: None,
/// }];
/// assert_eq!(routes_json(&rows), "[{\"endpoint\":\"any\",\"methods\":null,\"rule\":\"/x\"}]\n");
/// ```
pub fn routes_json(rows: &[RouteRow]) -> String {
    let mut text = serde_json::to_string(rows).unwrap_or_else(|_| "[]".to_owned());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use carafe_routing::Rule;

    fn map() -> Map {
        Map::builder()
            .rule(Rule::new("/b", "zeta").methods([Method::POST]))
            .rule(Rule::new("/a", "alpha").methods([Method::GET, Method::HEAD, Method::OPTIONS]))
            .rule(Rule::new("/c/<int:id>", "alpha").methods([Method::DELETE, Method::GET]))
            .rule(Rule::new("/any", "mid"))
            .build()
            .unwrap()
    }

    fn column(rows: &[RouteRow], f: impl Fn(&RouteRow) -> &str) -> Vec<String> {
        rows.iter().map(|r| f(r).to_owned()).collect()
    }

    #[test]
    fn every_sort_order() {
        let map = map();
        assert_eq!(
            column(&route_rows(&map, Sort::Endpoint), |r| &r.rule),
            ["/a", "/c/<int:id>", "/any", "/b"]
        );
        assert_eq!(
            column(&route_rows(&map, Sort::Rule), |r| &r.rule),
            ["/a", "/any", "/b", "/c/<int:id>"]
        );
        assert_eq!(
            column(&route_rows(&map, Sort::Match), |r| &r.rule),
            ["/b", "/a", "/c/<int:id>", "/any"]
        );
        // "*" < "DELETE, GET" < "GET" < "POST"
        assert_eq!(
            column(&route_rows(&map, Sort::Methods), |r| &r.rule),
            ["/any", "/c/<int:id>", "/a", "/b"]
        );
    }

    #[test]
    fn head_and_options_are_not_listed() {
        let rows = route_rows(&map(), Sort::Rule);
        assert_eq!(rows[0].methods.as_deref(), Some(&["GET".to_owned()][..]));
        assert_eq!(rows[1].methods, None);
    }

    #[test]
    fn the_table_aligns_columns_and_shows_subdomains() {
        let map = Map::builder()
            .subdomain_matching(true)
            .rule(Rule::new("/", "index").methods([Method::GET]))
            .rule(
                Rule::new("/users/<int:id>", "api.user")
                    .subdomain("api")
                    .methods([Method::GET, Method::PUT]),
            )
            .build()
            .unwrap();
        let table = routes_table(&route_rows(&map, Sort::Endpoint));
        assert_eq!(
            table,
            "Endpoint  Methods   Subdomain  Rule\n\
             --------  --------  ---------  ---------------\n\
             api.user  GET, PUT  api        /users/<int:id>\n\
             index     GET                  /\n"
        );
        assert_eq!(routes_table(&[]), "No routes were registered.\n");
    }
}
