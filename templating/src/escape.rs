//! HTML escaping compatible with MarkupSafe, the escaper of Jinja2 and Flask.
//!
//! Exactly five characters are replaced: `&` `<` `>` `"` `'` become `&amp;` `&lt;`
//! `&gt;` `&#34;` `&#39;`. Nothing else changes (in particular `/` stays), so a page
//! rendered by Carafe is byte-for-byte the page Jinja2 renders. Tera's own escaper
//! writes `&quot;` and `&#x27;` and escapes `/`; [`Environment`](crate::Environment)
//! installs this one instead.

use std::io::{self, Write};

/// The replacement for each byte that needs escaping, or `None`.
const fn replacement(byte: u8) -> Option<&'static [u8]> {
    match byte {
        b'&' => Some(b"&amp;"),
        b'<' => Some(b"&lt;"),
        b'>' => Some(b"&gt;"),
        b'"' => Some(b"&#34;"),
        b'\'' => Some(b"&#39;"),
        _ => None,
    }
}

/// One flag per byte value: does it need escaping?
static NEEDS_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = replacement(i as u8).is_some();
        i += 1;
    }
    table
};

/// Writes `input` to `out`, escaped the way MarkupSafe's `escape()` does.
///
/// This is an [`EscapeFn`](tera::EscapeFn): it can be handed to Tera directly.
///
/// # Examples
///
/// ```
/// let mut out = Vec::new();
/// carafe_templating::escape_markupsafe(r#"<a href="/x">Tom & 'Jerry'</a>"#, &mut out).unwrap();
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     "&lt;a href=&#34;/x&#34;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
/// );
/// ```
pub fn escape_markupsafe(input: &str, out: &mut dyn Write) -> io::Result<()> {
    let bytes = input.as_bytes();
    let mut start = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        if NEEDS_ESCAPE[byte as usize] {
            if start < i {
                out.write_all(&bytes[start..i])?;
            }
            out.write_all(replacement(byte).unwrap_or_default())?;
            start = i + 1;
        }
    }
    if start < bytes.len() {
        out.write_all(&bytes[start..])?;
    }
    Ok(())
}

/// Escapes `input` into a new `String` (MarkupSafe rules, see [`escape_markupsafe`]).
///
/// # Examples
///
/// ```
/// assert_eq!(carafe_templating::escape_html("a<b & c"), "a&lt;b &amp; c");
/// ```
pub fn escape_html(input: &str) -> String {
    let mut out = Vec::with_capacity(input.len() + input.len() / 8);
    escape_markupsafe(input, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("escaping keeps UTF-8 valid: only ASCII bytes are replaced")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_exactly_the_five_markupsafe_characters() {
        let all_ascii: String = (0u8..128).map(char::from).collect();
        let escaped = escape_html(&all_ascii);
        let expected: String = all_ascii
            .chars()
            .map(|c| match c {
                '&' => "&amp;".to_string(),
                '<' => "&lt;".to_string(),
                '>' => "&gt;".to_string(),
                '"' => "&#34;".to_string(),
                '\'' => "&#39;".to_string(),
                other => other.to_string(),
            })
            .collect();
        assert_eq!(escaped, expected);
    }

    #[test]
    fn keeps_non_ascii_and_slashes() {
        assert_eq!(escape_html("フ/—é"), "フ/—é");
        assert_eq!(escape_html(""), "");
        assert_eq!(escape_html("&&"), "&amp;&amp;");
    }

    #[test]
    fn matches_the_fortune_in_the_bench_spec() {
        let input =
            r#"<script>alert("This should not be displayed in a browser alert box.");</script>"#;
        assert_eq!(
            escape_html(input),
            "&lt;script&gt;alert(&#34;This should not be displayed in a browser alert box.&#34;);&lt;/script&gt;"
        );
    }
}
