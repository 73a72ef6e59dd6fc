//! HTTP authentication (RFC 9110 §11): `Authorization` and `WWW-Authenticate`.

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderName;

use super::syntax::{dump_dict, is_token, parse_dict, quote};
use super::{HeaderError, TypedHeader};

/// What an `Authorization` header carries after its scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// `Basic`: a user name and password, decoded from base64 and UTF-8.
    Basic {
        /// The part before the first `:`.
        username: String,
        /// The part after the first `:` (may be empty).
        password: String,
    },
    /// A token (`Bearer abc`, or any scheme followed by one token68 value).
    Token(String),
    /// `key=value` parameters (`Digest username="...", ...`), in order.
    Params(Vec<(String, Option<String>)>),
}

/// The `Authorization` request header.
///
/// The scheme is lowercased. `Basic` is decoded into a user name and password
/// (invalid base64 or UTF-8 is an error); a value with `=` that is not
/// trailing base64 padding is read as parameters, anything else as a token
/// (Werkzeug's rules).
///
/// # Examples
///
/// ```
/// use carafe_wrappers::headers::Authorization;
///
/// let basic: Authorization = "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".parse().unwrap();
/// assert_eq!(basic.scheme(), "basic");
/// assert_eq!(basic.username(), Some("Aladdin"));
/// assert_eq!(basic.password(), Some("open sesame"));
///
/// let bearer: Authorization = "Bearer abc.def".parse().unwrap();
/// assert_eq!(bearer.token(), Some("abc.def"));
/// assert_eq!(Authorization::bearer("abc.def"), bearer);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    scheme: String,
    credentials: Credentials,
}

impl Authorization {
    /// `Basic` credentials.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::Authorization;
    ///
    /// let auth = Authorization::basic("Aladdin", "open sesame");
    /// assert_eq!(auth.to_string(), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    /// ```
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            scheme: "basic".to_owned(),
            credentials: Credentials::Basic {
                username: username.into(),
                password: password.into(),
            },
        }
    }

    /// A `Bearer` token.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::Authorization;
    ///
    /// assert_eq!(Authorization::bearer("t0k3n").to_string(), "Bearer t0k3n");
    /// ```
    pub fn bearer(token: impl Into<String>) -> Self {
        Self {
            scheme: "bearer".to_owned(),
            credentials: Credentials::Token(token.into()),
        }
    }

    /// The scheme, lowercase (`basic`, `bearer`, `digest`, ...).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::Authorization;
    ///
    /// assert_eq!("Digest a=b".parse::<Authorization>().unwrap().scheme(), "digest");
    /// ```
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The credentials.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::{Authorization, Credentials};
    ///
    /// let auth = Authorization::bearer("x");
    /// assert_eq!(auth.credentials(), &Credentials::Token("x".to_owned()));
    /// ```
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The `Basic` user name, or the `username` parameter (Digest).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::Authorization;
    ///
    /// let digest: Authorization = r#"Digest username="Mufasa", realm="x""#.parse().unwrap();
    /// assert_eq!(digest.username(), Some("Mufasa"));
    /// ```
    pub fn username(&self) -> Option<&str> {
        match &self.credentials {
            Credentials::Basic { username, .. } => Some(username),
            _ => self.param("username"),
        }
    }

    /// The `Basic` password.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::Authorization;
    ///
    /// assert_eq!(Authorization::basic("u", "p").password(), Some("p"));
    /// assert_eq!(Authorization::bearer("t").password(), None);
    /// ```
    pub fn password(&self) -> Option<&str> {
        match &self.credentials {
            Credentials::Basic { password, .. } => Some(password),
            _ => None,
        }
    }

    /// The token of a token scheme (`Bearer`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::Authorization;
    ///
    /// assert_eq!(Authorization::basic("u", "p").token(), None);
    /// ```
    pub fn token(&self) -> Option<&str> {
        match &self.credentials {
            Credentials::Token(token) => Some(token),
            _ => None,
        }
    }

    /// A parameter of a parameter scheme (`Digest`); `None` when absent or
    /// given without a value.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::Authorization;
    ///
    /// let auth: Authorization = "Digest qop=auth, nc=00000001".parse().unwrap();
    /// assert_eq!(auth.param("nc"), Some("00000001"));
    /// ```
    pub fn param(&self, key: &str) -> Option<&str> {
        match &self.credentials {
            Credentials::Params(params) => params
                .iter()
                .find(|(k, _)| k == key)
                .and_then(|(_, v)| v.as_deref()),
            _ => None,
        }
    }
}

/// `"digest"` → `"Digest"` (Python's `str.title` for a token).
fn title(scheme: &str) -> String {
    let mut out = String::with_capacity(scheme.len());
    let mut start = true;
    for c in scheme.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = !c.is_alphabetic();
    }
    out
}

/// Splits `scheme rest`; the scheme must be a token.
fn split_scheme<'a>(
    header: &'static str,
    value: &'a str,
) -> Result<(String, &'a str), HeaderError> {
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !is_token(scheme) {
        return Err(HeaderError::malformed(header, value));
    }
    Ok((scheme.to_ascii_lowercase(), rest.trim()))
}

/// Parameters when a `=` is not just trailing base64 padding.
fn has_params(rest: &str) -> bool {
    rest.trim_end_matches('=').contains('=')
}

fn params(
    header: &'static str,
    rest: &str,
    value: &str,
) -> Result<Vec<(String, Option<String>)>, HeaderError> {
    parse_dict(rest).ok_or_else(|| HeaderError::malformed(header, value))
}

impl fmt::Display for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.credentials {
            Credentials::Basic { username, password } => {
                let encoded = STANDARD.encode(format!("{username}:{password}"));
                write!(f, "Basic {encoded}")
            }
            Credentials::Token(token) => write!(f, "{} {token}", title(&self.scheme)),
            Credentials::Params(params) => {
                write!(f, "{} {}", title(&self.scheme), dump_dict(params))
            }
        }
    }
}

impl FromStr for Authorization {
    type Err = HeaderError;

    fn from_str(value: &str) -> Result<Self, HeaderError> {
        let (scheme, rest) = split_scheme("authorization", value)?;
        let credentials = if scheme == "basic" {
            let malformed = || HeaderError::malformed("authorization", value);
            let decoded = STANDARD.decode(rest).map_err(|_| malformed())?;
            let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
            let (username, password) = decoded.split_once(':').unwrap_or((&decoded, ""));
            Credentials::Basic {
                username: username.to_owned(),
                password: password.to_owned(),
            }
        } else if has_params(rest) {
            Credentials::Params(params("authorization", rest, value)?)
        } else {
            Credentials::Token(rest.to_owned())
        };
        Ok(Self {
            scheme,
            credentials,
        })
    }
}

impl TypedHeader for Authorization {
    const NAME: HeaderName = http::header::AUTHORIZATION;
}

/// The `WWW-Authenticate` response header: the challenge a `401` carries.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::headers::WwwAuthenticate;
///
/// let challenge = WwwAuthenticate::basic("Foo Bar");
/// assert_eq!(challenge.to_string(), r#"Basic realm="Foo Bar""#);
/// assert_eq!(WwwAuthenticate::bearer().to_string(), "Bearer");
/// let parsed: WwwAuthenticate = r#"Basic realm="WallyWorld""#.parse().unwrap();
/// assert_eq!(parsed.param("realm"), Some("WallyWorld"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WwwAuthenticate {
    scheme: String,
    token: Option<String>,
    params: Vec<(String, Option<String>)>,
}

impl WwwAuthenticate {
    /// A challenge for `scheme` without parameters.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::WwwAuthenticate;
    ///
    /// assert_eq!(WwwAuthenticate::new("Negotiate").to_string(), "Negotiate");
    /// ```
    pub fn new(scheme: impl Into<String>) -> Self {
        Self {
            scheme: scheme.into().to_ascii_lowercase(),
            token: None,
            params: Vec::new(),
        }
    }

    /// `Basic realm="..."`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::WwwAuthenticate;
    ///
    /// assert_eq!(WwwAuthenticate::basic("Testing").to_string(), "Basic realm=Testing");
    /// ```
    pub fn basic(realm: impl Into<String>) -> Self {
        Self::new("basic").with_param("realm", realm)
    }

    /// `Bearer` without parameters (add `realm`, `error`, `scope` with
    /// [`with_param`](Self::with_param)).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::WwwAuthenticate;
    ///
    /// let challenge = WwwAuthenticate::bearer().with_param("error", "invalid_token");
    /// assert_eq!(challenge.to_string(), "Bearer error=invalid_token");
    /// ```
    pub fn bearer() -> Self {
        Self::new("bearer")
    }

    /// Returns this challenge with `key` set to `value` (replacing an earlier value).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::WwwAuthenticate;
    ///
    /// let challenge = WwwAuthenticate::basic("a").with_param("realm", "b");
    /// assert_eq!(challenge.param("realm"), Some("b"));
    /// ```
    #[must_use]
    pub fn with_param(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let (key, value) = (key.into(), value.into());
        match self.params.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = Some(value),
            None => self.params.push((key, Some(value))),
        }
        self
    }

    /// Returns this challenge carrying `token` instead of parameters.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::WwwAuthenticate;
    ///
    /// let challenge = WwwAuthenticate::new("token").with_token("abc=");
    /// assert_eq!(challenge.to_string(), "Token abc=");
    /// ```
    #[must_use]
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The scheme, lowercase.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::WwwAuthenticate;
    ///
    /// assert_eq!(WwwAuthenticate::basic("x").scheme(), "basic");
    /// ```
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The token, for token challenges.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::WwwAuthenticate;
    ///
    /// assert_eq!(WwwAuthenticate::basic("x").token(), None);
    /// ```
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// A parameter's value.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::WwwAuthenticate;
    ///
    /// assert_eq!(WwwAuthenticate::basic("x").param("realm"), Some("x"));
    /// ```
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.as_deref())
    }
}

impl fmt::Display for WwwAuthenticate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = title(&self.scheme);
        if let Some(token) = &self.token {
            return write!(f, "{scheme} {token}");
        }
        if self.params.is_empty() {
            return f.write_str(&scheme);
        }
        if self.scheme != "digest" {
            return write!(f, "{scheme} {}", dump_dict(&self.params));
        }
        // Digest always quotes these, even when they are tokens (RFC 7616).
        write!(f, "Digest ")?;
        for (i, (key, value)) in self.params.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            let always = matches!(
                key.as_str(),
                "realm" | "domain" | "nonce" | "opaque" | "qop"
            );
            match value {
                Some(value) => write!(f, "{key}={}", quote(value, !always))?,
                None => f.write_str(key)?,
            }
        }
        Ok(())
    }
}

impl FromStr for WwwAuthenticate {
    type Err = HeaderError;

    fn from_str(value: &str) -> Result<Self, HeaderError> {
        let (scheme, rest) = split_scheme("www-authenticate", value)?;
        let mut challenge = Self::new(scheme);
        if has_params(rest) {
            challenge.params = params("www-authenticate", rest, value)?;
        } else if !rest.is_empty() {
            challenge.token = Some(rest.to_owned());
        }
        Ok(challenge)
    }
}

impl TypedHeader for WwwAuthenticate {
    const NAME: HeaderName = http::header::WWW_AUTHENTICATE;
}
