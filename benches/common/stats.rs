//! What every bench reports the same way: a true median (the mean of the
//! two middle values when the count is even), the min and the max of its
//! rounds, and one `row: | … |` line per figure, which `just bench` gathers
//! into the README's table. Each bench uses what it needs of it.

#![allow(dead_code)]

use std::time::Duration;

/// The rounds of one measurement.
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// Of `values` (any unit; at least one).
    pub fn of(values: &[f64]) -> Spread {
        assert!(!values.is_empty(), "a measurement needs a round");
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Spread {
            median,
            min: v[0],
            max: v[n - 1],
        }
    }

    pub fn of_times(times: &[Duration]) -> Spread {
        let secs: Vec<f64> = times.iter().map(Duration::as_secs_f64).collect();
        Spread::of(&secs)
    }

    /// "1.23 s (1.10–1.40)", in seconds or milliseconds.
    pub fn secs(&self) -> String {
        if self.max < 1.0 {
            format!(
                "{:.0} ms ({:.0}–{:.0})",
                self.median * 1e3,
                self.min * 1e3,
                self.max * 1e3
            )
        } else {
            format!("{:.2} s ({:.2}–{:.2})", self.median, self.min, self.max)
        }
    }
}

/// One line of the table: `row: | figure | ours | peer | ratio | how |`.
pub fn row(figure: &str, ours: &str, peer: &str, ratio: &str, how: &str) {
    println!("row: | {figure} | {ours} | {peer} | {ratio} | {how} |");
}

/// "3.3× slower" / "5.5× faster" of `ours` against `peer` (medians).
pub fn ratio(ours: &Spread, peer: &Spread, smaller_is_faster: bool) -> String {
    let r = ours.median / peer.median;
    match (smaller_is_faster, r >= 1.0) {
        (true, true) => format!("{r:.2}× the peer's time"),
        (true, false) => format!("{:.1}× faster", 1.0 / r),
        (false, _) => format!("{r:.2}×"),
    }
}
