//! Entity tags (RFC 9110 §8.8.3): `ETag`, `If-Match`, `If-None-Match`.

use std::fmt;
use std::str::FromStr;

use super::HeaderError;

/// One entity tag: an opaque string, strong or weak (`W/"..."`).
///
/// # Examples
///
/// ```
/// use carafe_wrappers::headers::EntityTag;
///
/// let tag = EntityTag::weak("v2").unwrap();
/// assert_eq!(tag.to_string(), r#"W/"v2""#);
/// let parsed: EntityTag = r#"W/"v2""#.parse().unwrap();
/// assert_eq!(parsed, tag);
/// assert!(EntityTag::strong("a\"b").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EntityTag {
    tag: String,
    weak: bool,
}

/// `etagc` (RFC 9110 §8.8.3): visible ASCII except `"`, or obs-text.
fn is_etag_char(c: char) -> bool {
    c == '!' || ('#'..='~').contains(&c) || (c as u32) >= 0x80
}

impl EntityTag {
    fn new(tag: impl Into<String>, weak: bool) -> Result<Self, HeaderError> {
        let tag = tag.into();
        // Only visible ASCII: a header value cannot carry anything else safely.
        if !tag.chars().all(|c| is_etag_char(c) && c.is_ascii()) {
            return Err(HeaderError::invalid_value("etag", &tag));
        }
        Ok(Self { tag, weak })
    }

    /// A strong tag (byte-for-byte identical representations share it).
    ///
    /// # Errors
    ///
    /// [`HeaderError::InvalidValue`] when `tag` holds `"`, a space, a control
    /// character or non-ASCII text.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::EntityTag;
    ///
    /// assert_eq!(EntityTag::strong("abc").unwrap().to_string(), r#""abc""#);
    /// ```
    pub fn strong(tag: impl Into<String>) -> Result<Self, HeaderError> {
        Self::new(tag, false)
    }

    /// A weak tag (semantically equivalent representations share it).
    ///
    /// # Errors
    ///
    /// As for [`strong`](Self::strong).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::EntityTag;
    ///
    /// assert!(EntityTag::weak("abc").unwrap().is_weak());
    /// ```
    pub fn weak(tag: impl Into<String>) -> Result<Self, HeaderError> {
        Self::new(tag, true)
    }

    /// The opaque tag, without quotes or weakness marker.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::EntityTag;
    ///
    /// assert_eq!(EntityTag::weak("abc").unwrap().tag(), "abc");
    /// ```
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// Whether the tag is weak.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::EntityTag;
    ///
    /// assert!(!EntityTag::strong("abc").unwrap().is_weak());
    /// ```
    pub fn is_weak(&self) -> bool {
        self.weak
    }

    /// Strong comparison: both strong and equal (`If-Match`, `If-Range`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::EntityTag;
    ///
    /// let strong = EntityTag::strong("a").unwrap();
    /// assert!(strong.strong_eq(&strong));
    /// assert!(!strong.strong_eq(&EntityTag::weak("a").unwrap()));
    /// ```
    pub fn strong_eq(&self, other: &EntityTag) -> bool {
        !self.weak && !other.weak && self.tag == other.tag
    }

    /// Weak comparison: equal tags, weakness ignored (`If-None-Match`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::EntityTag;
    ///
    /// assert!(EntityTag::strong("a").unwrap().weak_eq(&EntityTag::weak("a").unwrap()));
    /// ```
    pub fn weak_eq(&self, other: &EntityTag) -> bool {
        self.tag == other.tag
    }
}

impl fmt::Display for EntityTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.weak {
            f.write_str("W/")?;
        }
        write!(f, "\"{}\"", self.tag)
    }
}

impl FromStr for EntityTag {
    type Err = HeaderError;

    /// Reads `"tag"` or `W/"tag"`; an unquoted tag is accepted too (Werkzeug
    /// supports such "broken" tags).
    fn from_str(value: &str) -> Result<Self, HeaderError> {
        let trimmed = value.trim();
        let (weak, rest) = match trimmed
            .strip_prefix("W/")
            .or_else(|| trimmed.strip_prefix("w/"))
        {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let tag = match rest.strip_prefix('"') {
            Some(inner) => inner
                .strip_suffix('"')
                .ok_or_else(|| HeaderError::malformed("etag", value))?,
            None => rest,
        };
        if tag.is_empty() && !rest.starts_with('"') {
            return Err(HeaderError::malformed("etag", value));
        }
        Self::new(tag, weak).map_err(|_| HeaderError::malformed("etag", value))
    }
}

/// The list of `If-Match` / `If-None-Match`: entity tags, or `*`.
///
/// Parsing is as lenient as Werkzeug's `ETags`: unquoted tags are accepted.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::headers::{ETags, EntityTag};
///
/// let tags: ETags = r#""foo", "bar", W/"baz", blar"#.parse().unwrap();
/// assert!(tags.contains("foo"));
/// assert!(!tags.contains("baz"));
/// assert!(tags.contains_weak("baz"));
/// assert!(tags.matches_weak(&EntityTag::strong("baz").unwrap()));
/// assert!("*".parse::<ETags>().unwrap().is_any());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ETags {
    tags: Vec<EntityTag>,
    any: bool,
}

impl ETags {
    /// `*`: matches any current representation.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::ETags;
    ///
    /// assert_eq!(ETags::any().to_string(), "*");
    /// ```
    pub fn any() -> Self {
        Self {
            tags: Vec::new(),
            any: true,
        }
    }

    /// Whether this is `*`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::ETags;
    ///
    /// assert!(!ETags::default().is_any());
    /// ```
    pub fn is_any(&self) -> bool {
        self.any
    }

    /// Whether the list is empty (no header, or a header without tags).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::ETags;
    ///
    /// assert!(ETags::default().is_empty());
    /// assert!(!ETags::any().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        !self.any && self.tags.is_empty()
    }

    /// The tags, in the order the client sent them.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::ETags;
    ///
    /// let tags: ETags = r#""a", W/"b""#.parse().unwrap();
    /// assert_eq!(tags.iter().map(|t| t.tag()).collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &EntityTag> {
        self.tags.iter()
    }

    /// Whether `tag` is one of the strong tags (or the list is `*`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::ETags;
    ///
    /// let tags: ETags = r#""a", W/"b""#.parse().unwrap();
    /// assert!(tags.contains("a") && !tags.contains("b"));
    /// ```
    pub fn contains(&self, tag: &str) -> bool {
        self.any || self.tags.iter().any(|t| !t.weak && t.tag == tag)
    }

    /// Whether `tag` is one of the tags, strong or weak (or the list is `*`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::ETags;
    ///
    /// let tags: ETags = r#"W/"b""#.parse().unwrap();
    /// assert!(tags.contains_weak("b"));
    /// ```
    pub fn contains_weak(&self, tag: &str) -> bool {
        self.any || self.tags.iter().any(|t| t.tag == tag)
    }

    /// Werkzeug's `contains_raw`: a quoted weak tag is looked up among all
    /// tags, a strong one among the strong tags.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::ETags;
    ///
    /// let tags: ETags = r#""foo", W/"baz""#.parse().unwrap();
    /// assert!(tags.contains_raw(r#"W/"baz""#));
    /// assert!(tags.contains_raw(r#""foo""#));
    /// assert!(!tags.contains_raw(r#""baz""#));
    /// ```
    pub fn contains_raw(&self, raw: &str) -> bool {
        match raw.parse::<EntityTag>() {
            Ok(tag) if tag.weak => self.contains_weak(&tag.tag),
            Ok(tag) => self.contains(&tag.tag),
            Err(_) => false,
        }
    }

    /// Strong comparison against `etag` (`If-Match`): `*` or a strong equal tag.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::{ETags, EntityTag};
    ///
    /// let tags: ETags = r#""a", W/"b""#.parse().unwrap();
    /// assert!(tags.matches_strong(&EntityTag::strong("a").unwrap()));
    /// assert!(!tags.matches_strong(&EntityTag::strong("b").unwrap()));
    /// ```
    pub fn matches_strong(&self, etag: &EntityTag) -> bool {
        self.any || self.tags.iter().any(|t| t.strong_eq(etag))
    }

    /// Weak comparison against `etag` (`If-None-Match`): `*` or an equal tag.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::{ETags, EntityTag};
    ///
    /// let tags: ETags = r#"W/"b""#.parse().unwrap();
    /// assert!(tags.matches_weak(&EntityTag::strong("b").unwrap()));
    /// ```
    pub fn matches_weak(&self, etag: &EntityTag) -> bool {
        self.any || self.tags.iter().any(|t| t.weak_eq(etag))
    }
}

impl FromIterator<EntityTag> for ETags {
    fn from_iter<I: IntoIterator<Item = EntityTag>>(iter: I) -> Self {
        Self {
            tags: iter.into_iter().collect(),
            any: false,
        }
    }
}

impl fmt::Display for ETags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.any {
            return f.write_str("*");
        }
        for (i, tag) in self.tags.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{tag}")?;
        }
        Ok(())
    }
}

impl FromStr for ETags {
    type Err = HeaderError;

    fn from_str(value: &str) -> Result<Self, HeaderError> {
        let malformed = || HeaderError::malformed("etag list", value);
        let mut tags = Vec::new();
        let mut rest = value.trim_start();
        while !rest.is_empty() {
            let weak = rest.starts_with("W/") || rest.starts_with("w/");
            if weak {
                rest = &rest[2..];
            }
            let tag;
            if let Some(quoted) = rest.strip_prefix('"') {
                let end = quoted.find('"').ok_or_else(malformed)?;
                tag = &quoted[..end];
                rest = quoted[end + 1..].trim_start();
                match rest.strip_prefix(',') {
                    Some(after) => rest = after,
                    None if rest.is_empty() => {}
                    None => return Err(malformed()),
                }
            } else {
                let end = rest.find(',').unwrap_or(rest.len());
                tag = rest[..end].trim_end();
                rest = rest.get(end + 1..).unwrap_or_default();
                if tag == "*" && !weak {
                    return Ok(Self::any());
                }
                if tag.is_empty() {
                    rest = rest.trim_start();
                    continue;
                }
            }
            tags.push(EntityTag::new(tag, weak).map_err(|_| malformed())?);
            rest = rest.trim_start();
        }
        Ok(Self { tags, any: false })
    }
}
