//! The sandbox's limits, each with a safe default.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::Cap;

/// Limits for sandboxed templates. Every cap has a default meant for user-edited
/// emails and CMS pages; raise the ones your templates legitimately need.
///
/// | cap | default | checked |
/// |---|---|---|
/// | `max_source_bytes` | 64 KiB per template | when the sandbox is built |
/// | `max_templates` | 256 | when the sandbox is built |
/// | `max_nesting_depth` | 16 nested tags | when the sandbox is built |
/// | `max_output_bytes` | 1 MiB | on every write |
/// | `max_render_time` | 500 ms | on writes, loop starts, filter and function calls |
/// | `max_iterations` | 100,000 loop iterations and component calls per render (a loop at the top of a template nothing includes or extends, over a variable, is not charged: it runs once, over the caller's data or a value the other caps bound) | before a loop starts |
/// | `max_recursion_depth` | 8 nested component calls | when a component is entered |
/// | `max_string_bytes` | 1 MiB of text per value built (a string, or all strings in a list or map) | before a filter builds it; on `set` |
/// | `max_collection_items` | 10,000 items per array or map built, nested items included | before `range` or a filter builds it; on `set` |
/// | `max_value_depth` | 64 levels of lists in lists | on `set` |
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use carafe_templating::sandbox::Caps;
///
/// let caps = Caps::default().max_output_bytes(64 * 1024).max_render_time(Duration::from_millis(50));
/// assert_eq!(caps.output_bytes(), 65536);
/// assert_eq!(caps.iterations(), 100_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caps {
    pub(crate) max_source_bytes: u64,
    pub(crate) max_templates: u64,
    pub(crate) max_nesting_depth: u64,
    pub(crate) max_output_bytes: u64,
    pub(crate) max_render_time_ms: u64,
    pub(crate) max_iterations: u64,
    pub(crate) max_recursion_depth: u64,
    pub(crate) max_string_bytes: u64,
    pub(crate) max_collection_items: u64,
    pub(crate) max_value_depth: u64,
}

impl Default for Caps {
    fn default() -> Self {
        Caps {
            max_source_bytes: 64 * 1024,
            max_templates: 256,
            max_nesting_depth: 16,
            max_output_bytes: 1 << 20,
            max_render_time_ms: 500,
            max_iterations: 100_000,
            max_recursion_depth: 8,
            max_string_bytes: 1 << 20,
            max_collection_items: 10_000,
            max_value_depth: 64,
        }
    }
}

macro_rules! cap_setters {
    ($($(#[$doc:meta])* $setter:ident / $getter:ident: $field:ident;)*) => {
        impl Caps {
            $(
                $(#[$doc])*
                pub fn $setter(mut self, value: u64) -> Self {
                    self.$field = value;
                    self
                }

                #[doc = concat!("The current `", stringify!($setter), "`.")]
                pub fn $getter(&self) -> u64 {
                    self.$field
                }
            )*
        }
    };
}

cap_setters! {
    /// The largest template source, in bytes.
    max_source_bytes / source_bytes: max_source_bytes;
    /// The most templates a sandbox holds.
    max_templates / templates: max_templates;
    /// How deeply block tags (`for`, `if`, `block`, `set`, `filter`, components) nest.
    /// Tera itself refuses more than 40.
    max_nesting_depth / nesting_depth: max_nesting_depth;
    /// The most bytes one render writes.
    max_output_bytes / output_bytes: max_output_bytes;
    /// The most loop iterations (and component calls) one render runs, counted before
    /// each loop starts.
    max_iterations / iterations: max_iterations;
    /// How deeply components may call components (Tera's own limit is 20).
    max_recursion_depth / recursion_depth: max_recursion_depth;
    /// The most bytes of text in one value a render builds: a string, or all the
    /// strings of a list or map.
    max_string_bytes / string_bytes: max_string_bytes;
    /// The most items in an array or map a render builds, nested items included (also
    /// caps `range`).
    max_collection_items / collection_items: max_collection_items;
    /// How deeply lists and maps a render builds may nest.
    max_value_depth / value_depth: max_value_depth;
}

impl Caps {
    /// The longest wall time of one render.
    pub fn max_render_time(mut self, time: Duration) -> Self {
        self.max_render_time_ms = u64::try_from(time.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// The current `max_render_time`.
    pub fn render_time(&self) -> Duration {
        Duration::from_millis(self.max_render_time_ms)
    }

    /// The configured value of a cap, in [`Cap::unit`]s (`None` for the process
    /// limits of isolated mode, which live in
    /// [`ProcessLimits`](crate::isolated::ProcessLimits)).
    pub fn limit(&self, cap: Cap) -> Option<u64> {
        Some(match cap {
            Cap::SourceSize => self.max_source_bytes,
            Cap::TemplateCount => self.max_templates,
            Cap::NestingDepth => self.max_nesting_depth,
            Cap::OutputSize => self.max_output_bytes,
            Cap::RenderTime => self.max_render_time_ms,
            Cap::Iterations => self.max_iterations,
            Cap::RecursionDepth => self.max_recursion_depth,
            Cap::StringLength => self.max_string_bytes,
            Cap::CollectionLength => self.max_collection_items,
            Cap::ValueDepth => self.max_value_depth,
            _ => return None,
        })
    }
}
