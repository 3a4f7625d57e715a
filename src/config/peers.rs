//! Network peers a server lets in: loopback always, others by CIDR block.

use std::net::SocketAddr;

/// Addresses allowed in: loopback always, others only inside one of `allow_from`.
#[derive(Debug, Clone, Default)]
pub struct PeerFilter {
    allow_from: Vec<ipnet::IpNet>,
}

impl PeerFilter {
    /// Parses CIDR blocks ("192.168.1.0/24", "10.0.0.7/32", "fd00::/8"); a bare
    /// address means that address alone.
    pub fn parse(blocks: &[String]) -> Result<Self, String> {
        let mut allow_from = Vec::with_capacity(blocks.len());
        for b in blocks {
            let b = b.trim();
            let net = b
                .parse::<ipnet::IpNet>()
                .or_else(|_| b.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("{b:?} is not a CIDR block such as 192.168.1.0/24"))?;
            allow_from.push(net);
        }
        Ok(Self { allow_from })
    }

    pub fn allows(&self, peer: &SocketAddr) -> bool {
        let ip = peer.ip().to_canonical();
        ip.is_loopback() || self.allow_from.iter().any(|n| n.contains(&ip))
    }

    /// Whether any address beyond loopback is let in.
    pub fn opens_beyond_loopback(&self) -> bool {
        !self.allow_from.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_listed_blocks_only() {
        let f = PeerFilter::parse(&["192.168.1.0/24".into(), "10.0.0.7".into(), "fd00::/8".into()]).expect("parse");
        let ok = ["127.0.0.1:1", "[::1]:1", "192.168.1.200:9", "10.0.0.7:1", "[fd12::1]:1", "[::ffff:192.168.1.3]:2"];
        for p in ok {
            assert!(f.allows(&p.parse().expect("addr")), "{p}");
        }
        for p in ["192.168.2.1:1", "10.0.0.8:1", "8.8.8.8:53", "[2001:db8::1]:1"] {
            assert!(!f.allows(&p.parse().expect("addr")), "{p}");
        }
        assert!(!PeerFilter::default().allows(&"192.168.1.2:1".parse().expect("addr")));
        assert!(PeerFilter::parse(&["not a block".into()]).is_err());
        assert!(PeerFilter::parse(&["10.0.0.0/33".into()]).is_err());
    }
}
