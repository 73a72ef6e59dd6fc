//! The output writer of a sandboxed render: counts bytes against `max_output_bytes`
//! and reads the clock every 16 KiB. The fast path is one addition and one
//! comparison per write; Tera stops at the first write error.

use std::io::{self, Write};

use crate::Cap;
use crate::scope;

/// Output between two clock reads.
const BYTES_PER_CLOCK_CHECK: u64 = 16 * 1024;

pub(crate) struct BoundedWriter<W> {
    inner: W,
    written: u64,
    /// The next total at which to look at the clock or refuse.
    next_stop: u64,
    limit: u64,
}

impl<W: Write> BoundedWriter<W> {
    pub(crate) fn new(inner: W, limit: u64) -> Self {
        BoundedWriter {
            inner,
            written: 0,
            next_stop: limit.min(BYTES_PER_CLOCK_CHECK),
            limit,
        }
    }

    #[cold]
    fn checkpoint(&mut self, total: u64) -> io::Result<()> {
        if total > self.limit {
            scope::with_budget(|budget| budget.fail(Cap::OutputSize));
            return Err(io::Error::other(format!(
                "sandbox cap `{}` exceeded",
                Cap::OutputSize
            )));
        }
        if let Some(Err(_)) = scope::with_budget(|budget| budget.check_time()) {
            return Err(io::Error::other(format!(
                "sandbox cap `{}` exceeded",
                Cap::RenderTime
            )));
        }
        self.next_stop = self.limit.min(total.saturating_add(BYTES_PER_CLOCK_CHECK));
        Ok(())
    }
}

impl<W: Write> Write for BoundedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let total = self.written + buf.len() as u64;
        if total > self.next_stop {
            self.checkpoint(total)?;
        }
        self.written = total;
        self.inner.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::Caps;
    use crate::sandbox::budget::Budget;
    use crate::scope::{Frame, enter};

    #[test]
    fn stops_at_the_cap_without_writing_past_it() {
        let guard = enter(Frame {
            scope: None,
            budget: Some(Budget::new(Caps::default())),
        });
        let mut out = Vec::new();
        let mut writer = BoundedWriter::new(&mut out, 5);
        writer.write_all(b"abc").unwrap();
        assert!(writer.write_all(b"def").is_err());
        assert_eq!(out, b"abc");
        let frame = guard.finish().unwrap();
        assert_eq!(frame.budget.unwrap().violation(), Some(Cap::OutputSize));
    }

    #[test]
    fn many_small_writes_cross_the_checkpoints() {
        let mut out = Vec::new();
        let mut writer = BoundedWriter::new(&mut out, 100_000);
        for _ in 0..99_999 {
            writer.write_all(b"x").unwrap();
        }
        writer.write_all(b"x").unwrap();
        assert!(writer.write_all(b"x").is_err());
        assert_eq!(out.len(), 100_000);
    }
}
