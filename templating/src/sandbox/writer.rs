//! The output writer of a sandboxed render: counts bytes against `max_output_bytes`
//! and reads the clock every few hundred writes. Tera stops at the first write error.

use std::io::{self, Write};

use super::budget::Budget;

pub(crate) struct BoundedWriter<'a, W> {
    inner: W,
    budget: &'a Budget,
}

impl<'a, W: Write> BoundedWriter<'a, W> {
    pub(crate) fn new(inner: W, budget: &'a Budget) -> Self {
        BoundedWriter { inner, budget }
    }
}

impl<W: Write> Write for BoundedWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        if let Err(cap) = self.budget.charge_output(buf.len()) {
            return Err(io::Error::other(format!("sandbox cap `{cap}` exceeded")));
        }
        self.inner.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cap;
    use crate::sandbox::Caps;

    #[test]
    fn stops_at_the_cap_without_writing_past_it() {
        let budget = Budget::new(Caps::default().max_output_bytes(5));
        let mut out = Vec::new();
        let mut writer = BoundedWriter::new(&mut out, &budget);
        writer.write_all(b"abc").unwrap();
        assert!(writer.write_all(b"def").is_err());
        assert_eq!(out, b"abc");
        assert_eq!(budget.violation(), Some(Cap::OutputSize));
    }
}
