//! `multipart/form-data` bodies, parsed by multer from a blocking reader.
//!
//! The parse streams: at most a few 64 KiB chunks of the body are in memory
//! at a time, whatever the size of the upload (see `sync` for how multer is
//! fed). Text fields are kept in memory up to `max_form_memory_size` each;
//! files are kept in memory while the request's files together stay under
//! `file_memory_threshold`, and are spooled to temporary files beyond.
//!
//! Every limit of [`Limits`] that concerns multipart is checked while the body
//! is read, and a limit hit stops the parse at once with a [`FormError`]
//! naming the limit: `max_content_length` (through the [`Body`](crate::Body)),
//! `max_form_parts`, `max_part_header_size` (each part's header block, and the
//! preamble before the first boundary), `max_form_memory_size`. A truncated
//! body, a missing closing boundary, a part without a name or with bad
//! headers is a 400, never a silently shorter form.
//!
//! Differences from Werkzeug, all stricter: lines must end with CRLF (as RFC
//! 7578 says; Werkzeug also accepts bare LF or CR); a malformed body is an
//! error instead of an empty form; header values must be UTF-8.

mod sync;

use std::io::Read;
use std::sync::Arc;

use http::HeaderMap;
use http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};

pub(crate) use self::sync::Input;
use self::sync::{CHUNK_SIZE, ChunkStream, HeaderBudget, StreamError, block_on};
use crate::file::SpoolWriter;
use crate::options_header::OptionsHeader;
use crate::{BodyError, FileStorage, FormError, Limits, MultiDict};

/// The fields and files of a multipart body.
pub type Parsed = (MultiDict, MultiDict<FileStorage>);

/// Parses a `multipart/form-data` body read from `reader`, with `boundary`
/// (the `boundary` parameter of the content type) and the limits.
///
/// Reads up to the closing boundary; what follows it (the epilogue) is left
/// in `reader`.
///
/// # Errors
///
/// A [`FormError`] naming the limit that fired or the defect of the body.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::{multipart, FormError, Limits};
///
/// let body: &[u8] = b"--XyZ\r\n\
///     Content-Disposition: form-data; name=\"title\"\r\n\r\n\
///     Holiday\r\n\
///     --XyZ\r\n\
///     Content-Disposition: form-data; name=\"photo\"; filename=\"beach.jpg\"\r\n\
///     Content-Type: image/jpeg\r\n\r\n\
///     \xff\xd8 jpeg bytes\r\n\
///     --XyZ--\r\n";
/// let (form, files) = multipart::parse(&mut &body[..], "XyZ", &Limits::default()).unwrap();
/// assert_eq!(form.get("title").unwrap(), "Holiday");
/// let photo = files.get("photo").unwrap();
/// assert_eq!(photo.filename(), "beach.jpg");
/// assert_eq!(photo.bytes().unwrap(), &b"\xff\xd8 jpeg bytes"[..]);
///
/// let limits = Limits::default().with_max_form_parts(1);
/// let error = multipart::parse(&mut &body[..], "XyZ", &limits).unwrap_err();
/// assert!(matches!(error, FormError::TooManyParts { limit: 1 }));
/// ```
pub fn parse(
    reader: &mut (dyn Read + Send),
    boundary: &str,
    limits: &Limits,
) -> Result<Parsed, FormError> {
    parse_sized(Input::Reader(reader), boundary, limits, None)
}

/// [`parse`] for a body of a declared `length` (`Content-Length`), which
/// bounds what a large file part reserves in memory.
pub(crate) fn parse_sized(
    input: Input<'_>,
    boundary: &str,
    limits: &Limits,
    length: Option<u64>,
) -> Result<Parsed, FormError> {
    if boundary.is_empty() || boundary.len() > 200 {
        return Err(FormError::MissingBoundary);
    }
    let budget = Arc::new(HeaderBudget::default());
    let allowance = limits.max_part_header_size().saturating_add(2 * CHUNK_SIZE);
    let stream = ChunkStream::new(input, budget.clone(), allowance);
    let mut multipart = multer::Multipart::new(stream, boundary);

    let mut form = MultiDict::new();
    let mut files = MultiDict::new();
    let mut parts = 0;
    let mut file_memory_left = limits.file_memory_threshold();
    loop {
        budget.enter_headers();
        let field = block_on(multipart.next_field()).map_err(|e| map_error(e, limits))?;
        budget.leave_headers();
        let Some(mut field) = field else { break };

        parts += 1;
        if parts > limits.max_form_parts() {
            return Err(FormError::TooManyParts {
                limit: limits.max_form_parts(),
            });
        }
        if header_block_size(field.headers()) > limits.max_part_header_size() {
            return Err(FormError::PartHeaderTooLarge {
                limit: limits.max_part_header_size(),
            });
        }
        let (name, filename) = disposition(field.headers())?;

        match filename {
            Some(filename) => {
                let headers = field.headers().clone();
                let mut writer = SpoolWriter::new(length);
                while let Some(chunk) = block_on(field.chunk()).map_err(|e| map_error(e, limits))? {
                    writer
                        .write(chunk, &mut file_memory_left)
                        .map_err(|e| FormError::Spool(Arc::new(e)))?;
                }
                let spooled = writer.finish().map_err(|e| FormError::Spool(Arc::new(e)))?;
                files.append(
                    name.clone(),
                    FileStorage::new(name, filename, headers, spooled),
                );
            }
            None => {
                let mut value = Vec::new();
                while let Some(chunk) = block_on(field.chunk()).map_err(|e| map_error(e, limits))? {
                    if value.len() + chunk.len() > limits.max_form_memory_size() {
                        return Err(FormError::FieldTooLarge {
                            field: name,
                            limit: limits.max_form_memory_size(),
                        });
                    }
                    value.extend_from_slice(&chunk);
                }
                let text =
                    decode_text(value, field.headers()).ok_or_else(|| FormError::InvalidUtf8 {
                        field: name.clone(),
                    })?;
                form.append(name, text);
            }
        }
    }
    Ok((form, files))
}

/// The size of a part's header block as it was on the wire (without the
/// blank line).
fn header_block_size(headers: &HeaderMap) -> usize {
    headers
        .iter()
        .map(|(name, value)| name.as_str().len() + 2 + value.len() + 2)
        .sum()
}

/// The field name and, for a file, the client's file name.
fn disposition(headers: &HeaderMap) -> Result<(String, Option<String>), FormError> {
    let malformed = |reason: &str| FormError::Malformed {
        reason: reason.to_owned(),
    };
    let value = headers
        .get(CONTENT_DISPOSITION)
        .ok_or_else(|| malformed("part without a content-disposition header"))?;
    let value = std::str::from_utf8(value.as_bytes())
        .map_err(|_| malformed("content-disposition header is not utf-8"))?;
    let parsed = OptionsHeader::parse(value);
    let name = parsed
        .param("name")
        .ok_or_else(|| malformed("part without a name in its content-disposition"))?;
    Ok((name.to_owned(), parsed.param("filename").map(str::to_owned)))
}

/// Decodes a text field in the charset its part declares (UTF-8 when none;
/// ASCII, UTF-8 and ISO-8859-1 are honoured, as in Werkzeug).
fn decode_text(value: Vec<u8>, headers: &HeaderMap) -> Option<String> {
    let charset = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(OptionsHeader::parse)
        .and_then(|parsed| parsed.param("charset").map(str::to_ascii_lowercase));
    match charset.as_deref() {
        Some("iso-8859-1") => Some(value.iter().map(|&b| char::from(b)).collect()),
        Some("ascii" | "us-ascii") if !value.is_ascii() => None,
        _ => String::from_utf8(value).ok(),
    }
}

fn map_error(error: multer::Error, limits: &Limits) -> FormError {
    match error {
        multer::Error::StreamReadFailed(inner) => match inner.downcast::<StreamError>() {
            Ok(inner) => match *inner {
                StreamError::HeaderBudget => FormError::PartHeaderTooLarge {
                    limit: limits.max_part_header_size(),
                },
                StreamError::Read(error) => BodyError::from_io(error).into(),
            },
            Err(other) => FormError::Malformed {
                reason: other.to_string(),
            },
        },
        other => FormError::Malformed {
            reason: malformed_reason(&other),
        },
    }
}

fn malformed_reason(error: &multer::Error) -> String {
    match error {
        multer::Error::IncompleteStream | multer::Error::IncompleteFieldData { .. } => {
            "the body ends before the closing boundary".to_owned()
        }
        multer::Error::IncompleteHeaders => "incomplete part headers".to_owned(),
        other => other.to_string().to_lowercase(),
    }
}

#[cfg(test)]
mod tests;
