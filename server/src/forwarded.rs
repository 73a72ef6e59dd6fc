//! `forwarded_allow_ips`: which peers are trusted proxies.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// The proxies whose forwarding headers are trusted (gunicorn's
/// `forwarded_allow_ips`): addresses, CIDR networks, or `*` for any peer.
/// Unix-socket peers are always trusted (the proxy is on this machine), as in
/// gunicorn.
///
/// # Examples
///
/// ```
/// use carafe_server::ForwardedAllowIps;
///
/// let allowed: ForwardedAllowIps = "10.0.0.0/8, 127.0.0.1".parse().unwrap();
/// assert!(allowed.allows("10.1.2.3".parse().unwrap()));
/// assert!(!allowed.allows("192.168.0.1".parse().unwrap()));
/// assert!("*".parse::<ForwardedAllowIps>().unwrap().allows("1.2.3.4".parse().unwrap()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardedAllowIps {
    any: bool,
    networks: Vec<(IpAddr, u8)>,
}

impl Default for ForwardedAllowIps {
    fn default() -> Self {
        "127.0.0.1,::1".parse().expect("the default parses")
    }
}

impl ForwardedAllowIps {
    /// Whether `ip` is a trusted proxy.
    pub fn allows(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        self.any
            || self
                .networks
                .iter()
                .any(|(network, bits)| match (network, ip) {
                    (IpAddr::V4(network), IpAddr::V4(ip)) => {
                        prefix_matches(&network.octets(), &ip.octets(), *bits)
                    }
                    (IpAddr::V6(network), IpAddr::V6(ip)) => {
                        prefix_matches(&network.octets(), &ip.octets(), *bits)
                    }
                    _ => false,
                })
    }
}

fn prefix_matches(network: &[u8], ip: &[u8], bits: u8) -> bool {
    let full = usize::from(bits / 8);
    let rest = bits % 8;
    network[..full] == ip[..full]
        && (rest == 0 || {
            let mask = 0xffu8 << (8 - rest);
            network[full] & mask == ip[full] & mask
        })
}

impl FromStr for ForwardedAllowIps {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        let mut allowed = ForwardedAllowIps {
            any: false,
            networks: Vec::new(),
        };
        for item in value
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
        {
            if item == "*" {
                allowed.any = true;
                continue;
            }
            let (address, bits) = match item.split_once('/') {
                Some((address, bits)) => (address, Some(bits)),
                None => (item, None),
            };
            let address: IpAddr = address
                .parse()
                .map_err(|_| format!("{item:?} is not an IP address or CIDR network"))?;
            let max = if address.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                None => max,
                Some(bits) => bits
                    .parse::<u8>()
                    .ok()
                    .filter(|bits| *bits <= max)
                    .ok_or_else(|| format!("{item:?} has a bad prefix length"))?,
            };
            allowed.networks.push((address, bits));
        }
        Ok(allowed)
    }
}

impl fmt::Display for ForwardedAllowIps {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut items: Vec<String> = self
            .networks
            .iter()
            .map(|(address, bits)| {
                let max = if address.is_ipv4() { 32 } else { 128 };
                if *bits == max {
                    address.to_string()
                } else {
                    format!("{address}/{bits}")
                }
            })
            .collect();
        if self.any {
            items.push("*".to_owned());
        }
        f.write_str(&items.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_loopback_only() {
        let allowed = ForwardedAllowIps::default();
        assert!(allowed.allows("127.0.0.1".parse().unwrap()));
        assert!(allowed.allows("::1".parse().unwrap()));
        assert!(allowed.allows("::ffff:127.0.0.1".parse().unwrap()));
        assert!(!allowed.allows("127.0.0.2".parse().unwrap()));
        assert_eq!(allowed.to_string(), "127.0.0.1,::1");
    }

    #[test]
    fn networks() {
        let allowed: ForwardedAllowIps = "192.168.0.0/23,fd00::/8".parse().unwrap();
        assert!(allowed.allows("192.168.1.200".parse().unwrap()));
        assert!(!allowed.allows("192.168.2.1".parse().unwrap()));
        assert!(allowed.allows("fd12::1".parse().unwrap()));
        assert!(!allowed.allows("fe80::1".parse().unwrap()));
    }

    #[test]
    fn bad_values() {
        assert!("10.0.0.0/33".parse::<ForwardedAllowIps>().is_err());
        assert!("example.com".parse::<ForwardedAllowIps>().is_err());
    }
}
