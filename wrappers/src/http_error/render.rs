//! How an [`HttpError`] renders: Werkzeug's HTML page, a JSON body, or
//! whichever of the two the client accepts.

use bytes::Bytes;
use http::HeaderName;
use http::header::{CONTENT_TYPE, HeaderValue, VARY};

use super::HttpError;
use crate::escape::escape_html;
use crate::headers::Accept;
use crate::response::{APPLICATION_JSON, TEXT_HTML};
use crate::{Request, Response, ResponseBody};

impl HttpError {
    /// Werkzeug's HTML error page.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::HttpError;
    ///
    /// let page = HttpError::not_found().html();
    /// assert!(page.starts_with("<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n"));
    /// ```
    pub fn html(&self) -> String {
        let name = escape_html(self.name());
        let description = escape_html(self.description().unwrap_or_default()).replace('\n', "<br>");
        format!(
            "<!doctype html>\n<html lang=en>\n<title>{} {name}</title>\n<h1>{name}</h1>\n<p>{description}</p>\n",
            self.inner.status.as_u16()
        )
    }

    /// The JSON error body: `{"code": 404, "name": "Not Found", "description": "..."}`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::HttpError;
    ///
    /// let json: serde_json::Value = serde_json::from_str(&HttpError::gone().json()).unwrap();
    /// assert_eq!(json["code"], 410);
    /// assert_eq!(json["name"], "Gone");
    /// ```
    pub fn json(&self) -> String {
        serde_json::json!({
            "code": self.inner.status.as_u16(),
            "name": self.name(),
            "description": self.description(),
        })
        .to_string()
    }

    /// The HTML error page as a response.
    ///
    /// (Not named `into_response`: an inherent method of that name would
    /// silently win over the App's `IntoResponse::into_response`, which hands
    /// the error to the app's error handlers first.)
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::HttpError;
    ///
    /// let response = HttpError::range_not_satisfiable(Some(11)).into_page();
    /// assert_eq!(response.status(), 416);
    /// assert_eq!(response.headers()["content-range"], "bytes */11");
    /// ```
    pub fn into_page(self) -> Response {
        let body = self.html();
        self.respond(body, &TEXT_HTML)
    }

    /// The error page in the format the client prefers: JSON when its
    /// `Accept` header ranks `application/json` above `text/html` (by quality,
    /// then specificity; `*/*` alone means HTML), HTML otherwise. The
    /// response carries `Vary: Accept`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::{HttpError, Request};
    ///
    /// let mut request = Request::get("/api");
    /// request.headers_mut().insert("accept", "application/json".parse().unwrap());
    /// let response = HttpError::not_found().into_response_for(&request);
    /// assert_eq!(response.headers()["content-type"], "application/json");
    /// assert_eq!(response.headers()["vary"], "Accept");
    /// ```
    pub fn into_response_for(self, request: &Request) -> Response {
        self.into_response_accepting(&request.accept())
    }

    /// Like [`into_response_for`](Self::into_response_for), from an already
    /// parsed `Accept` header.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::HttpError;
    /// use carafe_wrappers::headers::Accept;
    ///
    /// let browser: Accept = "text/html,application/xhtml+xml,*/*;q=0.8".parse().unwrap();
    /// let response = HttpError::not_found().into_response_accepting(&browser);
    /// assert_eq!(response.headers()["content-type"], "text/html; charset=utf-8");
    /// ```
    pub fn into_response_accepting(self, accept: &Accept) -> Response {
        let json = accept.best_match(["text/html", "application/json"]) == Some("application/json");
        let mut response = if json {
            let body = self.json();
            self.respond(body, &APPLICATION_JSON)
        } else {
            self.into_page()
        };
        response
            .headers_mut()
            .append(VARY, HeaderValue::from_static("Accept"));
        response
    }

    fn respond(self, body: String, content_type: &'static HeaderValue) -> Response {
        let mut response =
            Response::new(ResponseBody::Bytes(Bytes::from(body))).with_status(self.inner.status);
        let headers = response.headers_mut();
        let mut last: Option<HeaderName> = None;
        for (name, value) in self.inner.headers {
            // The iterator names a header once, then yields its other values unnamed.
            if name.is_some() {
                last = name;
            }
            if let Some(name) = &last {
                headers.append(name.clone(), value);
            }
        }
        headers.insert(CONTENT_TYPE, content_type.clone());
        response
    }
}
