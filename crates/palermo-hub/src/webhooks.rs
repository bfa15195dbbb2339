//! Where the hub may send webhook deliveries. A webhook is a request the hub makes on an
//! administrator's word, so it is a way into the hub's own network (server-side request
//! forgery): targets must be `https://` and public, unless the operator allows a host or a
//! network explicitly (an allow list, for development and for national systems on a private
//! link). Names are checked again for every address they resolve to at delivery.

use std::net::IpAddr;

/// One entry of the allow list: a host name, or an address network (`10.1.0.0/16`, `::1`).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Allowed {
    Host(String),
    Network(IpAddr, u8),
}

/// The operator's allow list of webhook targets beyond public `https://` ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WebhookTargets {
    allowed: Vec<Allowed>,
}

/// Longest webhook URL.
pub const WEBHOOK_URL_MAX: usize = 2000;

impl WebhookTargets {
    /// Parses a comma-separated allow list of host names, addresses and networks in CIDR
    /// notation (`localhost,127.0.0.0/8,::1`).
    pub fn parse(list: &str) -> Result<WebhookTargets, String> {
        let mut allowed = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (address, prefix) = match entry.split_once('/') {
                Some((address, prefix)) => (address, Some(prefix)),
                None => (entry, None),
            };
            match address.trim_matches(['[', ']']).parse::<IpAddr>() {
                Ok(ip) => {
                    let max = if ip.is_ipv4() { 32 } else { 128 };
                    let prefix = match prefix {
                        None => max,
                        Some(text) => text
                            .parse::<u8>()
                            .ok()
                            .filter(|p| *p <= max)
                            .ok_or_else(|| format!("{entry:?}: the prefix is not 0 to {max}"))?,
                    };
                    allowed.push(Allowed::Network(ip, prefix));
                }
                Err(_) if prefix.is_none() && is_host_name(address) => {
                    allowed.push(Allowed::Host(address.to_ascii_lowercase()))
                }
                Err(_) => {
                    return Err(format!(
                        "{entry:?} is neither a host name, an address nor a network"
                    ));
                }
            }
        }
        Ok(WebhookTargets { allowed })
    }

    fn allows_host(&self, host: &str) -> bool {
        let host = host.trim_matches(['[', ']']).to_ascii_lowercase();
        self.allowed.iter().any(|entry| match entry {
            Allowed::Host(name) => *name == host,
            Allowed::Network(..) => host.parse().is_ok_and(|ip| self.allows_address(ip)),
        })
    }

    /// Whether deliveries may go to `ip`: a public address, or one the operator allowed.
    pub fn allows_address(&self, ip: IpAddr) -> bool {
        is_public(ip)
            || self.allowed.iter().any(|entry| match entry {
                Allowed::Network(network, prefix) => in_network(ip, *network, *prefix),
                Allowed::Host(_) => false,
            })
    }

    /// Whether a delivery to a URL with this host may go to `ip`, which the host resolved
    /// to: an allowed host name may resolve anywhere; others only to allowed addresses.
    pub fn allows_resolved(&self, host: &str, ip: IpAddr) -> bool {
        self.allows_host(host) || self.allows_address(ip)
    }

    /// Checks a webhook URL; returns it as it will be stored and called (normalised: the
    /// URL that was checked is the URL that is delivered to), or why it is refused.
    pub fn check(&self, text: &str) -> Result<String, String> {
        if text.len() > WEBHOOK_URL_MAX || text.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(format!(
                "must be a URL of at most {WEBHOOK_URL_MAX} characters, without spaces"
            ));
        }
        let url = url::Url::parse(text).map_err(|error| format!("is not a URL: {error}"))?;
        let host = url
            .host_str()
            .ok_or_else(|| "must name a host".to_owned())?
            .to_owned();
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not hold a user name or password".into());
        }
        let allowed = self.allows_host(&host);
        match url.scheme() {
            "https" => {}
            "http" if allowed => {}
            "http" => {
                return Err(
                    "must be https:// (plain http:// only to a host on the operator's allow \
                     list, --webhook-allow)"
                        .into(),
                );
            }
            _ => return Err("must be an https:// URL".into()),
        }
        if allowed {
            return Ok(url.to_string());
        }
        let private = match url.host() {
            Some(url::Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
            Some(url::Host::Domain(name)) => {
                let name = name.trim_end_matches('.');
                name == "localhost" || name.ends_with(".localhost") || !name.contains('.')
            }
            None => true,
        };
        if private {
            return Err(
                "points at a loopback, private, link-local or otherwise internal address; \
                 only the operator can allow such a target (--webhook-allow)"
                    .into(),
            );
        }
        Ok(url.to_string())
    }
}

fn is_host_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 253
        && text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

fn in_network(ip: IpAddr, network: IpAddr, prefix: u8) -> bool {
    match (ip.to_canonical(), network) {
        (IpAddr::V4(ip), IpAddr::V4(network)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(network) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(network)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(network) & mask
        }
        _ => false,
    }
}

/// Whether an address is on the public internet: not loopback, private (RFC 1918, unique
/// local), link-local, shared (RFC 6598), unspecified, multicast, broadcast, documentation,
/// benchmarking or reserved, nor an IPv6 form of one of those.
pub fn is_public(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || a == 0
                || a >= 240
                || (a == 100 && (b & 0xC0) == 64)
                || (a == 198 && (b & 0xFE) == 18)
                || (a == 192 && b == 0 && c == 0))
        }
        // Global unicast (2000::/3) only, less the special ranges within it: IETF protocol
        // assignments (2001::/23: Teredo, ORCHID, benchmarking), documentation (2001:db8::/32,
        // 3fff::/20) and 6to4 (2002::/16). Everything else (IPv4-compatible and -translated
        // forms, NAT64, discard-only, unique local, link-local, multicast …) is not public.
        IpAddr::V6(v6) => {
            let s = v6.segments();
            (s[0] & 0xe000) == 0x2000
                && !(s[0] == 0x2001 && s[1] < 0x0200)
                && !(s[0] == 0x2001 && s[1] == 0x0db8)
                && s[0] != 0x2002
                && !(s[0] == 0x3fff && s[1] < 0x1000)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_targets_and_plain_http_are_refused_unless_allowed() {
        let none = WebhookTargets::default();
        assert_eq!(
            none.check("https://ncb.example.org/hooks").as_deref(),
            Ok("https://ncb.example.org/hooks")
        );
        assert_eq!(
            none.check("https://example.org\\@127.0.0.1:1/x").as_deref(),
            Ok("https://example.org/@127.0.0.1:1/x"),
            "what is stored and called is what was checked"
        );
        assert!(
            none.check("https://ex\u{430}mple.org/")
                .unwrap()
                .contains("xn--")
        );
        for internal in [
            "::127.0.0.1",
            "::ffff:0:7f00:1",
            "2001::7f00:1",
            "100::1",
            "64:ff9b::a00:1",
        ] {
            assert!(!is_public(internal.parse().unwrap()), "{internal}");
        }
        assert!(is_public("2606:4700::1111".parse().unwrap()));
        assert!(
            none.check("https://203.0.113.9/x").is_err(),
            "documentation"
        );
        for bad in [
            "http://ncb.example.org/hooks",
            "https://127.0.0.1/x",
            "https://127.1.2.3:8443/x",
            "https://10.0.0.5/x",
            "https://172.16.0.1/x",
            "https://192.168.1.1/x",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/x",
            "https://0.0.0.0/x",
            "https://[::1]/x",
            "https://[fe80::1]/x",
            "https://[fd00::1]/x",
            "https://[::ffff:127.0.0.1]/x",
            "https://localhost/x",
            "https://intranet/x",
            "https://a.localhost/x",
            "https://user:pw@ncb.example.org/x",
            "ftp://ncb.example.org/x",
            "https://",
            "not a url",
        ] {
            assert!(none.check(bad).is_err(), "{bad}");
        }
        let dev = WebhookTargets::parse("localhost, 127.0.0.0/8,::1").unwrap();
        assert!(dev.check("http://127.0.0.1:9000/x").is_ok());
        assert!(dev.check("http://localhost:9000/x").is_ok());
        assert!(dev.check("https://[::1]:9000/x").is_ok());
        assert!(dev.check("https://10.0.0.5/x").is_err());
        assert!(dev.allows_resolved("localhost", "127.0.0.1".parse().unwrap()));
        assert!(!dev.allows_resolved("evil.example", "10.0.0.1".parse().unwrap()));
        assert!(dev.allows_resolved("evil.example", "127.0.0.1".parse().unwrap()));
        assert!(none.allows_resolved("ncb.example.org", "8.8.8.8".parse().unwrap()));
        assert!(!none.allows_resolved("rebinding.example", "127.0.0.1".parse().unwrap()));
        assert!(WebhookTargets::parse("10.0.0.0/33").is_err());
        assert!(WebhookTargets::parse("not a host!").is_err());
    }
}
