//! Seeded "fail a share of requests": a small deterministic generator, so a
//! flaky-network test fails the same requests on every run (as far as the
//! order of concurrent requests allows).

/// Picks about `percent` of draws, from a fixed seed.
#[derive(Debug, Clone)]
pub struct Share {
    percent: u8,
    state: u64,
}

impl Share {
    pub fn new(percent: u8, seed: u64) -> Share {
        Share {
            percent: percent.min(100),
            state: seed,
        }
    }

    /// True for about `percent` of calls (splitmix64).
    pub fn hit(&mut self) -> bool {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        z % 100 < u64::from(self.percent)
    }
}

#[cfg(test)]
mod tests {
    use super::Share;

    #[test]
    fn a_share_is_about_the_percentage_and_repeatable() {
        let hits = |seed| {
            let mut s = Share::new(25, seed);
            (0..10_000).filter(|_| s.hit()).count()
        };
        let n = hits(7);
        assert!((2_300..2_700).contains(&n), "{n}");
        assert_eq!(hits(7), n, "same seed, same draws");
        assert!(!Share::new(0, 1).hit());
        assert!((0..100).all({
            let mut s = Share::new(100, 1);
            move |_| s.hit()
        }));
    }
}
