//! Use cases for indicators, reporting forms, targets, data values and roll-ups.

mod catalogue;
mod completeness;
mod evidence;
mod forecast;
mod overview;
mod rollup;
mod targets;
mod upload;
mod values;

pub use dxplan_store::attachments::ValueFile;
pub use dxplan_store::indicators::{DataValue, ExchangeValue, Form, HistoryRow, Indicator, Target};
pub use dxplan_store::plans::Pillar;

pub use catalogue::*;
pub use completeness::*;
pub use evidence::*;
pub use forecast::*;
pub use overview::*;
pub use rollup::*;
pub use targets::*;
pub use upload::*;
pub use values::*;
