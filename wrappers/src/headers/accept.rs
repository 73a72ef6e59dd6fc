//! Content negotiation: `Accept`, `Accept-Language`, `Accept-Charset` and
//! `Accept-Encoding`, with quality values and Werkzeug's specificity rules.

use std::fmt;
use std::str::FromStr;

use http::HeaderName;

use super::syntax::{dump_options, is_token_char, parse_list, parse_options};
use super::{HeaderError, TypedHeader};

/// How one kind of `Accept*` header compares values.
trait Rules {
    const HEADER: &'static str;
    /// Sort key: more specific items first (`*` is least specific).
    fn specificity(item: &str) -> Vec<bool> {
        vec![item != "*"]
    }
    /// Whether the server's `offer` matches the client's `item`.
    fn matches(offer: &str, item: &str) -> bool;
}

/// The parsed items, sorted by specificity then quality (stable: equal items
/// keep the client's order).
#[derive(Debug, Clone, PartialEq, Default)]
struct Items(Vec<(String, f32)>);

impl Items {
    fn sorted<R: Rules>(mut items: Vec<(String, f32)>) -> Self {
        items.sort_by(|(a, qa), (b, qb)| {
            (R::specificity(b), qb)
                .partial_cmp(&(R::specificity(a), qa))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        Items(items)
    }

    fn parse<R: Rules>(value: &str) -> Result<Self, HeaderError> {
        let list = parse_list(value).ok_or_else(|| HeaderError::malformed(R::HEADER, value))?;
        let mut items = Vec::with_capacity(list.len());
        for item in list {
            let (head, mut options) = parse_options(&item);
            let mut quality = 1.0;
            if let Some(position) = options.iter().position(|(key, _)| key == "q") {
                let (_, q) = options.remove(position);
                match parse_quality(&q) {
                    Some(q) => quality = q,
                    None => continue,
                }
            }
            // A value is a token, or a media range (token/token): anything
            // else cannot be matched and would not print back as one item.
            if head.is_empty() || !head.chars().all(|c| is_token_char(c) || c == '/') {
                continue;
            }
            items.push((dump_options(&head, &options), quality));
        }
        Ok(Self::sorted::<R>(items))
    }

    fn first_match<R: Rules>(&self, offer: &str) -> Option<(&str, f32)> {
        self.0
            .iter()
            .find(|(item, _)| R::matches(offer, item))
            .map(|(item, q)| (item.as_str(), *q))
    }

    fn best_match<'a, R: Rules>(
        &self,
        offers: impl IntoIterator<Item = &'a str>,
    ) -> Option<&'a str> {
        let mut best: Option<(&'a str, f32, Vec<bool>)> = None;
        for offer in offers {
            let Some((item, quality)) = self.first_match::<R>(offer) else {
                continue;
            };
            if quality <= 0.0 {
                continue;
            }
            let specificity = R::specificity(item);
            let better = match &best {
                None => true,
                Some((_, best_quality, best_specificity)) => {
                    quality > *best_quality
                        || (quality == *best_quality && specificity > *best_specificity)
                }
            };
            if better {
                best = Some((offer, quality, specificity));
            }
        }
        best.map(|(offer, ..)| offer)
    }
}

/// A quality value: `-?\d+(\.\d+)?` within `0..=1` (Werkzeug's rule).
fn parse_quality(q: &str) -> Option<f32> {
    let q = q.trim();
    let digits = q.strip_prefix('-').unwrap_or(q);
    let (int, frac) = match digits.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || frac.is_some_and(|frac| !all_digits(frac)) {
        return None;
    }
    let value: f32 = q.parse().ok()?;
    (0.0..=1.0).contains(&value).then_some(value)
}

fn write_items(items: &Items, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for (i, (value, quality)) in items.0.iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        f.write_str(value)?;
        if *quality != 1.0 {
            write!(f, ";q={}", (*quality * 1000.0).round() / 1000.0)?;
        }
    }
    Ok(())
}

macro_rules! accept_type {
    (
        $(#[$doc:meta])*
        $name:ident, $rules:ident, $header:expr, $header_const:ident,
        example: $example:literal, offers: [$($offer:literal),*], best: $best:literal, absent: $absent:literal
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct $name(Items);

        impl $name {
            /// An empty header: nothing was sent, every offer is acceptable
            /// to [`quality`](Self::quality) callers who treat absence as "anything".
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use carafe_wrappers::headers::", stringify!($name), ";")]
            #[doc = concat!("assert!(", stringify!($name), "::new().is_empty());")]
            /// ```
            pub fn new() -> Self {
                Self::default()
            }

            /// The items, most preferred first: `(value, quality)`.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use carafe_wrappers::headers::", stringify!($name), ";")]
            #[doc = concat!("let header: ", stringify!($name), " = ", stringify!($example), ".parse().unwrap();")]
            #[doc = concat!("assert_eq!(header.iter().next(), Some((", stringify!($best), ", 1.0)));")]
            /// ```
            pub fn iter(&self) -> impl Iterator<Item = (&str, f32)> {
                self.0 .0.iter().map(|(value, q)| (value.as_str(), *q))
            }

            /// How many items the header holds.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use carafe_wrappers::headers::", stringify!($name), ";")]
            #[doc = concat!("let header: ", stringify!($name), " = ", stringify!($example), ".parse().unwrap();")]
            /// assert!(header.len() > 1);
            /// ```
            pub fn len(&self) -> usize {
                self.0 .0.len()
            }

            /// Whether the header holds no item.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use carafe_wrappers::headers::", stringify!($name), ";")]
            #[doc = concat!("let header: ", stringify!($name), " = \"\".parse().unwrap();")]
            /// assert!(header.is_empty());
            /// ```
            pub fn is_empty(&self) -> bool {
                self.0 .0.is_empty()
            }

            /// The quality the client gives `value` (0 when not accepted).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use carafe_wrappers::headers::", stringify!($name), ";")]
            #[doc = concat!("let header: ", stringify!($name), " = ", stringify!($example), ".parse().unwrap();")]
            #[doc = concat!("assert_eq!(header.quality(", stringify!($best), "), 1.0);")]
            #[doc = concat!("assert_eq!(header.quality(", stringify!($absent), "), 0.0);")]
            /// ```
            pub fn quality(&self, value: &str) -> f32 {
                self.0.first_match::<$rules>(value).map_or(0.0, |(_, q)| q)
            }

            /// Whether some item matches `value` (even with quality 0).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use carafe_wrappers::headers::", stringify!($name), ";")]
            #[doc = concat!("let header: ", stringify!($name), " = ", stringify!($example), ".parse().unwrap();")]
            #[doc = concat!("assert!(header.contains(", stringify!($best), "));")]
            #[doc = concat!("assert!(!header.contains(", stringify!($absent), "));")]
            /// ```
            pub fn contains(&self, value: &str) -> bool {
                self.0.first_match::<$rules>(value).is_some()
            }

            /// The position of the first item matching `value`.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use carafe_wrappers::headers::", stringify!($name), ";")]
            #[doc = concat!("let header: ", stringify!($name), " = ", stringify!($example), ".parse().unwrap();")]
            #[doc = concat!("assert_eq!(header.find(", stringify!($best), "), Some(0));")]
            #[doc = concat!("assert_eq!(header.find(", stringify!($absent), "), None);")]
            /// ```
            pub fn find(&self, value: &str) -> Option<usize> {
                self.0 .0.iter().position(|(item, _)| $rules::matches(value, item))
            }

            /// The client's most preferred item.
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use carafe_wrappers::headers::", stringify!($name), ";")]
            #[doc = concat!("let header: ", stringify!($name), " = ", stringify!($example), ".parse().unwrap();")]
            #[doc = concat!("assert_eq!(header.best(), Some(", stringify!($best), "));")]
            /// ```
            pub fn best(&self) -> Option<&str> {
                self.0 .0.first().map(|(value, _)| value.as_str())
            }

            /// The best of the server's `offers`: highest quality, then the most
            /// specific client item, then the first offer. `None` when nothing
            /// offered is acceptable (quality 0 counts as refused).
            ///
            /// # Examples
            ///
            /// ```
            #[doc = concat!("use carafe_wrappers::headers::", stringify!($name), ";")]
            #[doc = concat!("let header: ", stringify!($name), " = ", stringify!($example), ".parse().unwrap();")]
            #[doc = concat!("assert_eq!(header.best_match([", $(stringify!($offer), ", ",)* "]), Some(", stringify!($best), "));")]
            #[doc = concat!("assert_eq!(header.best_match([", stringify!($absent), "]), None);")]
            /// ```
            pub fn best_match<'a>(&self, offers: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
                self.best_match_impl(offers)
            }
        }

        impl<S: Into<String>> FromIterator<(S, f32)> for $name {
            fn from_iter<I: IntoIterator<Item = (S, f32)>>(iter: I) -> Self {
                $name(Items::sorted::<$rules>(
                    iter.into_iter().map(|(value, q)| (value.into(), q)).collect(),
                ))
            }
        }

        impl FromStr for $name {
            type Err = HeaderError;

            fn from_str(value: &str) -> Result<Self, HeaderError> {
                Items::parse::<$rules>(value).map($name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_items(&self.0, f)
            }
        }

        impl TypedHeader for $name {
            const NAME: HeaderName = http::header::$header_const;
        }

        impl Rules for $rules {
            const HEADER: &'static str = $header;
            rules_body!($rules);
        }
    };
}

macro_rules! rules_body {
    (MediaRules) => {
        fn specificity(item: &str) -> Vec<bool> {
            split_media(item).iter().map(|part| part != "*").collect()
        }
        fn matches(offer: &str, item: &str) -> bool {
            media_matches(offer, item)
        }
    };
    (LanguageRules) => {
        fn matches(offer: &str, item: &str) -> bool {
            item == "*" || language_parts(offer) == language_parts(item)
        }
    };
    (CharsetRules) => {
        fn matches(offer: &str, item: &str) -> bool {
            item == "*" || charset_key(offer) == charset_key(item)
        }
    };
    (EncodingRules) => {
        fn matches(offer: &str, item: &str) -> bool {
            item == "*" || item.eq_ignore_ascii_case(offer)
        }
    };
}

struct MediaRules;
struct LanguageRules;
struct CharsetRules;
struct EncodingRules;
/// Plain rules: `*` or a case-insensitive equal value.
struct PlainRules;

impl Rules for PlainRules {
    const HEADER: &'static str = "accept-language";
    fn matches(offer: &str, item: &str) -> bool {
        item == "*" || item.eq_ignore_ascii_case(offer)
    }
}

accept_type! {
    /// The `Accept` header: media ranges with quality values.
    ///
    /// Items are sorted by specificity (`text/html;level=1` before `text/html`
    /// before `text/*` before `*/*`), then by quality; matching compares type,
    /// subtype and parameters case-insensitively (Werkzeug's `MIMEAccept`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::Accept;
    ///
    /// let accept: Accept = "text/html;q=0.9, application/json".parse().unwrap();
    /// assert_eq!(accept.best_match(["text/html", "application/json"]), Some("application/json"));
    /// assert!(accept.accepts_json());
    /// ```
    Accept, MediaRules, "accept", ACCEPT,
    example: "text/html, text/*;q=0.5", offers: ["text/plain", "text/html"], best: "text/html", absent: "image/png"
}

accept_type! {
    /// The `Accept-Language` header.
    ///
    /// Tags match case-insensitively with `-` and `_` equivalent;
    /// [`best_match`](Self::best_match) falls back to primary tags the way
    /// Werkzeug's `LanguageAccept` does.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::AcceptLanguage;
    ///
    /// let languages: AcceptLanguage = "de-AT,de;q=0.8,en;q=0.5".parse().unwrap();
    /// assert_eq!(languages.best(), Some("de-AT"));
    /// assert!(languages.contains("de_AT"));
    /// assert_eq!(languages.best_match(["en-US", "fr"]), Some("en-US"));
    /// ```
    AcceptLanguage, LanguageRules, "accept-language", ACCEPT_LANGUAGE,
    example: "en-US, fr;q=0.5", offers: ["fr", "en-US"], best: "en-US", absent: "de"
}

accept_type! {
    /// The `Accept-Charset` header (charset names compare the way Python's
    /// codec lookup does for the common ones: `UTF8` equals `utf-8`,
    /// `latin-1` equals `ISO-8859-1`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::AcceptCharset;
    ///
    /// let charsets: AcceptCharset = "ISO-8859-1, utf-8;q=0.7".parse().unwrap();
    /// assert!(charsets.contains("UTF8"));
    /// assert_eq!(charsets.quality("latin-1"), 1.0);
    /// ```
    AcceptCharset, CharsetRules, "accept-charset", ACCEPT_CHARSET,
    example: "utf-8, iso-8859-1;q=0.5", offers: ["iso-8859-1", "utf-8"], best: "utf-8", absent: "utf-7"
}

accept_type! {
    /// The `Accept-Encoding` header.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::AcceptEncoding;
    ///
    /// let encodings: AcceptEncoding = "gzip, br;q=0.9, *;q=0".parse().unwrap();
    /// assert_eq!(encodings.best_match(["br", "gzip"]), Some("gzip"));
    /// assert_eq!(encodings.best_match(["zstd"]), None);
    /// ```
    AcceptEncoding, EncodingRules, "accept-encoding", ACCEPT_ENCODING,
    example: "gzip, deflate;q=0.5", offers: ["deflate", "gzip"], best: "gzip", absent: "br"
}

impl Accept {
    fn best_match_impl<'a>(&self, offers: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
        self.0.best_match::<MediaRules>(offers)
    }

    /// Whether the client accepts HTML (`text/html` or XHTML).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::Accept;
    ///
    /// assert!("text/*".parse::<Accept>().unwrap().accepts_html());
    /// assert!(!"application/json".parse::<Accept>().unwrap().accepts_html());
    /// ```
    pub fn accepts_html(&self) -> bool {
        self.contains("text/html") || self.accepts_xhtml()
    }

    /// Whether the client accepts XHTML (`application/xhtml+xml` or
    /// `application/xml`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::Accept;
    ///
    /// assert!("application/xml".parse::<Accept>().unwrap().accepts_xhtml());
    /// ```
    pub fn accepts_xhtml(&self) -> bool {
        self.contains("application/xhtml+xml") || self.contains("application/xml")
    }

    /// Whether the client accepts JSON (`application/json`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::Accept;
    ///
    /// assert!("*/*".parse::<Accept>().unwrap().accepts_json());
    /// assert!(!"text/html".parse::<Accept>().unwrap().accepts_json());
    /// ```
    pub fn accepts_json(&self) -> bool {
        self.contains("application/json")
    }
}

impl AcceptLanguage {
    fn best_match_impl<'a>(&self, offers: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
        let offers: Vec<&'a str> = offers.into_iter().collect();
        if let Some(exact) = self.0.best_match::<LanguageRules>(offers.iter().copied()) {
            return Some(exact);
        }
        // The client accepts "en-US": "en" is a match now.
        let primary = |tag: &str| tag.split(['-', '_']).next().unwrap_or_default().to_owned();
        let client_primary = Items(self.0.0.iter().map(|(t, q)| (primary(t), *q)).collect());
        if let Some(found) = client_primary.best_match::<PlainRules>(offers.iter().copied()) {
            return Some(found);
        }
        // The client accepts "en": "en-US" is a match now.
        let offer_primary: Vec<String> = offers.iter().map(|o| primary(o)).collect();
        let found = self
            .0
            .best_match::<LanguageRules>(offer_primary.iter().map(String::as_str))?;
        offers.into_iter().find(|offer| offer.starts_with(found))
    }
}

impl AcceptCharset {
    fn best_match_impl<'a>(&self, offers: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
        self.0.best_match::<CharsetRules>(offers)
    }
}

impl AcceptEncoding {
    fn best_match_impl<'a>(&self, offers: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
        self.0.best_match::<EncodingRules>(offers)
    }
}

/// `type`, `subtype`, then the parameters: split on `/` and on `;` with the
/// whitespace around it, lowercased.
fn split_media(value: &str) -> Vec<String> {
    let lower = value.to_ascii_lowercase();
    let (essence, params) = match lower.split_once(';') {
        Some((essence, params)) => (essence.trim_end().to_owned(), Some(params.to_owned())),
        None => (lower, None),
    };
    let mut parts: Vec<String> = essence.split('/').map(str::to_owned).collect();
    if let Some(params) = params {
        parts.extend(params.split(';').map(|p| p.trim().to_owned()));
    }
    parts
}

fn media_matches(offer: &str, item: &str) -> bool {
    if !item.contains('/') || !offer.contains('/') {
        return false;
    }
    let (offer, item) = (split_media(offer), split_media(item));
    let (offer_type, offer_sub) = (&offer[0], &offer[1]);
    let (item_type, item_sub) = (&item[0], &item[1]);
    if (offer_type == "*" && offer_sub != "*") || (item_type == "*" && item_sub != "*") {
        return false;
    }
    if (item_type == "*" && item_sub == "*") || (offer_type == "*" && offer_sub == "*") {
        return true;
    }
    let sorted = |parts: &[String]| {
        let mut params = parts[2..].to_vec();
        params.sort();
        params
    };
    item_type == offer_type
        && (item_sub == "*"
            || offer_sub == "*"
            || (item_sub == offer_sub && sorted(&item) == sorted(&offer)))
}

fn language_parts(tag: &str) -> Vec<String> {
    tag.to_ascii_lowercase()
        .split(['-', '_'])
        .map(str::to_owned)
        .collect()
}

fn charset_key(name: &str) -> String {
    let key: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    match key.as_str() {
        "latin1" | "l1" | "iso88591" | "iso885911987" | "cp819" => "iso88591".to_owned(),
        "ascii" | "usascii" | "646" => "ascii".to_owned(),
        "utf8" | "u8" | "utf" | "cp65001" => "utf8".to_owned(),
        _ => key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quality_values() {
        assert_eq!(parse_quality("0.5"), Some(0.5));
        assert_eq!(parse_quality("1"), Some(1.0));
        assert_eq!(parse_quality("0"), Some(0.0));
        for bad in [".5", "+0.5", "0.5_1", "🯰.🯵", "5", "-1", "", "1.", "nan"] {
            assert_eq!(parse_quality(bad), None, "{bad}");
        }
    }

    #[test]
    fn media_splitting() {
        assert_eq!(
            split_media("Text/HTML ; Level=1"),
            ["text", "html", "level=1"]
        );
        assert_eq!(MediaRules::specificity("*/*"), [false, false]);
        assert_eq!(MediaRules::specificity("text/*"), [true, false]);
    }
}
