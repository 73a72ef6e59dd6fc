//! Internationalised domain names to ASCII (RFC 3492 Punycode), for the hosts
//! this crate writes into `Location` and cookie `Domain` attributes.
//!
//! Non-ASCII labels are lowercased and Punycode-encoded with the `xn--`
//! prefix; ASCII labels are kept. This is the common case of IDNA; the full
//! UTS #46 mapping tables are not applied.

const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 128;

fn adapt(delta: u32, points: u32, first: bool) -> u32 {
    let mut delta = if first { delta / DAMP } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
}

fn digit(d: u32) -> char {
    // d < 36 by construction.
    char::from(if d < 26 {
        b'a' + d as u8
    } else {
        b'0' + (d - 26) as u8
    })
}

/// Punycode of one label; `None` on arithmetic overflow (absurd input).
fn punycode(label: &str) -> Option<String> {
    let input: Vec<u32> = label.chars().map(u32::from).collect();
    let mut output: String = label.chars().filter(char::is_ascii).collect();
    let basic = output.len() as u32;
    let mut handled = basic;
    if basic > 0 {
        output.push('-');
    }
    let (mut n, mut delta, mut bias) = (INITIAL_N, 0u32, INITIAL_BIAS);
    while (handled as usize) < input.len() {
        let m = input.iter().copied().filter(|&c| c >= n).min()?;
        delta = delta.checked_add((m - n).checked_mul(handled + 1)?)?;
        n = m;
        for &c in &input {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        T_MIN
                    } else if k >= bias + T_MAX {
                        T_MAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    output.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                output.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(output)
}

/// `☃.com` → `xn--n3h.com`; `None` when a label cannot be encoded.
pub(crate) fn domain_to_ascii(domain: &str) -> Option<String> {
    if domain.is_ascii() {
        return Some(domain.to_owned());
    }
    let labels: Option<Vec<String>> = domain
        .split('.')
        .map(|label| {
            if label.is_ascii() {
                Some(label.to_owned())
            } else {
                punycode(&label.to_lowercase()).map(|code| format!("xn--{code}"))
            }
        })
        .collect();
    Some(labels?.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_3492_and_werkzeug_vectors() {
        assert_eq!(domain_to_ascii("☃.com").as_deref(), Some("xn--n3h.com"));
        assert_eq!(
            domain_to_ascii("☃.example.com").as_deref(),
            Some("xn--n3h.example.com")
        );
        assert_eq!(punycode("bücher").as_deref(), Some("bcher-kva"));
        assert_eq!(punycode("münchen").as_deref(), Some("mnchen-3ya"));
        // RFC 3492 §7.1 (B): Chinese (simplified).
        assert_eq!(
            punycode("他们为什么不说中文").as_deref(),
            Some("ihqwcrb4cv8a8dqg056pqjye")
        );
        assert_eq!(
            domain_to_ascii("MÜNCHEN.de").as_deref(),
            Some("xn--mnchen-3ya.de")
        );
        assert_eq!(
            domain_to_ascii("example.com").as_deref(),
            Some("example.com")
        );
    }
}
