//! Webhooks: the event types other systems subscribe to, and which network addresses a
//! delivery may go to (never a cloud metadata service; private, link-local and other
//! non-public ranges only when an administrator allows private targets for the
//! endpoint). An IPv6 address that carries an IPv4 one (mapped, NAT64, 6to4, Teredo…)
//! is judged by the IPv4 address it leads to.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum EventType {
    #[serde(rename = "task.submitted")]
    TaskSubmitted,
    #[serde(rename = "task.approved")]
    TaskApproved,
    #[serde(rename = "task.changes_requested")]
    TaskChangesRequested,
    #[serde(rename = "task.overdue")]
    TaskOverdue,
    #[serde(rename = "data.submitted")]
    DataSubmitted,
    #[serde(rename = "data.approved")]
    DataApproved,
    #[serde(rename = "assessment.published")]
    AssessmentPublished,
}

impl EventType {
    pub const ALL: [EventType; 7] = [
        EventType::TaskSubmitted,
        EventType::TaskApproved,
        EventType::TaskChangesRequested,
        EventType::TaskOverdue,
        EventType::DataSubmitted,
        EventType::DataApproved,
        EventType::AssessmentPublished,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::TaskSubmitted => "task.submitted",
            EventType::TaskApproved => "task.approved",
            EventType::TaskChangesRequested => "task.changes_requested",
            EventType::TaskOverdue => "task.overdue",
            EventType::DataSubmitted => "data.submitted",
            EventType::DataApproved => "data.approved",
            EventType::AssessmentPublished => "assessment.published",
        }
    }

    pub fn parse(s: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|e| e.as_str() == s.trim())
    }
}

/// The body every delivery carries: the event's id, type and time, and its data.
pub fn envelope(event: EventType, id: &str, created_at: &str, data: serde_json::Value) -> String {
    serde_json::json!({
        "id": id,
        "type": event.as_str(),
        "created_at": created_at,
        "data": data,
    })
    .to_string()
}

/// Where an address points, as far as deliveries are concerned. Ordered from the most
/// to the least reachable, so the stricter of two judgements is their `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AddressClass {
    Public,
    /// Not an address of the public Internet: loopback, private (RFC 1918, unique-local,
    /// site-local), link-local, carrier-grade NAT, unspecified, documentation and
    /// benchmarking ranges, multicast, reserved, broadcast.
    Private,
    /// A cloud metadata service: never, whatever the endpoint allows.
    Metadata,
}

/// Cloud metadata services reached over IPv4: AWS, GCP, Azure and OpenStack
/// (169.254.169.254), AWS ECS task metadata (169.254.170.2), Alibaba (100.100.100.200).
const METADATA_V4: [Ipv4Addr; 3] = [
    Ipv4Addr::new(169, 254, 169, 254),
    Ipv4Addr::new(169, 254, 170, 2),
    Ipv4Addr::new(100, 100, 100, 200),
];

/// AWS's IPv6 metadata address (Nitro instances).
const METADATA_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);

/// IPv4 ranges that are not the public Internet (RFC 6890's special-purpose registry,
/// less the few that are globally reachable), as (network, prefix length).
const NOT_PUBLIC_V4: [(Ipv4Addr, u8); 15] = [
    (Ipv4Addr::new(0, 0, 0, 0), 8),       // "this network"
    (Ipv4Addr::new(10, 0, 0, 0), 8),      // private
    (Ipv4Addr::new(100, 64, 0, 0), 10),   // carrier-grade NAT
    (Ipv4Addr::new(127, 0, 0, 0), 8),     // loopback
    (Ipv4Addr::new(169, 254, 0, 0), 16),  // link-local
    (Ipv4Addr::new(172, 16, 0, 0), 12),   // private
    (Ipv4Addr::new(192, 0, 0, 0), 24),    // IETF protocol assignments
    (Ipv4Addr::new(192, 0, 2, 0), 24),    // documentation (TEST-NET-1)
    (Ipv4Addr::new(192, 88, 99, 0), 24),  // deprecated 6to4 relay anycast
    (Ipv4Addr::new(192, 168, 0, 0), 16),  // private
    (Ipv4Addr::new(198, 18, 0, 0), 15),   // benchmarking
    (Ipv4Addr::new(198, 51, 100, 0), 24), // documentation (TEST-NET-2)
    (Ipv4Addr::new(203, 0, 113, 0), 24),  // documentation (TEST-NET-3)
    (Ipv4Addr::new(224, 0, 0, 0), 4),     // multicast
    (Ipv4Addr::new(240, 0, 0, 0), 4),     // reserved, and 255.255.255.255 broadcast
];

/// IPv6 ranges that are not the public Internet, beside those carrying an IPv4 address.
const NOT_PUBLIC_V6: [(Ipv6Addr, u8); 9] = [
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 128), // unspecified
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1), 128), // loopback
    (Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48), // local-use NAT64 (RFC 8215)
    (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64), // discard-only
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // documentation
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7), // unique-local
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10), // link-local
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10), // site-local (deprecated)
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8), // multicast
];

fn in_v4(ip: Ipv4Addr, (net, len): (Ipv4Addr, u8)) -> bool {
    let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
    u32::from(ip) & mask == u32::from(net) & mask
}

fn in_v6(ip: Ipv6Addr, (net, len): (Ipv6Addr, u8)) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
    u128::from(ip) & mask == u128::from(net) & mask
}

fn v4_at(octets: &[u8; 16], at: usize) -> Ipv4Addr {
    Ipv4Addr::new(octets[at], octets[at + 1], octets[at + 2], octets[at + 3])
}

/// The IPv4 addresses an IPv6 address stands for, by every standard way of carrying one:
/// a packet to the IPv6 address reaches (through a translator, a relay or the dual
/// stack itself) the host at the IPv4 address, so the IPv4 address is what to judge.
fn embedded_v4(ip: Ipv6Addr) -> Vec<Ipv4Addr> {
    let o = ip.octets();
    let seg = ip.segments();
    let last = v4_at(&o, 12);
    let mut found = Vec::new();
    match seg {
        // IPv4-mapped ::ffff:a.b.c.d (the dual stack connects to a.b.c.d).
        [0, 0, 0, 0, 0, 0xffff, _, _] => found.push(last),
        // IPv4-translated ::ffff:0:a.b.c.d (SIIT, RFC 2765).
        [0, 0, 0, 0, 0xffff, 0, _, _] => found.push(last),
        // IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks).
        [0, 0, 0, 0, 0, 0, _, _] => found.push(last),
        // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052).
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => found.push(last),
        // NAT64 local-use prefix 64:ff9b:1::/48 (RFC 8215): the operator picks the
        // prefix length, so every RFC 6052 position inside it is judged (bits 64–71
        // are always zero and skipped).
        [0x64, 0xff9b, 1, ..] => {
            found.push(Ipv4Addr::new(o[6], o[7], o[9], o[10])); // /48
            found.push(Ipv4Addr::new(o[7], o[9], o[10], o[11])); // /56
            found.push(v4_at(&o, 9)); // /64
            found.push(last); // /96
        }
        // 6to4 2002:a.b.c.d::/48 (RFC 3056): the relay forwards to a.b.c.d.
        [0x2002, ..] => found.push(v4_at(&o, 2)),
        // Teredo 2001:0::/32 (RFC 4380): the server's address, then the client's,
        // stored inverted in the last 32 bits.
        [0x2001, 0, ..] => {
            found.push(v4_at(&o, 4));
            found.push(Ipv4Addr::from(!u32::from(last)));
        }
        _ => {}
    }
    found
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    if METADATA_V4.contains(&ip) {
        AddressClass::Metadata
    } else if NOT_PUBLIC_V4.iter().any(|&range| in_v4(ip, range)) {
        AddressClass::Private
    } else {
        AddressClass::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    if ip == METADATA_V6 {
        return AddressClass::Metadata;
    }
    let own = if NOT_PUBLIC_V6.iter().any(|&range| in_v6(ip, range)) {
        AddressClass::Private
    } else {
        AddressClass::Public
    };
    // An embedded address is judged as itself, and the prefixes that carry one are no
    // public destination of their own beyond it: the stricter judgement wins.
    embedded_v4(ip)
        .into_iter()
        .map(classify_v4)
        .fold(own, AddressClass::max)
}

/// Where a delivery to `ip` would go: the one judgement every check uses (at
/// registration, and on the address the delivery actually connects to).
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// May a delivery go to `ip`? Never to a metadata service; to a private network only
/// when the administrator allows it for the endpoint.
pub fn allowed(ip: IpAddr, allow_private: bool) -> bool {
    match classify(ip) {
        AddressClass::Public => true,
        AddressClass::Private => allow_private,
        AddressClass::Metadata => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_address_is_judged_by_where_it_leads() {
        use AddressClass::{Metadata, Private, Public};
        let table: &[(&str, AddressClass)] = &[
            // Metadata services, as themselves and inside every IPv6 form.
            ("169.254.169.254", Metadata),
            ("169.254.170.2", Metadata),
            ("100.100.100.200", Metadata),
            ("fd00:ec2::254", Metadata),
            ("::ffff:169.254.169.254", Metadata),
            ("::ffff:0:169.254.169.254", Metadata),
            ("::169.254.169.254", Metadata),
            ("64:ff9b::169.254.169.254", Metadata),
            ("64:ff9b::a9fe:aa02", Metadata),
            ("64:ff9b:1::169.254.169.254", Metadata),
            ("64:ff9b:1:a9fe:a9:fea9:fe00:0", Metadata), // /48 layout
            ("64:ff9b:1:a9fe:a9:fe00::", Metadata),      // /64 layout
            ("2002:a9fe:a9fe::1", Metadata),
            ("2002:a9fe:aa02:1234::1", Metadata),
            ("2001:0:a9fe:a9fe::1", Metadata), // Teredo server
            ("2001:0:4136:e378:8000:63bf:5601:5601", Metadata), // Teredo client ~a9fe:a9fe
            // Not the public Internet.
            ("0.0.0.0", Private),
            ("0.1.2.3", Private),
            ("10.1.2.3", Private),
            ("100.64.0.1", Private),
            ("100.127.255.254", Private),
            ("127.0.0.1", Private),
            ("127.8.8.8", Private),
            ("169.254.1.1", Private),
            ("172.16.0.1", Private),
            ("172.31.255.255", Private),
            ("192.0.0.8", Private),
            ("192.0.2.10", Private),
            ("192.168.1.10", Private),
            ("198.18.0.1", Private),
            ("198.19.255.255", Private),
            ("198.51.100.7", Private),
            ("203.0.113.9", Private),
            ("224.0.0.1", Private),
            ("239.255.255.250", Private),
            ("240.0.0.1", Private),
            ("255.255.255.255", Private),
            ("::", Private),
            ("::1", Private),
            ("fe80::1", Private),
            ("febf::1", Private),
            ("fec0::1", Private),
            ("fc00::1", Private),
            ("fd12:3456::1", Private),
            ("ff02::1", Private),
            ("2001:db8::1", Private),
            ("100::1", Private),
            ("::ffff:10.0.0.1", Private),
            ("::ffff:127.0.0.1", Private),
            ("::ffff:0:127.0.0.1", Private),
            ("::127.0.0.1", Private),
            ("::10.0.0.1", Private),
            ("64:ff9b::127.0.0.1", Private),
            ("64:ff9b::10.0.0.1", Private),
            ("64:ff9b::192.168.0.1", Private),
            ("64:ff9b:1::8.8.8.8", Private), // local-use NAT64: never public itself
            ("2002:7f00:1::1", Private),
            ("2002:c0a8:101::1", Private),
            ("2001:0:7f00:1::1", Private),
            ("2001:0:4136:e378:8000:63bf:80ff:fffe", Private), // Teredo client ~7f00:1
            // The public Internet.
            ("8.8.8.8", Public),
            ("203.162.4.191", Public),
            ("100.63.255.255", Public),
            ("100.128.0.0", Public),
            ("172.32.0.1", Public),
            ("198.20.0.1", Public),
            ("223.255.255.255", Public),
            ("2001:ee0::1", Public),
            ("2404:6800:4005:80a::200e", Public),
            ("::ffff:8.8.8.8", Public),
            ("64:ff9b::8.8.8.8", Public),
            ("2002:808:808::1", Public),
            ("2001:0:4136:e378:8000:63bf:f7f7:f7f7", Public), // Teredo client ~8.8.8.8
        ];
        for &(text, expected) in table {
            let ip: IpAddr = text.parse().unwrap();
            assert_eq!(classify(ip), expected, "{text}");
            assert_eq!(allowed(ip, false), expected == Public, "{text}");
            assert_eq!(allowed(ip, true), expected != Metadata, "{text}");
        }
    }

    /// Every way an IPv6 address carries an IPv4 one, for the property below.
    fn embeddings(v4: Ipv4Addr) -> Vec<Ipv6Addr> {
        let [a, b, c, d] = v4.octets();
        let o = u128::from(u32::from(v4));
        let with = |prefix: u128| Ipv6Addr::from(prefix | o);
        vec![
            v4.to_ipv6_mapped(),
            with(0xffff_0000_0000),
            v4.to_ipv6_compatible(),
            with(0x0064_ff9b << 96),
            with(0x0064_ff9b_0001 << 80),
            Ipv6Addr::from([0, 0x64, 0xff, 0x9b, 0, 1, a, b, 0, c, d, 0, 0, 0, 0, 0]),
            Ipv6Addr::from([0, 0x64, 0xff, 0x9b, 0, 1, 0, 0, 0, a, b, c, d, 0, 0, 0]),
            Ipv6Addr::from([0x20, 0x02, a, b, c, d, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
            Ipv6Addr::from([0x20, 0x01, 0, 0, a, b, c, d, 0, 0, 0, 0, 0, 0, 0, 1]),
            Ipv6Addr::from([
                0x20, 0x01, 0, 0, 0x41, 0x36, 0xe3, 0x78, 0x80, 0, 0x63, 0xbf, !a, !b, !c, !d,
            ]),
        ]
    }

    proptest::proptest! {
        #[test]
        fn an_ipv4_address_that_is_not_public_stays_so_inside_every_ipv6_form(bits: u32) {
            let v4 = Ipv4Addr::from(bits);
            let class = classify(IpAddr::V4(v4));
            for v6 in embeddings(v4) {
                let inside = classify(IpAddr::V6(v6));
                proptest::prop_assert!(inside >= class, "{v4} in {v6}: {inside:?} < {class:?}");
                if class == AddressClass::Metadata {
                    proptest::prop_assert!(!allowed(IpAddr::V6(v6), true), "{v6}");
                }
            }
        }

        #[test]
        fn the_special_ranges_are_not_public_wherever_inside_them(bits: u32) {
            for (net, len) in NOT_PUBLIC_V4 {
                let host_bits = u32::MAX.checked_shr(u32::from(len)).unwrap_or(0);
                let ip = Ipv4Addr::from((u32::from(net) & !host_bits) | (bits & host_bits));
                proptest::prop_assert_ne!(classify(IpAddr::V4(ip)), AddressClass::Public, "{}", ip);
            }
        }
    }

    #[test]
    fn the_embedding_forms_of_the_property_are_read_back() {
        // Guards the property above: each form must carry the address where the
        // classifier looks, or the property would hold for the wrong reason.
        let v4 = Ipv4Addr::new(169, 254, 169, 254);
        for v6 in embeddings(v4) {
            assert!(embedded_v4(v6).contains(&v4), "{v6}");
        }
    }

    #[test]
    fn event_types_read_back() {
        for e in EventType::ALL {
            assert_eq!(EventType::parse(e.as_str()), Some(e));
        }
        assert_eq!(EventType::parse("task.deleted"), None);
    }
}
