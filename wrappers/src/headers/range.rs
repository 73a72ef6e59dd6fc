//! Range requests (RFC 9110 §14): `Range`, `Content-Range`, `If-Range`.

use std::fmt;
use std::str::FromStr;

use http::HeaderName;

use super::syntax::{is_token, plain_u64};
use super::{EntityTag, HeaderError, HttpDate, TypedHeader};

/// One range of a `Range` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRangeSpec {
    /// `first-last`, both inclusive.
    FromTo {
        /// The first byte.
        first: u64,
        /// The last byte (inclusive).
        last: u64,
    },
    /// `first-`: from `first` to the end.
    From {
        /// The first byte.
        first: u64,
    },
    /// `-length`: the last `length` bytes.
    Suffix {
        /// How many bytes from the end.
        length: u64,
    },
}

impl ByteRangeSpec {
    /// The `(first, last)` bytes (inclusive) this range selects from a
    /// representation of `length` bytes; `None` when unsatisfiable.
    ///
    /// A suffix longer than the representation selects all of it (RFC 9110
    /// §14.1.2); a last byte past the end is clipped.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::ByteRangeSpec;
    ///
    /// assert_eq!(ByteRangeSpec::FromTo { first: 6, last: 666 }.resolve(11), Some((6, 10)));
    /// assert_eq!(ByteRangeSpec::Suffix { length: 100 }.resolve(11), Some((0, 10)));
    /// assert_eq!(ByteRangeSpec::From { first: 11 }.resolve(11), None);
    /// ```
    pub fn resolve(self, length: u64) -> Option<(u64, u64)> {
        match self {
            ByteRangeSpec::FromTo { first, last } if first < length => {
                Some((first, last.min(length - 1)))
            }
            ByteRangeSpec::From { first } if first < length => Some((first, length - 1)),
            ByteRangeSpec::Suffix { length: suffix } if suffix > 0 && length > 0 => {
                Some((length - suffix.min(length), length - 1))
            }
            _ => None,
        }
    }
}

impl fmt::Display for ByteRangeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ByteRangeSpec::FromTo { first, last } => write!(f, "{first}-{last}"),
            ByteRangeSpec::From { first } => write!(f, "{first}-"),
            ByteRangeSpec::Suffix { length } => write!(f, "-{length}"),
        }
    }
}

/// The `Range` request header.
///
/// Parsing follows Werkzeug's `Range.from_header`: the unit is lowercased,
/// whitespace around numbers is allowed, ranges must be ascending and must
/// not overlap, and nothing may follow an open-ended or suffix range — a
/// request breaking those rules (such as the thousand overlapping ranges
/// of Apache's CVE-2011-3192) is a [`HeaderError`]. At most
/// [`MAX_RANGES`](Self::MAX_RANGES) ranges are read.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::headers::{ByteRangeSpec, Range};
///
/// let range: Range = "bytes=52-99,-1000".parse().unwrap();
/// assert_eq!(range.unit(), "bytes");
/// assert_eq!(range.specs(), [
///     ByteRangeSpec::FromTo { first: 52, last: 99 },
///     ByteRangeSpec::Suffix { length: 1000 },
/// ]);
/// assert_eq!(range.to_string(), "bytes=52-99,-1000");
/// assert!("bytes=0-0,0-1".parse::<Range>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    unit: String,
    specs: Vec<ByteRangeSpec>,
}

impl Range {
    /// The most ranges one `Range` header may ask for.
    pub const MAX_RANGES: usize = 64;

    /// A `bytes` range request for `specs`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::{ByteRangeSpec, Range};
    ///
    /// let range = Range::bytes([ByteRangeSpec::From { first: 10 }]);
    /// assert_eq!(range.to_string(), "bytes=10-");
    /// ```
    pub fn bytes(specs: impl IntoIterator<Item = ByteRangeSpec>) -> Self {
        Self {
            unit: "bytes".to_owned(),
            specs: specs.into_iter().collect(),
        }
    }

    /// The range unit, lowercase (`bytes`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::Range;
    ///
    /// assert_eq!("AWesomes=0-999".parse::<Range>().unwrap().unit(), "awesomes");
    /// ```
    pub fn unit(&self) -> &str {
        &self.unit
    }

    /// The ranges, as sent.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::{ByteRangeSpec, Range};
    ///
    /// let range: Range = "bytes = 1 - 100".parse().unwrap();
    /// assert_eq!(range.specs(), [ByteRangeSpec::FromTo { first: 1, last: 100 }]);
    /// ```
    pub fn specs(&self) -> &[ByteRangeSpec] {
        &self.specs
    }

    /// The satisfiable `(first, last)` ranges for a representation of `length`
    /// bytes, sorted, with overlapping or adjacent ranges merged (RFC 9110
    /// §14.2 lets a server coalesce them). Empty when the unit is not `bytes`
    /// or no range is satisfiable.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::Range;
    ///
    /// let range: Range = "bytes=0-1,4-5,-3".parse().unwrap();
    /// assert_eq!(range.satisfiable(8), [(0, 1), (4, 7)]);
    /// assert!(range.satisfiable(0).is_empty());
    /// ```
    pub fn satisfiable(&self, length: u64) -> Vec<(u64, u64)> {
        if self.unit != "bytes" {
            return Vec::new();
        }
        let mut ranges: Vec<(u64, u64)> = self
            .specs
            .iter()
            .filter_map(|spec| spec.resolve(length))
            .collect();
        ranges.sort_unstable();
        let mut merged: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
        for (first, last) in ranges {
            match merged.last_mut() {
                Some(previous) if first <= previous.1.saturating_add(1) => {
                    previous.1 = previous.1.max(last);
                }
                _ => merged.push((first, last)),
            }
        }
        merged
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}=", self.unit)?;
        for (i, spec) in self.specs.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{spec}")?;
        }
        Ok(())
    }
}

impl FromStr for Range {
    type Err = HeaderError;

    fn from_str(value: &str) -> Result<Self, HeaderError> {
        let malformed = || HeaderError::malformed("range", value);
        let (unit, ranges) = value.split_once('=').ok_or_else(malformed)?;
        let unit = unit.trim().to_ascii_lowercase();
        if !is_token(&unit) {
            return Err(malformed());
        }
        let count = ranges.split(',').count();
        if count > Self::MAX_RANGES {
            return Err(HeaderError::TooManyRanges {
                count,
                limit: Self::MAX_RANGES,
            });
        }
        let mut specs = Vec::with_capacity(count);
        // The end (exclusive) of the previous range; `None` after an open one.
        let mut previous_end: Option<u64> = Some(0);
        for item in ranges.split(',') {
            let (first, last) = item.split_once('-').ok_or_else(malformed)?;
            let previous = previous_end.ok_or_else(malformed)?;
            let spec = if first.trim().is_empty() {
                previous_end = None;
                ByteRangeSpec::Suffix {
                    length: plain_u64(last).ok_or_else(malformed)?,
                }
            } else {
                let first = plain_u64(first).ok_or_else(malformed)?;
                if first < previous {
                    return Err(malformed());
                }
                if last.trim().is_empty() {
                    previous_end = None;
                    ByteRangeSpec::From { first }
                } else {
                    let last = plain_u64(last).ok_or_else(malformed)?;
                    if last < first {
                        return Err(malformed());
                    }
                    previous_end = Some(last.saturating_add(1));
                    ByteRangeSpec::FromTo { first, last }
                }
            };
            specs.push(spec);
        }
        Ok(Self { unit, specs })
    }
}

impl TypedHeader for Range {
    const NAME: HeaderName = http::header::RANGE;
}

/// The `Content-Range` response header: `bytes 0-4/11`, `bytes */11`
/// (unsatisfied, with a 416) or `bytes 0-4/*` (length unknown).
///
/// # Examples
///
/// ```
/// use carafe_wrappers::headers::ContentRange;
///
/// let range = ContentRange::bytes(0, 4, Some(11)).unwrap();
/// assert_eq!(range.to_string(), "bytes 0-4/11");
/// assert_eq!(ContentRange::unsatisfied(11).to_string(), "bytes */11");
/// let parsed: ContentRange = "bytes 0-98/*".parse().unwrap();
/// assert_eq!(parsed.range(), Some((0, 98)));
/// assert_eq!(parsed.complete_length(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentRange {
    unit: String,
    range: Option<(u64, u64)>,
    complete_length: Option<u64>,
}

impl ContentRange {
    /// Bytes `first..=last` of a representation of `complete_length` bytes
    /// (`None`: unknown); `None` when the range does not fit.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::ContentRange;
    ///
    /// assert!(ContentRange::bytes(5, 4, None).is_none());
    /// assert!(ContentRange::bytes(0, 11, Some(11)).is_none());
    /// ```
    pub fn bytes(first: u64, last: u64, complete_length: Option<u64>) -> Option<Self> {
        (first <= last && complete_length.is_none_or(|length| last < length)).then(|| Self {
            unit: "bytes".to_owned(),
            range: Some((first, last)),
            complete_length,
        })
    }

    /// `bytes */length`: the value a `416` carries.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::ContentRange;
    ///
    /// assert_eq!(ContentRange::unsatisfied(0).range(), None);
    /// ```
    pub fn unsatisfied(complete_length: u64) -> Self {
        Self {
            unit: "bytes".to_owned(),
            range: None,
            complete_length: Some(complete_length),
        }
    }

    /// The unit (`bytes`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::ContentRange;
    ///
    /// assert_eq!(ContentRange::unsatisfied(1).unit(), "bytes");
    /// ```
    pub fn unit(&self) -> &str {
        &self.unit
    }

    /// The `(first, last)` bytes, inclusive; `None` for `*`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::ContentRange;
    ///
    /// assert_eq!(ContentRange::bytes(1, 2, None).unwrap().range(), Some((1, 2)));
    /// ```
    pub fn range(&self) -> Option<(u64, u64)> {
        self.range
    }

    /// The length of the whole representation, when known.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::ContentRange;
    ///
    /// assert_eq!(ContentRange::unsatisfied(9).complete_length(), Some(9));
    /// ```
    pub fn complete_length(&self) -> Option<u64> {
        self.complete_length
    }
}

impl fmt::Display for ContentRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.unit)?;
        match self.range {
            Some((first, last)) => write!(f, "{first}-{last}/")?,
            None => f.write_str("*/")?,
        }
        match self.complete_length {
            Some(length) => write!(f, "{length}"),
            None => f.write_str("*"),
        }
    }
}

impl FromStr for ContentRange {
    type Err = HeaderError;

    fn from_str(value: &str) -> Result<Self, HeaderError> {
        let malformed = || HeaderError::malformed("content-range", value);
        let (unit, rest) = value.trim().split_once(' ').ok_or_else(malformed)?;
        if !is_token(unit) {
            return Err(malformed());
        }
        let (range, length) = rest.split_once('/').ok_or_else(malformed)?;
        let complete_length = match length {
            "*" => None,
            length => Some(plain_u64(length).ok_or_else(malformed)?),
        };
        let range = match range {
            "*" if complete_length.is_some() => None,
            "*" => return Err(malformed()),
            range => {
                let (first, last) = range.split_once('-').ok_or_else(malformed)?;
                let (first, last) = (
                    plain_u64(first).ok_or_else(malformed)?,
                    plain_u64(last).ok_or_else(malformed)?,
                );
                if first > last || complete_length.is_some_and(|length| last >= length) {
                    return Err(malformed());
                }
                Some((first, last))
            }
        };
        Ok(Self {
            unit: unit.to_owned(),
            range,
            complete_length,
        })
    }
}

impl TypedHeader for ContentRange {
    const NAME: HeaderName = http::header::CONTENT_RANGE;
}

/// The `If-Range` request header: a date or an entity tag.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::headers::{IfRange, HttpDate};
///
/// let by_date: IfRange = "Thu, 01 Jan 1970 00:00:00 GMT".parse().unwrap();
/// assert_eq!(by_date, IfRange::Date(HttpDate::from_unix_seconds(0).unwrap()));
/// let by_tag: IfRange = r#""Test""#.parse().unwrap();
/// assert_eq!(by_tag.to_string(), r#""Test""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfRange {
    /// Serve the range only if the representation has this strong tag (a weak
    /// tag never matches).
    ETag(EntityTag),
    /// Serve the range only if the representation was last modified exactly then.
    Date(HttpDate),
}

impl fmt::Display for IfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IfRange::ETag(tag) => write!(f, "{tag}"),
            IfRange::Date(date) => write!(f, "{date}"),
        }
    }
}

impl FromStr for IfRange {
    type Err = HeaderError;

    fn from_str(value: &str) -> Result<Self, HeaderError> {
        if let Ok(date) = value.parse() {
            return Ok(IfRange::Date(date));
        }
        value
            .parse()
            .map(IfRange::ETag)
            .map_err(|_| HeaderError::malformed("if-range", value))
    }
}

impl TypedHeader for IfRange {
    const NAME: HeaderName = http::header::IF_RANGE;
}
