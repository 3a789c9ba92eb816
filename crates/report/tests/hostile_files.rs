//! Every hostile workbook is refused with the right error, fast, and in little memory.
//!
//! Memory is the process's peak resident set (`VmHWM`), so each case runs in a process
//! of its own: this test starts its own binary once per case, the child reads the one
//! file and reports how long it took and how far the peak rose above what the process
//! held before reading (the generated file included).
//!
//! Time is measured twice: the wall clock, and the CPU time of the reading thread
//! (`/proc/thread-self/schedstat`). The second is what the file costs and what the
//! limit is asserted on, so other work on the shared machine cannot fail the test; the
//! wall clock gets a looser bound.

use std::process::Command;
use std::time::{Duration, Instant};

use dxplan_domain::cancel::Cancel;
use dxplan_report::sheet::hostile::{self, same_refusal};
use dxplan_report::sheet::{DEFAULT_DEADLINE, SheetLimits, read_first_sheet};

const CASE: &str = "DXPLAN_HOSTILE_CASE";
const TEST: &str = "every_hostile_file_is_refused_fast_and_in_little_memory";
const REPORT: &str = "hostile-case-result:";

/// Under a second of CPU each, on a debug build.
const MAX_CPU: Duration = Duration::from_secs(1);
/// The wall clock, which other work on the machine stretches.
const MAX_WALL: Duration = Duration::from_secs(3);
/// A province's server has 1 GB; a hostile upload may cost it a few tens of MB at most.
const MAX_GROWTH_KB: u64 = 40 * 1024;

#[test]
fn every_hostile_file_is_refused_fast_and_in_little_memory() {
    if let Ok(index) = std::env::var(CASE) {
        run_one(index.parse().expect("a case index"));
        return;
    }
    let exe = std::env::current_exe().expect("the test binary");
    let mut failures = Vec::new();
    println!(
        "{:<60} {:>8} {:>8} {:>9} {:>7}",
        "case", "CPU ms", "wall ms", "RSS +KB", "gen ms"
    );
    for (index, case) in hostile::cases().iter().enumerate() {
        let out = Command::new(&exe)
            .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
            .env(CASE, index.to_string())
            .output()
            .expect("the test binary runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let Some(line) = stdout
            .lines()
            .find_map(|l| l.split_once(REPORT).map(|(_, r)| r))
        else {
            failures.push(format!(
                "{}: the child reported nothing\n{}\n{}",
                case.name,
                stdout,
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        };
        let numbers: Vec<u64> = line
            .split_whitespace()
            .filter_map(|n| n.parse().ok())
            .collect();
        let [cpu_us, wall_us, growth_kb, generate_ms] = numbers[..] else {
            failures.push(format!("{}: bad report {line}", case.name));
            continue;
        };
        println!(
            "{:<60} {:>8.1} {:>8.1} {:>9} {:>7}",
            case.name,
            cpu_us as f64 / 1000.0,
            wall_us as f64 / 1000.0,
            growth_kb,
            generate_ms
        );
        if !out.status.success() {
            failures.push(format!(
                "{}: {}",
                case.name,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        if Duration::from_micros(cpu_us) >= MAX_CPU {
            failures.push(format!("{}: took {} ms of CPU", case.name, cpu_us / 1000));
        }
        if Duration::from_micros(wall_us) >= MAX_WALL {
            failures.push(format!("{}: took {} ms", case.name, wall_us / 1000));
        }
        if growth_kb >= MAX_GROWTH_KB {
            failures.push(format!("{}: peak memory grew {growth_kb} KB", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// In the child: generate one case, reset the peak, read, report.
fn run_one(index: usize) {
    let cases = hostile::cases();
    let case = &cases[index];
    let generated = Instant::now();
    let bytes = (case.bytes)();
    let generate_ms = generated.elapsed().as_millis();
    reset_peak();
    let before = status_kb("VmRSS:");
    let cpu = thread_cpu();
    let start = Instant::now();
    let result = read_first_sheet(
        &bytes,
        &SheetLimits::default(),
        &Cancel::with_deadline(DEFAULT_DEADLINE),
    );
    let wall = start.elapsed();
    let cpu = thread_cpu().saturating_sub(cpu);
    let growth = status_kb("VmHWM:").saturating_sub(before);
    println!(
        "{REPORT} {} {} {growth} {generate_ms}",
        cpu.as_micros(),
        wall.as_micros()
    );
    match (&result, &case.refused_with) {
        (Ok(_), None) => {}
        (Err(got), Some(expected)) => assert!(
            same_refusal(got, expected),
            "{}: refused with {got:?}, expected {expected:?}",
            case.name
        ),
        (got, expected) => panic!("{}: got {got:?}, expected {expected:?}", case.name),
    }
}

/// Makes the peak resident set start again from the current one (Linux ≥ 4.0).
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").expect("resetting VmHWM");
}

/// The CPU time this thread has run for (its first `schedstat` field, in ns).
fn thread_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").expect("schedstat");
    let ns = stat
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a CPU time in ns");
    Duration::from_nanos(ns)
}

fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a field in kB")
}
