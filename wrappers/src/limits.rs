//! Limits on what a request may make the toolkit read or keep in memory.

/// Limits applied while reading a request, with Werkzeug's and gunicorn's
/// defaults. Every parser in this crate checks the limit that concerns it and
/// fails with an error naming that limit.
///
/// An application sets the limits on each request it receives
/// ([`Request::set_limits`](crate::Request::set_limits)), the way Flask sets
/// `max_content_length` on its request objects.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::Limits;
///
/// let limits = Limits::default().with_max_content_length(Some(16 * 1024 * 1024));
/// assert_eq!(limits.max_content_length(), Some(16 * 1024 * 1024));
/// assert_eq!(limits.max_form_memory_size(), 500_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    max_content_length: Option<u64>,
    max_form_memory_size: usize,
    max_form_parts: usize,
    max_part_header_size: usize,
    max_query_fields: usize,
    max_form_fields: usize,
    max_cookie_header_size: usize,
    file_memory_threshold: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            // Werkzeug's default is `None` (unbounded); a raw body read still goes
            // through `Body`, which never buffers more than asked for.
            max_content_length: None,
            // Werkzeug 3.1: `max_form_memory_size = 500_000`, `max_form_parts = 1_000`.
            max_form_memory_size: 500_000,
            max_form_parts: 1_000,
            // gunicorn's `limit_request_field_size`.
            max_part_header_size: 8_190,
            max_query_fields: 1_000,
            max_form_fields: 1_000,
            max_cookie_header_size: 8_190,
            // Werkzeug's default stream factory spools above 500 KiB.
            file_memory_threshold: 500 * 1024,
        }
    }
}

macro_rules! limit_accessors {
    ($($(#[$doc:meta])* $field:ident, $with:ident: $ty:ty;)*) => {
        impl Limits {
            $(
                $(#[$doc])*
                pub fn $field(&self) -> $ty {
                    self.$field
                }

                #[doc = concat!("Returns these limits with `", stringify!($field), "` set to `value`.")]
                #[must_use]
                pub fn $with(mut self, value: $ty) -> Self {
                    self.$field = value;
                    self
                }
            )*
        }
    };
}

limit_accessors! {
    /// The largest request body, in bytes, that may be read (`None`: unbounded).
    /// A larger body is a 413.
    max_content_length, with_max_content_length: Option<u64>;
    /// The largest non-file form field kept in memory, in bytes (Werkzeug:
    /// 500 000), and the largest urlencoded body. A larger one is a 413.
    max_form_memory_size, with_max_form_memory_size: usize;
    /// The most parts a multipart body may have (Werkzeug: 1000). More is a 413.
    max_form_parts, with_max_form_parts: usize;
    /// The largest header block of one multipart part (and the preamble
    /// before the first boundary), in bytes (gunicorn's field size limit).
    /// A larger one is a 413.
    max_part_header_size, with_max_part_header_size: usize;
    /// The most fields a query string may have. More is a 400.
    max_query_fields, with_max_query_fields: usize;
    /// The most fields a urlencoded form may have. More is a 413.
    max_form_fields, with_max_form_fields: usize;
    /// The largest `Cookie` header, in bytes (gunicorn's field size limit).
    /// A larger one is a 431.
    max_cookie_header_size, with_max_cookie_header_size: usize;
    /// How many bytes of uploaded files a request may keep in memory, all
    /// files together (Werkzeug: 500 KiB per file). A file that would pass it
    /// is spooled to a temporary file, so an upload of any size parses in
    /// bounded memory.
    file_memory_threshold, with_file_memory_threshold: usize;
}
