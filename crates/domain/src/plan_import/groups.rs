//! The plan's groups as the appendix's group rows name them, matched to the plan's own.

use super::KnownGroup;
use crate::text::fold;
use crate::unit_match::UnitIndex;

/// The plan's groups, their names folded once.
pub(super) struct Groups<'a> {
    groups: &'a [KnownGroup],
    names: Vec<String>,
    numbers: Vec<Option<u32>>,
    /// Whether the sheet numbers its group rows with the plan's own group numbers (see
    /// [`Groups::learn_numbering`]).
    numbers_are_codes: bool,
}

impl<'a> Groups<'a> {
    pub(super) fn new(groups: &'a [KnownGroup]) -> Groups<'a> {
        Groups {
            groups,
            names: groups.iter().map(|g| fold(&g.name)).collect(),
            numbers: groups.iter().map(|g| g.code.trim().parse().ok()).collect(),
            numbers_are_codes: true,
        }
    }

    /// The group whose name the words are.
    pub(super) fn exact(&self, words: &str) -> Option<usize> {
        let f = fold(words);
        self.names.iter().position(|n| *n == f)
    }

    /// The one group whose name the words contain or are part of (`Phát triển hạ tầng
    /// số`, `Hạ tầng`); none when that fits several.
    pub(super) fn containing(&self, words: &str) -> Option<usize> {
        let f = fold(words);
        if f.is_empty() {
            return None;
        }
        let mut found = (0..self.names.len())
            .filter(|i| f.contains(self.names[*i].as_str()) || self.names[*i].contains(&f));
        match (found.next(), found.next()) {
            (Some(i), None) => Some(i),
            _ => None,
        }
    }

    pub(super) fn numbered(&self, n: u32) -> Option<usize> {
        self.numbers.iter().position(|x| *x == Some(n))
    }

    /// Appendices number their group rows two ways: with the plan's own numbers (`XII`
    /// is group 12 whatever its wording), or in the order of the groups they list (`I`,
    /// `II`… for groups 2 and 9). The rows whose words name a group tell which: when
    /// most of them carry that group's number, a row's number decides before its words;
    /// otherwise numbers say nothing and the words decide.
    pub(super) fn learn_numbering<'r>(
        &mut self,
        rows: impl Iterator<Item = (Option<u32>, &'r str)>,
    ) {
        let (mut agree, mut disagree) = (0, 0);
        for (n, words) in rows {
            let (Some(n), Some(g)) = (n, self.exact(words).or_else(|| self.containing(words)))
            else {
                continue;
            };
            if self.numbers[g] == Some(n) {
                agree += 1;
            } else {
                disagree += 1;
            }
        }
        self.numbers_are_codes = agree >= disagree;
    }

    /// The group of a group row: its words when they are a group's name, then its
    /// number (when the sheet uses the plan's numbers), then its words loosely.
    pub(super) fn of_row(&self, n: Option<u32>, words: &str) -> Option<&'a KnownGroup> {
        self.exact(words)
            .or_else(|| {
                n.filter(|_| self.numbers_are_codes)
                    .and_then(|n| self.numbered(n))
            })
            .or_else(|| self.containing(words))
            .map(|i| &self.groups[i])
    }

    /// The group a task row's group column names: a code, a name, a numbered name.
    pub(super) fn of_cell(&self, text: &str) -> Option<&'a KnownGroup> {
        let t = text.trim();
        if let Some(g) = self.groups.iter().find(|g| g.code == t) {
            return Some(g);
        }
        let words =
            t.trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, '.' | ' ' | ')'));
        self.exact(words)
            .or_else(|| self.containing(words))
            .map(|i| &self.groups[i])
    }
}

/// A unit as a message names it: `Sở Tài chính (52-STC2)`.
pub(super) fn unit_label(units: &UnitIndex<'_>, id: i64) -> String {
    units
        .unit(id)
        .map_or_else(|| id.to_string(), |u| format!("{} ({})", u.name, u.code))
}
