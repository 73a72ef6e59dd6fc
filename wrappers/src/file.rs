//! Uploaded files: in memory while small, spooled to a temporary file beyond.

use std::fmt;
use std::fs::File;
use std::io::{self, Cursor, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use http::HeaderMap;
use http::header::CONTENT_TYPE;
use tempfile::{NamedTempFile, TempPath};

use crate::MultiDict;
use crate::options_header::OptionsHeader;

/// A file uploaded in a `multipart/form-data` body (Werkzeug's `FileStorage`).
///
/// The content lives in memory while the request's files are small (up to
/// [`Limits::file_memory_threshold`](crate::Limits::file_memory_threshold)
/// bytes together) and in a temporary file beyond (deleted when the last clone
/// of this value is dropped). Either way,
/// [`reader`](Self::reader) gives a fresh reader from the start, and
/// [`save_to`](Self::save_to) copies the content to a path.
///
/// The file name is the client's, raw: never join it to a path; use
/// [`secure_filename`](Self::secure_filename).
///
/// # Examples
///
/// ```
/// use std::io::Read;
/// use carafe_wrappers::FileStorage;
///
/// let file = FileStorage::from_bytes("avatar", "../me.png", Some("image/png"), &b"\x89PNG"[..]);
/// assert_eq!(file.name(), "avatar");
/// assert_eq!(file.filename(), "../me.png");
/// assert_eq!(file.secure_filename(), "me.png");
/// assert_eq!(file.content_type(), Some("image/png"));
/// assert_eq!(file.size(), 4);
/// let mut content = Vec::new();
/// file.reader().unwrap().read_to_end(&mut content).unwrap();
/// assert_eq!(content, b"\x89PNG");
/// ```
#[derive(Clone)]
pub struct FileStorage {
    name: String,
    filename: String,
    headers: HeaderMap,
    content: Content,
    size: u64,
}

#[derive(Clone)]
enum Content {
    Memory(Bytes),
    /// The path of the temporary file (closed, so a request with many spooled
    /// files holds no file descriptors; deleted with the last clone).
    Spooled(Arc<TempPath>),
}

impl FileStorage {
    /// A file held in memory (tests, and frameworks that build files).
    pub fn from_bytes(
        name: impl Into<String>,
        filename: impl Into<String>,
        content_type: Option<&str>,
        content: impl Into<Bytes>,
    ) -> Self {
        let mut headers = HeaderMap::new();
        if let Some(value) = content_type.and_then(|c| c.parse().ok()) {
            headers.insert(CONTENT_TYPE, value);
        }
        let content = content.into();
        Self {
            name: name.into(),
            filename: filename.into(),
            headers,
            size: content.len() as u64,
            content: Content::Memory(content),
        }
    }

    pub(crate) fn new(
        name: String,
        filename: String,
        headers: HeaderMap,
        spooled: Spooled,
    ) -> Self {
        Self {
            name,
            filename,
            headers,
            size: spooled.size,
            content: spooled.content,
        }
    }

    /// The name of the form field the file was sent in.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file name the client sent, raw (may be empty, hold `../`, `\`,
    /// or non-ASCII characters).
    pub fn filename(&self) -> &str {
        &self.filename
    }

    /// The client's file name made safe to store ([`crate::secure_filename`]).
    pub fn secure_filename(&self) -> String {
        crate::secure_filename(&self.filename)
    }

    /// The part's `Content-Type` header, as sent.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(CONTENT_TYPE)?.to_str().ok()
    }

    /// The media type without parameters, lowercased (empty when absent).
    pub fn mimetype(&self) -> String {
        self.content_type()
            .map(|value| OptionsHeader::parse(value).mimetype())
            .unwrap_or_default()
    }

    /// The parameters of the content type (`charset`, ...), keys lowercased.
    pub fn mimetype_params(&self) -> MultiDict {
        self.content_type()
            .map(|value| OptionsHeader::parse(value).params)
            .unwrap_or_default()
    }

    /// Every header of the part.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The size of the content, in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Whether the content was spooled to a temporary file.
    pub fn is_spooled(&self) -> bool {
        matches!(self.content, Content::Spooled(_))
    }

    /// A reader over the content, from its start. Each call gives an
    /// independent reader.
    ///
    /// # Errors
    ///
    /// When the temporary file cannot be reopened.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Read;
    /// use carafe_wrappers::test::{FileUpload, RequestBuilder};
    /// use carafe_wrappers::Limits;
    ///
    /// let request = RequestBuilder::post("/")
    ///     .file("f", FileUpload::new("big.bin", vec![7u8; 4096]))
    ///     .limits(Limits::default().with_file_memory_threshold(1024))
    ///     .build();
    /// let file = request.files().unwrap().get("f").unwrap();
    /// assert!(file.is_spooled());
    /// let mut content = Vec::new();
    /// file.reader().unwrap().read_to_end(&mut content).unwrap();
    /// assert_eq!(content, vec![7u8; 4096]);
    /// ```
    pub fn reader(&self) -> io::Result<FileReader> {
        Ok(match &self.content {
            Content::Memory(bytes) => FileReader::Memory(Cursor::new(bytes.clone())),
            Content::Spooled(path) => FileReader::File(File::open(&**path)?),
        })
    }

    /// The whole content in memory (for a spooled file, this reads it all).
    ///
    /// # Errors
    ///
    /// When the temporary file cannot be read.
    pub fn bytes(&self) -> io::Result<Bytes> {
        match &self.content {
            Content::Memory(bytes) => Ok(bytes.clone()),
            Content::Spooled(path) => std::fs::read(&**path).map(Bytes::from),
        }
    }

    /// Writes the content to `path` (created or truncated) and returns the
    /// number of bytes written. Can be called several times.
    ///
    /// # Errors
    ///
    /// When `path` cannot be written or the temporary file read.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::FileStorage;
    ///
    /// let file = FileStorage::from_bytes("doc", "notes.txt", None, "hello");
    /// let dir = tempfile::tempdir().unwrap();
    /// let target = dir.path().join(file.secure_filename());
    /// assert_eq!(file.save_to(&target).unwrap(), 5);
    /// assert_eq!(std::fs::read_to_string(target).unwrap(), "hello");
    /// ```
    pub fn save_to(&self, path: impl AsRef<Path>) -> io::Result<u64> {
        match &self.content {
            Content::Memory(bytes) => {
                std::fs::write(path, bytes)?;
                Ok(bytes.len() as u64)
            }
            Content::Spooled(temp) => std::fs::copy(&**temp, path),
        }
    }
}

impl fmt::Debug for FileStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileStorage")
            .field("name", &self.name)
            .field("filename", &self.filename)
            .field("content_type", &self.content_type())
            .field("size", &self.size)
            .field("spooled", &self.is_spooled())
            .finish()
    }
}

/// A reader over an uploaded file's content (see [`FileStorage::reader`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum FileReader {
    /// Content held in memory.
    Memory(Cursor<Bytes>),
    /// Content spooled to a temporary file.
    File(File),
}

impl Read for FileReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            FileReader::Memory(cursor) => cursor.read(buf),
            FileReader::File(file) => file.read(buf),
        }
    }
}

impl Seek for FileReader {
    fn seek(&mut self, position: SeekFrom) -> io::Result<u64> {
        match self {
            FileReader::Memory(cursor) => cursor.seek(position),
            FileReader::File(file) => file.seek(position),
        }
    }
}

/// The content of one file being received.
pub(crate) struct Spooled {
    content: Content,
    size: u64,
}

/// Receives a file's chunks: in memory up to a budget shared by the request's
/// files, then in a temporary file.
///
/// With the body's length known (`Content-Length`, as browsers send it), the
/// in-memory content is one vector: every chunk is copied as it arrives and
/// dropped at once, so the parser reuses its buffer (a chunk may be a slice of
/// it), and a part of several chunks reserves, on its second chunk, the
/// body's length (at most the memory left): a large part is copied once
/// instead of growing by reallocation, a part of one chunk never reserves
/// more than its size, and an over-reservation is given back at the end.
/// Without a length, the chunks are held and joined at the end (one copy).
pub(crate) struct SpoolWriter {
    /// The content so far, when the body's length is known.
    memory: Vec<u8>,
    /// The chunks so far, when it is not.
    held: Vec<Bytes>,
    /// The body's declared length, when known: no part is larger, so it
    /// bounds the reservation.
    body_length: Option<u64>,
    file: Option<io::BufWriter<NamedTempFile>>,
    size: u64,
}

impl SpoolWriter {
    /// A writer for a part of a body of `body_length` bytes (`None`:
    /// unknown).
    pub(crate) fn new(body_length: Option<u64>) -> Self {
        Self {
            memory: Vec::new(),
            held: Vec::new(),
            body_length,
            file: None,
            size: 0,
        }
    }

    /// Appends `chunk`; `memory_left` is what the request may still keep in
    /// memory (the writer takes what it keeps from it).
    pub(crate) fn write(&mut self, chunk: Bytes, memory_left: &mut usize) -> io::Result<()> {
        let first = self.size == 0;
        self.size += chunk.len() as u64;
        let file = match self.file.as_mut() {
            Some(file) => file,
            None if chunk.len() <= *memory_left => {
                *memory_left -= chunk.len();
                let Some(length) = self.body_length else {
                    self.held.push(chunk);
                    return Ok(());
                };
                if !first && self.memory.capacity() - self.memory.len() < chunk.len() {
                    // More than one chunk: a large part. Reserve what the
                    // body can hold, within the budget.
                    let room = usize::try_from(length)
                        .unwrap_or(usize::MAX)
                        .saturating_sub(self.memory.len())
                        .min(*memory_left + chunk.len())
                        .max(chunk.len());
                    self.memory.reserve_exact(room);
                }
                self.memory.extend_from_slice(&chunk);
                return Ok(());
            }
            None => {
                // Small chunks are gathered; a parser chunk (up to 64 KiB)
                // mostly is not, and goes to the file without a copy.
                let mut file = io::BufWriter::with_capacity(16 * 1024, NamedTempFile::new()?);
                file.write_all(&self.memory)?;
                *memory_left += self.memory.len();
                self.memory = Vec::new();
                for kept in self.held.drain(..) {
                    *memory_left += kept.len();
                    file.write_all(&kept)?;
                }
                self.file.insert(file)
            }
        };
        file.write_all(&chunk)
    }

    pub(crate) fn finish(mut self) -> io::Result<Spooled> {
        let content = match self.file {
            // Always a copy: a held chunk may be a slice of a larger buffer
            // of the parser, which it would keep alive.
            None if self.body_length.is_none() => Content::Memory(Bytes::from(self.held.concat())),
            None => {
                if self.memory.capacity() - self.memory.len() > self.memory.len() / 8 {
                    // The reservation was generous (the rest of the body was
                    // other parts): give the excess back.
                    self.memory.shrink_to_fit();
                }
                Content::Memory(Bytes::from(self.memory))
            }
            Some(file) => {
                let file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
                Content::Spooled(Arc::new(file.into_temp_path()))
            }
        };
        Ok(Spooled {
            content,
            size: self.size,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spool(chunks: &[&[u8]], budget: usize) -> (FileStorage, usize) {
        let mut left = budget;
        let mut writer = SpoolWriter::new(None);
        for chunk in chunks {
            writer
                .write(Bytes::copy_from_slice(chunk), &mut left)
                .unwrap();
        }
        let spooled = writer.finish().unwrap();
        let file = FileStorage::new("f".into(), "f.bin".into(), HeaderMap::new(), spooled);
        (file, left)
    }

    #[test]
    fn small_files_stay_in_memory_and_use_the_budget() {
        let (file, left) = spool(&[b"abc", b"def"], 10);
        assert!(!file.is_spooled());
        assert_eq!(left, 4);
        assert_eq!(file.bytes().unwrap(), "abcdef");
    }

    #[test]
    fn files_past_the_budget_are_spooled_and_give_the_memory_back() {
        let (file, left) = spool(&[b"abc", b"defgh", b"ij"], 6);
        assert!(file.is_spooled());
        assert_eq!(left, 6);
        assert_eq!(file.size(), 10);
        assert_eq!(file.bytes().unwrap(), "abcdefghij");
        let mut first = file.reader().unwrap();
        let mut second = file.reader().unwrap();
        let mut head = [0; 3];
        first.read_exact(&mut head).unwrap();
        assert_eq!(&head, b"abc");
        let mut all = String::new();
        second.read_to_string(&mut all).unwrap();
        assert_eq!(all, "abcdefghij");
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(file.save_to(dir.path().join("copy")).unwrap(), 10);
        assert_eq!(
            std::fs::read(dir.path().join("copy")).unwrap(),
            b"abcdefghij"
        );
    }

    #[test]
    fn a_large_part_reserves_once_from_the_body_length() {
        let mut left = 10_000;
        let mut writer = SpoolWriter::new(Some(1_000));
        writer.write(Bytes::from(vec![1; 100]), &mut left).unwrap();
        assert_eq!(writer.memory.capacity(), 100, "one chunk: no reservation");
        writer.write(Bytes::from(vec![2; 100]), &mut left).unwrap();
        assert_eq!(writer.memory.capacity(), 1_000, "the body's length");
        writer.write(Bytes::from(vec![3; 100]), &mut left).unwrap();
        assert_eq!(writer.memory.capacity(), 1_000);
        assert_eq!(left, 10_000 - 300);
        let file = FileStorage::new(
            String::new(),
            String::new(),
            HeaderMap::new(),
            writer.finish().unwrap(),
        );
        let bytes = file.bytes().unwrap();
        assert_eq!(bytes.len(), 300);
        assert!(bytes[..100].iter().all(|&b| b == 1) && bytes[200..].iter().all(|&b| b == 3));

        // The reservation never exceeds the memory left, nor does a length
        // larger than the budget spool before the budget is spent.
        let mut left = 250;
        let mut writer = SpoolWriter::new(Some(1 << 40));
        writer.write(Bytes::from(vec![0; 100]), &mut left).unwrap();
        writer.write(Bytes::from(vec![0; 100]), &mut left).unwrap();
        assert_eq!(writer.memory.capacity(), 250);
        assert!(writer.file.is_none());
        writer.write(Bytes::from(vec![0; 100]), &mut left).unwrap();
        assert!(writer.file.is_some(), "past the budget: spooled");
        assert_eq!(left, 250);
    }

    #[test]
    fn the_temporary_file_goes_with_the_last_clone() {
        let (file, _) = spool(&[b"spooled content"], 0);
        let Content::Spooled(temp) = &file.content else {
            panic!("expected a spooled file");
        };
        let path = temp.to_path_buf();
        let clone = file.clone();
        drop(file);
        assert!(path.exists());
        drop(clone);
        assert!(!path.exists());
    }

    #[test]
    fn content_type_parts() {
        let file = FileStorage::from_bytes("f", "a.txt", Some("Text/Plain; charset=utf-8"), "x");
        assert_eq!(file.mimetype(), "text/plain");
        assert_eq!(file.mimetype_params().get("charset").unwrap(), "utf-8");
        let bare = FileStorage::from_bytes("f", "a", None, "x");
        assert_eq!(bare.mimetype(), "");
        assert!(bare.content_type().is_none());
    }
}
