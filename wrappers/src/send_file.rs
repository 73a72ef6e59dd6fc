//! Sending files: `send_file`, `send_from_directory` and `Response::file`.
//!
//! This is the crate's file-system edge: files are opened here and streamed
//! (never read into memory); ranges are served with seeks.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use http::header::{
    ACCEPT_RANGES, CONTENT_DISPOSITION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, DATE,
    EXPIRES, HeaderValue,
};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use unicode_normalization::UnicodeNormalization as _;

use crate::byteranges::{self, Seekable};
use crate::conditional::{Decision, Validators, evaluate};
use crate::headers::syntax::quote;
use crate::headers::{CacheControl, EntityTag, HttpDate};
use crate::safe_join::{Dotfiles, has_dotfile, safe_join_with};
use crate::{HttpError, Request, Response, ResponseBody};

/// Options for sending a file; [`send`](Self::send) answers a request with it.
///
/// Defaults follow Werkzeug's `send_file`: the MIME type is guessed from the
/// name, the response is `inline`, conditional (ETag from modification time,
/// size and path; `Last-Modified` from the modification time; `304`, `412`,
/// `206`, `416`), and `Cache-Control: no-cache` unless a max age is given.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use carafe_wrappers::{Request, SendFile};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("report.csv"), "a,b\n1,2\n").unwrap();
///
/// let response = SendFile::new(dir.path().join("report.csv"))
///     .as_attachment(true)
///     .with_max_age(Duration::from_secs(60))
///     .send(&Request::get("/report"))
///     .unwrap();
/// assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
/// assert_eq!(response.headers()["content-disposition"], "attachment; filename=report.csv");
/// assert_eq!(response.headers()["cache-control"], "public, max-age=60");
/// assert_eq!(response.headers()["content-length"], "8");
/// ```
#[derive(Debug, Clone)]
pub struct SendFile {
    target: Target,
    dotfiles: Dotfiles,
    mimetype: Option<String>,
    as_attachment: bool,
    download_name: Option<String>,
    etag: EtagChoice,
    last_modified: Option<HttpDate>,
    max_age: Option<Duration>,
    conditional: bool,
}

#[derive(Debug, Clone)]
enum Target {
    Trusted(PathBuf),
    InDirectory {
        directory: PathBuf,
        untrusted: String,
    },
}

#[derive(Debug, Clone)]
enum EtagChoice {
    Generated,
    Given(EntityTag),
    None,
}

/// Sends the file at `path` (a trusted path: never one built from client
/// input; use [`send_from_directory`] for those), as [`SendFile::send`].
///
/// # Errors
///
/// `404` when the file does not exist or is not a regular file, `403` when
/// it cannot be read, `500` for other I/O errors.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::{Request, send_file};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("hello.txt"), "Hello World").unwrap();
///
/// let mut request = Request::get("/hello.txt");
/// request.headers_mut().insert("range", "bytes=0-4".parse().unwrap());
/// let response = send_file(dir.path().join("hello.txt"), &request).unwrap();
/// assert_eq!(response.status(), 206);
/// assert_eq!(response.headers()["content-range"], "bytes 0-4/11");
/// ```
pub fn send_file(path: impl Into<PathBuf>, request: &Request) -> Result<Response, HttpError> {
    SendFile::new(path).send(request)
}

/// Sends `path`, taken from the client, from inside `directory`, as
/// [`SendFile::from_directory`] then [`SendFile::send`].
///
/// # Errors
///
/// `404` for a path [`safe_join`](crate::safe_join) refuses, a symbolic link
/// leading out of `directory`, a dotfile, or anything that is not a regular
/// file; `403` and `500` as [`send_file`].
///
/// # Examples
///
/// ```
/// use carafe_wrappers::{Request, send_from_directory};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::write(dir.path().join("hello.txt"), "hello-static").unwrap();
/// std::fs::write(dir.path().join(".hidden"), "secret").unwrap();
///
/// let request = Request::get("/static/hello.txt");
/// assert_eq!(send_from_directory(dir.path(), "hello.txt", &request).unwrap().status(), 200);
/// assert_eq!(send_from_directory(dir.path(), ".hidden", &request).unwrap_err().status(), 404);
/// assert_eq!(send_from_directory(dir.path(), "../etc/passwd", &request).unwrap_err().status(), 404);
/// ```
pub fn send_from_directory(
    directory: impl Into<PathBuf>,
    path: &str,
    request: &Request,
) -> Result<Response, HttpError> {
    SendFile::from_directory(directory, path).send(request)
}

/// What the open file brings.
struct Opened {
    file: File,
    path: PathBuf,
    size: u64,
    modified: Option<SystemTime>,
}

fn io_error(error: io::Error) -> HttpError {
    match error.kind() {
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory | io::ErrorKind::IsADirectory => {
            HttpError::not_found()
        }
        io::ErrorKind::PermissionDenied => HttpError::forbidden(),
        _ => HttpError::internal_server_error().with_source(error),
    }
}

/// `filename*` keeps RFC 5987's attr-chars.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `inline; filename=...` or `attachment; ...`, with `filename*` for names
/// that are not printable ASCII (the plain `filename` keeps the printable
/// ASCII characters of the NFKD form).
fn content_disposition(name: &str, as_attachment: bool) -> Option<HeaderValue> {
    let kind = if as_attachment {
        "attachment"
    } else {
        "inline"
    };
    let printable = |c: char| c.is_ascii() && !c.is_ascii_control();
    let value = if name.chars().all(printable) {
        format!("{kind}; filename={}", quote(name, true))
    } else {
        // Werkzeug: NFKD, then drop what is not ASCII ("Ñandú" → "Nandu").
        let simple: String = name.nfkd().filter(|c| printable(*c)).collect();
        format!(
            "{kind}; filename={}; filename*=UTF-8''{}",
            quote(&simple, true),
            utf8_percent_encode(name, ATTR_CHAR)
        )
    };
    HeaderValue::try_from(value).ok()
}

/// The MIME type and content coding guessed from a file name, as Python's
/// `mimetypes.guess_type`: `x.tar.gz` is `application/x-tar` coded `gzip`.
fn guess_type(name: &str) -> (String, Option<&'static str>) {
    // Python's `mimetypes.suffix_map`: short forms of compressed types.
    let expanded;
    let name = match name.rsplit_once('.') {
        Some((stem, suffix)) => {
            let long = match suffix {
                "svgz" => "svg.gz",
                "tgz" | "taz" | "tz" => "tar.gz",
                "tbz2" => "tar.bz2",
                "txz" => "tar.xz",
                _ => "",
            };
            if long.is_empty() {
                name
            } else {
                expanded = format!("{stem}.{long}");
                &expanded
            }
        }
        None => name,
    };
    let (stem, encoding) = match name.rsplit_once('.') {
        Some((stem, "gz")) => (stem, Some("gzip")),
        Some((stem, "bz2")) => (stem, Some("bzip2")),
        Some((stem, "xz")) => (stem, Some("xz")),
        Some((stem, "br")) => (stem, Some("br")),
        Some((stem, "Z")) => (stem, Some("compress")),
        _ => (name, None),
    };
    let mime = if encoding.is_some() && !stem.contains('.') {
        "application/octet-stream".to_owned()
    } else {
        match mime_guess::from_path(stem).first_raw() {
            Some("application/x-gtar") => "application/x-tar".to_owned(),
            Some(mime) => mime.to_owned(),
            None => "application/octet-stream".to_owned(),
        }
    };
    (with_charset(mime), encoding)
}

/// Werkzeug's `get_content_type`: text types get `; charset=utf-8`.
fn with_charset(mime: String) -> String {
    let texty = mime.starts_with("text/")
        || mime.ends_with("+xml")
        || matches!(
            mime.as_str(),
            "application/ecmascript"
                | "application/javascript"
                | "application/sql"
                | "application/xml"
                | "application/xml-dtd"
                | "application/xml-external-parsed-entity"
        );
    if texty {
        format!("{mime}; charset=utf-8")
    } else {
        mime
    }
}

/// 32-bit FNV-1a, to tell files with the same size and time apart in the ETag.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |hash, b| {
        (hash ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

impl SendFile {
    /// Sends the file at `path`, a trusted path (never built from client input).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::SendFile;
    ///
    /// let options = SendFile::new("static/logo.png");
    /// # let _ = options;
    /// ```
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self::with_target(Target::Trusted(path.into()))
    }

    /// Sends `untrusted`, a path the client gave, from inside `directory`: it
    /// goes through [`safe_join`](crate::safe_join), and once symbolic links
    /// are resolved the file must still be inside `directory` and, unless
    /// [`allow_dotfiles`](Self::allow_dotfiles), not be a dotfile.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::{Request, SendFile};
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::create_dir(dir.path().join(".well-known")).unwrap();
    /// std::fs::write(dir.path().join(".well-known/security.txt"), "Contact: x").unwrap();
    ///
    /// let request = Request::get("/");
    /// let hidden = SendFile::from_directory(dir.path(), ".well-known/security.txt").send(&request);
    /// assert_eq!(hidden.unwrap_err().status(), 404);
    /// let allowed = SendFile::from_directory(dir.path(), ".well-known/security.txt")
    ///     .allow_dotfiles()
    ///     .send(&request);
    /// assert_eq!(allowed.unwrap().status(), 200);
    /// ```
    pub fn from_directory(directory: impl Into<PathBuf>, untrusted: &str) -> Self {
        Self::with_target(Target::InDirectory {
            directory: directory.into(),
            untrusted: untrusted.to_owned(),
        })
    }

    fn with_target(target: Target) -> Self {
        Self {
            target,
            dotfiles: Dotfiles::Hide,
            mimetype: None,
            as_attachment: false,
            download_name: None,
            etag: EtagChoice::Generated,
            last_modified: None,
            max_age: None,
            conditional: true,
        }
    }

    /// Returns these options serving dotfiles from the directory.
    #[must_use]
    pub fn allow_dotfiles(mut self) -> Self {
        self.dotfiles = Dotfiles::Allow;
        self
    }

    /// Returns these options with `Content-Type` given instead of guessed.
    #[must_use]
    pub fn with_mimetype(mut self, mimetype: impl Into<String>) -> Self {
        self.mimetype = Some(mimetype.into());
        self
    }

    /// Returns these options asking the browser to save the file
    /// (`Content-Disposition: attachment`) rather than show it.
    #[must_use]
    pub fn as_attachment(mut self, as_attachment: bool) -> Self {
        self.as_attachment = as_attachment;
        self
    }

    /// Returns these options with the name browsers save the file as
    /// (default: the file's name); the MIME type is guessed from it.
    #[must_use]
    pub fn with_download_name(mut self, name: impl Into<String>) -> Self {
        self.download_name = Some(name.into());
        self
    }

    /// Returns these options with `etag` instead of the generated tag.
    #[must_use]
    pub fn with_etag(mut self, etag: EntityTag) -> Self {
        self.etag = EtagChoice::Given(etag);
        self
    }

    /// Returns these options sending no `ETag`.
    #[must_use]
    pub fn without_etag(mut self) -> Self {
        self.etag = EtagChoice::None;
        self
    }

    /// Returns these options with `Last-Modified` given instead of read from
    /// the file system.
    #[must_use]
    pub fn with_last_modified(mut self, date: HttpDate) -> Self {
        self.last_modified = Some(date);
        self
    }

    /// Returns these options letting clients cache the file for `max_age`
    /// (`Cache-Control: public, max-age=N` and `Expires`).
    #[must_use]
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Returns these options ignoring conditional and range headers.
    #[must_use]
    pub fn unconditional(mut self) -> Self {
        self.conditional = false;
        self
    }

    /// Resolves the path and opens the file.
    fn open(&self) -> Result<Opened, HttpError> {
        let path = match &self.target {
            Target::Trusted(path) => path.clone(),
            Target::InDirectory {
                directory,
                untrusted,
            } => {
                let joined = safe_join_with(directory, untrusted, self.dotfiles)
                    .map_err(|error| HttpError::not_found().with_source(error))?;
                let root = directory.canonicalize().map_err(io_error)?;
                let real = joined.canonicalize().map_err(io_error)?;
                let inside = real
                    .strip_prefix(&root)
                    .map_err(|_| HttpError::not_found())?;
                if self.dotfiles == Dotfiles::Hide && has_dotfile(inside) {
                    return Err(HttpError::not_found());
                }
                real
            }
        };
        let file = File::open(&path).map_err(io_error)?;
        let metadata = file.metadata().map_err(io_error)?;
        if !metadata.is_file() {
            return Err(HttpError::not_found());
        }
        Ok(Opened {
            file,
            size: metadata.len(),
            modified: metadata.modified().ok(),
            path,
        })
    }

    /// The response for the open file: headers set, the file as the body.
    fn response(&self, opened: &Opened) -> Response {
        let name = self.download_name.clone().or_else(|| {
            opened
                .path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
        });
        let (guessed, encoding) = guess_type(name.as_deref().unwrap_or_default());
        let mut response = Response::empty(http::StatusCode::OK);
        let content_type = self.mimetype.clone().unwrap_or(guessed);
        response.insert_header(CONTENT_TYPE, &content_type);
        if let Some(encoding) = encoding.filter(|_| !self.as_attachment && self.mimetype.is_none())
        {
            response.insert_header(CONTENT_ENCODING, encoding);
        }
        if let Some(disposition) =
            name.and_then(|name| content_disposition(&name, self.as_attachment))
        {
            response
                .headers_mut()
                .insert(CONTENT_DISPOSITION, disposition);
        }
        let modified = self
            .last_modified
            .or_else(|| opened.modified.map(HttpDate::from));
        if let Some(modified) = modified {
            response = response.with_last_modified(modified);
        }
        let cache_control = match self.max_age {
            Some(max_age) if !max_age.is_zero() => {
                CacheControl::new().with_public().with_max_age(max_age)
            }
            Some(max_age) => CacheControl::new().with_no_cache().with_max_age(max_age),
            None => CacheControl::new().with_no_cache(),
        };
        if let Some(max_age) = self.max_age {
            let expires =
                HttpDate::now().plus_seconds(i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX));
            response.insert_header(EXPIRES, &expires.to_string());
        }
        response = response.with_cache_control(cache_control);
        match &self.etag {
            EtagChoice::Given(etag) => response.set_etag(etag),
            EtagChoice::None => {}
            EtagChoice::Generated => {
                let since_epoch = opened
                    .modified
                    .and_then(|time| time.duration_since(SystemTime::UNIX_EPOCH).ok())
                    .unwrap_or_default();
                let check = fnv1a(opened.path.as_os_str().as_encoded_bytes());
                let tag = format!(
                    "{}.{:09}-{}-{check:08x}",
                    since_epoch.as_secs(),
                    since_epoch.subsec_nanos(),
                    opened.size
                );
                if let Ok(etag) = EntityTag::strong(tag) {
                    response.set_etag(&etag);
                }
            }
        }
        response
    }

    /// The file as a response to `request`.
    ///
    /// # Errors
    ///
    /// As [`send_file`] and [`send_from_directory`].
    pub fn send(&self, request: &Request) -> Result<Response, HttpError> {
        let opened = self.open()?;
        let mut response = self.response(&opened);
        let size = opened.size;
        let full = |mut response: Response, file: File| {
            response.set_body(ResponseBody::Reader {
                reader: Box::new(file),
                length: Some(size),
            });
            response.insert_header(CONTENT_LENGTH, &size.to_string());
            response
        };
        if !self.conditional {
            return Ok(full(response, opened.file));
        }
        if !response.headers().contains_key(DATE) {
            response.insert_header(DATE, &HttpDate::now().to_string());
        }
        let mut validators = Validators::new().with_length(size);
        if let Some(etag) = response.etag() {
            validators = validators.with_etag(etag);
        }
        if let Some(modified) = response.last_modified() {
            validators = validators.with_last_modified(modified);
        }
        Ok(
            match evaluate(request.method(), request.headers(), &validators) {
                Decision::NotModified => {
                    response.make_not_modified();
                    response
                }
                Decision::RangeNotSatisfiable => {
                    HttpError::range_not_satisfiable(Some(size)).into_response_for(request)
                }
                Decision::Partial(ranges) => {
                    let content_type = response.headers().get(CONTENT_TYPE).cloned();
                    let ranged = byteranges::from_source(
                        Seekable(opened.file),
                        &ranges,
                        content_type.as_ref(),
                        size,
                    );
                    response.apply_ranges(ranged);
                    response
                }
                Decision::PreconditionFailed => {
                    full(response, opened.file).with_status(http::StatusCode::PRECONDITION_FAILED)
                }
                Decision::Full => {
                    response.insert_header(ACCEPT_RANGES, "bytes");
                    full(response, opened.file)
                }
            },
        )
    }
}

impl Response {
    /// A `200 OK` response streaming the file at `path` (trusted), with its
    /// guessed `Content-Type`, `Content-Length`, `Last-Modified` and `ETag`;
    /// conditional and range headers are not looked at (use [`send_file`]
    /// for that, or call [`make_conditional`](Self::make_conditional)).
    ///
    /// # Errors
    ///
    /// `404` when the file does not exist or is not a regular file, `403` and
    /// `500` as [`send_file`].
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Response;
    ///
    /// let dir = tempfile::tempdir().unwrap();
    /// std::fs::write(dir.path().join("page.html"), "<h1>hi</h1>").unwrap();
    /// let response = Response::file(dir.path().join("page.html")).unwrap();
    /// assert_eq!(response.headers()["content-type"], "text/html; charset=utf-8");
    /// assert_eq!(response.body().length(), Some(11));
    /// assert_eq!(Response::file(dir.path().join("missing")).unwrap_err().status(), 404);
    /// ```
    pub fn file(path: impl AsRef<Path>) -> Result<Response, HttpError> {
        let options = SendFile::new(path.as_ref()).unconditional();
        options.send(&Request::get("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guessing_types() {
        assert_eq!(
            guess_type("a.txt"),
            ("text/plain; charset=utf-8".to_owned(), None)
        );
        assert_eq!(
            guess_type("a.tar.gz"),
            ("application/x-tar".to_owned(), Some("gzip"))
        );
        assert_eq!(
            guess_type("a.gz"),
            ("application/octet-stream".to_owned(), Some("gzip"))
        );
        assert_eq!(
            guess_type("a.unknownext"),
            ("application/octet-stream".to_owned(), None)
        );
        assert_eq!(
            guess_type("a.svg"),
            ("image/svg+xml; charset=utf-8".to_owned(), None)
        );
        assert_eq!(guess_type("a.png"), ("image/png".to_owned(), None));
        assert_eq!(
            guess_type("logo.svgz"),
            ("image/svg+xml; charset=utf-8".to_owned(), Some("gzip"))
        );
        assert_eq!(
            guess_type("a.tgz"),
            ("application/x-tar".to_owned(), Some("gzip"))
        );
    }

    #[test]
    fn dispositions() {
        let value = |name: &str, attachment| content_disposition(name, attachment).unwrap();
        assert_eq!(value("a.txt", false), "inline; filename=a.txt");
        assert_eq!(
            value("my file.txt", true),
            r#"attachment; filename="my file.txt""#
        );
        assert_eq!(
            value("Ñandú\r\n.txt", true),
            "attachment; filename=Nandu.txt; filename*=UTF-8''%C3%91and%C3%BA%0D%0A.txt"
        );
        assert_eq!(value("a\"b.txt", false), r#"inline; filename="a\"b.txt""#);
    }
}
