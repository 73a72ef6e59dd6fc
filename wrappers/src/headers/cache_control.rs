//! The `Cache-Control` header (RFC 9111 §5.2).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use http::HeaderName;

use super::syntax::{dump_dict, parse_dict, plain_u64};
use super::{HeaderError, TypedHeader};

/// `Cache-Control` directives, for requests and responses alike.
///
/// Directive names are lowercased when parsed; the typed getters read the
/// directives RFC 9111 defines, and [`directive`](Self::directive) any other.
/// Setters are chainable and keep the order directives were added in.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use carafe_wrappers::headers::CacheControl;
///
/// let request: CacheControl = "max-age=0, no-cache".parse().unwrap();
/// assert_eq!(request.max_age(), Some(Duration::ZERO));
/// assert!(request.no_cache());
///
/// let response = CacheControl::new().with_public().with_max_age(Duration::from_secs(60));
/// assert_eq!(response.to_string(), "public, max-age=60");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CacheControl {
    directives: Vec<(String, Option<String>)>,
}

macro_rules! flags {
    ($($(#[$doc:meta])* $get:ident, $with:ident, $name:literal;)*) => {
        impl CacheControl {
            $(
                $(#[$doc])*
                ///
                /// # Examples
                ///
                /// ```
                /// use carafe_wrappers::headers::CacheControl;
                ///
                #[doc = concat!("let cc = CacheControl::new().", stringify!($with), "();")]
                #[doc = concat!("assert!(cc.", stringify!($get), "());")]
                #[doc = concat!("assert_eq!(cc.to_string(), \"", $name, "\");")]
                /// ```
                pub fn $get(&self) -> bool {
                    self.has($name)
                }

                #[doc = concat!("Returns these directives with `", $name, "`.")]
                #[must_use]
                pub fn $with(self) -> Self {
                    self.with_directive($name, None::<String>)
                }
            )*
        }
    };
}

macro_rules! seconds {
    ($($(#[$doc:meta])* $get:ident, $with:ident, $name:literal;)*) => {
        impl CacheControl {
            $(
                $(#[$doc])*
                /// `None` when absent or not a plain number.
                ///
                /// # Examples
                ///
                /// ```
                /// use std::time::Duration;
                /// use carafe_wrappers::headers::CacheControl;
                ///
                #[doc = concat!("let cc = CacheControl::new().", stringify!($with), "(Duration::from_secs(30));")]
                #[doc = concat!("assert_eq!(cc.", stringify!($get), "(), Some(Duration::from_secs(30)));")]
                #[doc = concat!("assert_eq!(cc.to_string(), \"", $name, "=30\");")]
                /// ```
                pub fn $get(&self) -> Option<Duration> {
                    self.seconds($name)
                }

                #[doc = concat!("Returns these directives with `", $name, "` set (whole seconds).")]
                #[must_use]
                pub fn $with(self, value: Duration) -> Self {
                    self.with_directive($name, Some(value.as_secs().to_string()))
                }
            )*
        }
    };
}

flags! {
    /// `no-store`: do not store this at all.
    no_store, with_no_store, "no-store";
    /// `no-transform`: intermediaries must not transform the content.
    no_transform, with_no_transform, "no-transform";
    /// `public`: any cache may store the response.
    public, with_public, "public";
    /// `must-revalidate`: a stale response must be revalidated.
    must_revalidate, with_must_revalidate, "must-revalidate";
    /// `proxy-revalidate`: like `must-revalidate`, for shared caches.
    proxy_revalidate, with_proxy_revalidate, "proxy-revalidate";
    /// `immutable`: the response will not change while fresh.
    immutable, with_immutable, "immutable";
    /// `must-understand`: store only if the status code is understood.
    must_understand, with_must_understand, "must-understand";
    /// `only-if-cached` (request): answer from a cache or with 504.
    only_if_cached, with_only_if_cached, "only-if-cached";
}

seconds! {
    /// `max-age`: how long the response stays fresh.
    max_age, with_max_age, "max-age";
    /// `s-maxage`: `max-age` for shared caches.
    s_maxage, with_s_maxage, "s-maxage";
    /// `min-fresh` (request): fresh for at least this long.
    min_fresh, with_min_fresh, "min-fresh";
    /// `stale-while-revalidate`: may be served stale while revalidating.
    stale_while_revalidate, with_stale_while_revalidate, "stale-while-revalidate";
    /// `stale-if-error`: may be served stale when the origin fails.
    stale_if_error, with_stale_if_error, "stale-if-error";
}

impl CacheControl {
    /// No directives.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::CacheControl;
    ///
    /// assert!(CacheControl::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether there is no directive.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::CacheControl;
    ///
    /// assert!(!CacheControl::new().with_no_store().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.directives.is_empty()
    }

    fn has(&self, name: &str) -> bool {
        self.directives.iter().any(|(key, _)| key == name)
    }

    fn seconds(&self, name: &str) -> Option<Duration> {
        self.directive(name)
            .flatten()
            .and_then(plain_u64)
            .map(Duration::from_secs)
    }

    /// A directive: `None` when absent, `Some(None)` when present without a
    /// value, `Some(Some(value))` otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::CacheControl;
    ///
    /// let cc: CacheControl = r#"private, community="UCI""#.parse().unwrap();
    /// assert_eq!(cc.directive("community"), Some(Some("UCI")));
    /// assert_eq!(cc.directive("private"), Some(None));
    /// assert_eq!(cc.directive("public"), None);
    /// ```
    pub fn directive(&self, name: &str) -> Option<Option<&str>> {
        self.directives
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_deref())
    }

    /// `no-cache`: revalidate before using a stored response. (A response
    /// may list header names after it; they read as present.)
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::CacheControl;
    ///
    /// assert!(CacheControl::new().with_no_cache().no_cache());
    /// ```
    pub fn no_cache(&self) -> bool {
        self.has("no-cache")
    }

    /// Returns these directives with `no-cache`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::CacheControl;
    ///
    /// assert_eq!(CacheControl::new().with_no_cache().to_string(), "no-cache");
    /// ```
    #[must_use]
    pub fn with_no_cache(self) -> Self {
        self.with_directive("no-cache", None::<String>)
    }

    /// `private`: only a private cache may store the response.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::CacheControl;
    ///
    /// assert!(CacheControl::new().with_private().private());
    /// ```
    pub fn private(&self) -> bool {
        self.has("private")
    }

    /// Returns these directives with `private`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::CacheControl;
    ///
    /// assert_eq!(CacheControl::new().with_private().to_string(), "private");
    /// ```
    #[must_use]
    pub fn with_private(self) -> Self {
        self.with_directive("private", None::<String>)
    }

    /// `max-stale` (request): `Some(None)` accepts any staleness,
    /// `Some(Some(d))` at most `d`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use carafe_wrappers::headers::CacheControl;
    ///
    /// let cc: CacheControl = "max-stale".parse().unwrap();
    /// assert_eq!(cc.max_stale(), Some(None));
    /// let cc: CacheControl = "max-stale=5".parse().unwrap();
    /// assert_eq!(cc.max_stale(), Some(Some(Duration::from_secs(5))));
    /// ```
    pub fn max_stale(&self) -> Option<Option<Duration>> {
        match self.directive("max-stale")? {
            None => Some(None),
            Some(value) => plain_u64(value).map(|s| Some(Duration::from_secs(s))),
        }
    }

    /// Returns these directives with `name` (lowercased) set to `value`,
    /// replacing an earlier value; `None` writes the bare name.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::CacheControl;
    ///
    /// let cc = CacheControl::new().with_directive("community", Some("UCI"));
    /// assert_eq!(cc.to_string(), "community=UCI");
    /// ```
    #[must_use]
    pub fn with_directive(mut self, name: &str, value: Option<impl Into<String>>) -> Self {
        let name = name.to_ascii_lowercase();
        let value = value.map(Into::into);
        match self.directives.iter_mut().find(|(key, _)| *key == name) {
            Some(slot) => slot.1 = value,
            None => self.directives.push((name, value)),
        }
        self
    }

    /// Returns these directives without `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::CacheControl;
    ///
    /// let cc = CacheControl::new().with_no_cache().with_public().without("no-cache");
    /// assert_eq!(cc.to_string(), "public");
    /// ```
    #[must_use]
    pub fn without(mut self, name: &str) -> Self {
        self.directives
            .retain(|(key, _)| !key.eq_ignore_ascii_case(name));
        self
    }
}

impl fmt::Display for CacheControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&dump_dict(&self.directives))
    }
}

impl FromStr for CacheControl {
    type Err = HeaderError;

    fn from_str(value: &str) -> Result<Self, HeaderError> {
        let directives = parse_dict(value)
            .ok_or_else(|| HeaderError::malformed("cache-control", value))?
            .into_iter()
            .map(|(key, value)| (key.to_ascii_lowercase(), value))
            .collect();
        Ok(Self { directives })
    }
}

impl TypedHeader for CacheControl {
    const NAME: HeaderName = http::header::CACHE_CONTROL;
}
