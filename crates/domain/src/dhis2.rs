//! The DHIS2 `dataValueSets` JSON layout, so dxplan exchanges figures with the most widely
//! used government indicator platform: periods in DHIS2's notation (`2025`, `2025Q2`,
//! `202508`), data elements and org units by their DHIS2 identifiers where a mapping
//! exists, else by dxplan's codes.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::period::Period;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataValueSet {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_set: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_unit: Option<String>,
    #[serde(default)]
    pub data_values: Vec<DataValue>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = Dhis2DataValue))]
pub struct DataValue {
    #[serde(default)]
    pub data_element: String,
    /// Falls back to the set's period when absent.
    #[serde(default)]
    pub period: String,
    /// Falls back to the set's org unit when absent.
    #[serde(default)]
    pub org_unit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_option_combo: Option<String>,
    /// DHIS2 sends values as strings (numbers are accepted too).
    #[serde(default, deserialize_with = "string_or_number")]
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        S(String),
        N(f64),
        Null(()),
    }
    Ok(match Raw::deserialize(d)? {
        Raw::S(s) => s,
        Raw::N(n) => n.to_string(),
        Raw::Null(()) => String::new(),
    })
}

/// A dxplan period in DHIS2's notation.
pub fn to_dhis2_period(p: Period) -> String {
    match p {
        Period::Year(y) => format!("{y}"),
        Period::Quarter(y, q) => format!("{y}Q{q}"),
        Period::Month(y, m) => format!("{y}{m:02}"),
    }
}

/// A DHIS2 period (yearly, quarterly or monthly) as a dxplan period.
pub fn from_dhis2_period(s: &str) -> Option<Period> {
    let s = s.trim();
    if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        let year: i32 = s[..4].parse().ok()?;
        let month: u8 = s[4..].parse().ok()?;
        return Period::parse(&format!("{year}-{month:02}"));
    }
    Period::parse(s).filter(|p| !matches!(p, Period::Month(..)) || s.len() == 6)
}

/// Identifiers both ways for one kind of thing (data elements, or org units): a mapping
/// where one exists, else the dxplan code itself.
#[derive(Debug, Clone, Default)]
pub struct CodeMap {
    to_dhis2: HashMap<String, String>,
    from_dhis2: HashMap<String, String>,
}

impl CodeMap {
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> CodeMap {
        let mut map = CodeMap::default();
        for (local, remote) in pairs {
            map.from_dhis2.insert(remote.clone(), local.clone());
            map.to_dhis2.insert(local, remote);
        }
        map
    }

    pub fn to_dhis2(&self, local: &str) -> String {
        self.to_dhis2
            .get(local)
            .cloned()
            .unwrap_or_else(|| local.to_string())
    }

    pub fn from_dhis2(&self, remote: &str) -> String {
        self.from_dhis2
            .get(remote)
            .cloned()
            .unwrap_or_else(|| remote.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_convert_both_ways() {
        for (dhis2, ours) in [
            ("2025", Period::Year(2025)),
            ("2025Q2", Period::Quarter(2025, 2)),
            ("202508", Period::Month(2025, 8)),
        ] {
            assert_eq!(from_dhis2_period(dhis2), Some(ours), "{dhis2}");
            assert_eq!(to_dhis2_period(ours), dhis2);
        }
        for bad in ["202513", "2025W10", "20250", "x"] {
            assert_eq!(from_dhis2_period(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_data_value_set_reads_as_dhis2_writes_it() {
        let set: DataValueSet = serde_json::from_str(
            r#"{"dataSet":"pBOMPrpg1QX","period":"2025Q2","orgUnit":"DiszpKrYNg8",
                "dataValues":[{"dataElement":"f7n9E0hX8qk","value":"12"},
                              {"dataElement":"Ix2HsbDMLea","period":"2025Q1","orgUnit":"x","value":7.5}]}"#,
        )
        .unwrap();
        assert_eq!(set.data_values[0].value, "12");
        assert_eq!(set.data_values[1].value, "7.5");
        assert_eq!(set.period.as_deref(), Some("2025Q2"));
        let map = CodeMap::new([("CQ-02".to_string(), "f7n9E0hX8qk".to_string())]);
        assert_eq!(map.from_dhis2("f7n9E0hX8qk"), "CQ-02");
        assert_eq!(map.to_dhis2("CQ-02"), "f7n9E0hX8qk");
        assert_eq!(
            map.to_dhis2("XH-01"),
            "XH-01",
            "unmapped codes pass as they are"
        );
    }
}
