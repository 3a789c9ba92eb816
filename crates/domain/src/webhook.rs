//! Webhooks: the event types other systems subscribe to, and which network addresses a
//! delivery may go to (never the cloud metadata service; private and link-local ranges
//! only when an administrator allows private targets for the endpoint).

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

/// Where an address points, as far as deliveries are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    Public,
    /// Loopback, private (RFC 1918, unique-local), link-local, carrier-grade NAT,
    /// unspecified: inside someone's network.
    Private,
    /// A cloud metadata service: never.
    Metadata,
}

pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => classify_v4(v4),
            None => classify_v6(v6),
        },
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, ..] = ip.octets();
    if ip == Ipv4Addr::new(169, 254, 169, 254) || ip == Ipv4Addr::new(100, 100, 100, 200) {
        return AddressClass::Metadata;
    }
    let carrier_nat = a == 100 && (64..=127).contains(&b);
    if ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || carrier_nat
        || a == 0
    {
        AddressClass::Private
    } else {
        AddressClass::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    let first = ip.segments()[0];
    // AWS's IPv6 metadata address.
    if ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) {
        return AddressClass::Metadata;
    }
    let unique_local = first & 0xfe00 == 0xfc00;
    let link_local = first & 0xffc0 == 0xfe80;
    if ip.is_loopback() || ip.is_unspecified() || unique_local || link_local {
        AddressClass::Private
    } else {
        AddressClass::Public
    }
}

/// May a delivery go to `ip`?
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

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn metadata_is_never_a_target_and_private_ranges_only_when_allowed() {
        for metadata in ["169.254.169.254", "fd00:ec2::254", "::ffff:169.254.169.254"] {
            assert_eq!(classify(ip(metadata)), AddressClass::Metadata, "{metadata}");
            assert!(!allowed(ip(metadata), true));
        }
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.10",
            "169.254.1.1",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd12:3456::1",
            "::ffff:10.0.0.1",
        ] {
            assert_eq!(classify(ip(private)), AddressClass::Private, "{private}");
            assert!(!allowed(ip(private), false));
            assert!(allowed(ip(private), true));
        }
        for public in ["203.162.4.191", "8.8.8.8", "2001:ee0::1"] {
            assert!(allowed(ip(public), false), "{public}");
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
