//! Which requests the preview answers. The preview serves unpublished documents, so a web page
//! the writer visits must not be able to read them: with DNS rebinding, a page of
//! `attacker.example` makes its own name resolve to 127.0.0.1 and reads the preview as its own
//! origin. The browser then sends `Host: attacker.example`, so the preview answers only the
//! host names it is reached by (as Vite's `server.allowedHosts` and webpack-dev-server's
//! `allowedHosts` do), and its event stream only pages of its own origin.
//!
//! Allowed: `localhost` and its subdomains (RFC 6761: they never leave the machine), loopback
//! addresses, the `--bind` address (any address when bound to all of them: `0.0.0.0`, `::`), and
//! the names the writer allows with `--allow-host` or `serve: {allowed_hosts: [...]}`, where a
//! leading dot allows a name and its subdomains (`.example.com`).

use std::net::{IpAddr, Ipv6Addr};

/// The host names one preview answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hosts {
    /// Exact names, lower case, without a trailing dot.
    names: Vec<String>,
    /// `.example.com` entries, without their dot: the name and every subdomain.
    domains: Vec<String>,
    bind: Option<IpAddr>,
    /// Bound to all addresses: any address literal reaches the preview.
    any_address: bool,
}

impl Hosts {
    /// The hosts of a preview bound to `bind` (an address or a host name), plus `allowed`
    /// (from the command line and the config).
    pub fn new<'a>(bind: &str, allowed: impl IntoIterator<Item = &'a str>) -> Hosts {
        let mut hosts = Hosts::default();
        let bind = bind.trim_start_matches('[').trim_end_matches(']');
        match bind.parse::<IpAddr>() {
            Ok(ip) if ip.is_unspecified() => hosts.any_address = true,
            Ok(ip) => hosts.bind = Some(ip),
            Err(_) => hosts.names.push(normalize(bind)),
        }
        for entry in allowed {
            match entry.strip_prefix('.') {
                Some(domain) => hosts.domains.push(normalize(domain)),
                None => hosts.names.push(normalize(entry)),
            }
        }
        hosts
    }

    /// Whether a request with this `Host` header is answered. Browsers always send one; a
    /// request without it comes from a tool, not from a web page, and cannot be a rebinding
    /// attack.
    pub fn allows(&self, host_header: Option<&str>) -> bool {
        let Some(header) = host_header else {
            return true;
        };
        let Some(host) = host_name(header) else {
            return false;
        };
        if let Some(ip) = parse_ip(&host) {
            return ip.is_loopback() || self.any_address || Some(ip) == self.bind;
        }
        host == "localhost"
            || host.ends_with(".localhost")
            || self.names.contains(&host)
            || self
                .domains
                .iter()
                .any(|d| host == *d || host.ends_with(&format!(".{d}")))
    }
}

/// Whether an event-stream request comes from a page of the preview's own origin. Browsers
/// send no `Origin` on a same-origin `EventSource`; a tool sends none either.
pub fn same_origin(origin: Option<&str>, host_header: Option<&str>) -> bool {
    match (origin, host_header) {
        (None, _) => true,
        (Some(origin), Some(host)) => origin
            .trim()
            .strip_prefix("http://")
            .is_some_and(|rest| rest.eq_ignore_ascii_case(host.trim())),
        (Some(_), None) => false,
    }
}

/// The host part of a `Host` header (`name`, `name:port`, `[v6]:port`), lower case, without a
/// trailing dot; `None` when it is not a host.
fn host_name(header: &str) -> Option<String> {
    let header = header.trim();
    let host = if let Some(rest) = header.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_port)) {
            return None;
        }
        return inside.parse::<Ipv6Addr>().ok().map(|ip| format!("[{ip}]"));
    } else {
        match header.rsplit_once(':') {
            Some((host, port)) if is_port(port) => host,
            Some(_) => return None,
            None => header,
        }
    };
    let valid = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
    valid.then(|| normalize(host))
}

fn is_port(text: &str) -> bool {
    !text.is_empty() && text.len() <= 5 && text.bytes().all(|b| b.is_ascii_digit())
}

fn parse_ip(host: &str) -> Option<IpAddr> {
    let inner = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    inner.parse().ok()
}

fn normalize(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// The plain-text answer to a refused host: what happened and how to allow the name.
pub fn refusal(host_header: Option<&str>) -> String {
    let shown = host_header.map_or(String::new(), |h| {
        host_name(h).unwrap_or_else(|| h.chars().take(100).collect())
    });
    format!(
        "archsite serve: 403 Forbidden: this preview does not answer requests for the host `{shown}`.\n\
         It answers localhost, 127.0.0.1, [::1] and the --bind address, so that a web page cannot \
         read your documents through its own domain name (DNS rebinding).\n\
         If you reach the preview by this name (a proxy, a tunnel, a name in /etc/hosts), allow it: \
         `archsite serve --allow-host {shown}`, or in archsite.yaml:\n\n\
         serve:\n  allowed_hosts: [{shown}]\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_and_addresses_are_allowed_by_default() {
        let hosts = Hosts::new("127.0.0.1", []);
        for ok in [
            "localhost",
            "localhost:1111",
            "LOCALHOST.:1111",
            "app.localhost:1111",
            "127.0.0.1",
            "127.0.0.1:1111",
            "127.1.2.3:80",
            "[::1]:1111",
            "[::1]",
            "[0:0:0:0:0:0:0:1]:1111",
        ] {
            assert!(hosts.allows(Some(ok)), "{ok}");
        }
        assert!(hosts.allows(None), "no Host: not a browser");
    }

    #[test]
    fn foreign_and_malformed_hosts_are_refused() {
        let hosts = Hosts::new("127.0.0.1", []);
        for bad in [
            "attacker.example:1111",
            "attacker.example",
            "localhost.attacker.example",
            "127.0.0.1.nip.io:1111",
            "192.168.1.5:1111",
            "[fe80::1]:1111",
            "",
            "localhost:",
            "localhost:99999x",
            "local host",
            "[::1",
            "[::1]x",
            "evil.example/localhost",
            "localhost@evil.example",
        ] {
            assert!(!hosts.allows(Some(bad)), "{bad}");
        }
    }

    #[test]
    fn the_bind_address_and_allowed_names_are_allowed() {
        let lan = Hosts::new("192.168.1.5", ["docs.internal", ".tunnel.example"]);
        assert!(lan.allows(Some("192.168.1.5:1111")));
        assert!(!lan.allows(Some("10.0.0.1:1111")));
        assert!(lan.allows(Some("Docs.Internal:8080")));
        assert!(!lan.allows(Some("x.docs.internal")));
        assert!(lan.allows(Some("tunnel.example")));
        assert!(lan.allows(Some("abc.tunnel.example:443")));
        assert!(!lan.allows(Some("eviltunnel.example")));
        let all = Hosts::new("0.0.0.0", []);
        assert!(all.allows(Some("10.0.0.1:1111")));
        assert!(all.allows(Some("[fe80::1]:1111")));
        assert!(!all.allows(Some("attacker.example:1111")));
        let named = Hosts::new("devbox.lan", []);
        assert!(named.allows(Some("devbox.lan:1111")));
        assert!(Hosts::new("[::]", []).allows(Some("[fe80::1]:1")));
    }

    #[test]
    fn event_streams_are_same_origin_only() {
        let host = Some("127.0.0.1:1111");
        assert!(same_origin(None, host));
        assert!(same_origin(Some("http://127.0.0.1:1111"), host));
        assert!(!same_origin(Some("http://attacker.example"), host));
        assert!(!same_origin(Some("http://127.0.0.1:2222"), host));
        assert!(!same_origin(Some("https://127.0.0.1:1111"), host));
        assert!(!same_origin(Some("null"), host));
        assert!(!same_origin(Some("http://127.0.0.1:1111"), None));
    }

    #[test]
    fn the_refusal_says_how_to_allow_the_name() {
        let text = refusal(Some("Docs.Example:1111"));
        assert!(text.contains("`docs.example`"), "{text}");
        assert!(text.contains("--allow-host docs.example"), "{text}");
        assert!(text.contains("allowed_hosts: [docs.example]"), "{text}");
    }
}
