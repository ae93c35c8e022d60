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

/// A share whose hits take `faults` in turn: one draw decides whether a
/// request is picked, so the share is the rate asked for whatever the mix
/// (shares drawn one after another would pick fewer than their sum).
#[derive(Debug, Clone)]
pub struct Mix<F> {
    share: Share,
    faults: Vec<F>,
    next: usize,
}

impl<F: Clone> Mix<F> {
    pub fn new(percent: u8, seed: u64, faults: Vec<F>) -> Mix<F> {
        assert!(!faults.is_empty(), "a share needs a fault");
        Mix {
            share: Share::new(percent, seed),
            faults,
            next: 0,
        }
    }

    /// The next fault in turn for about `percent` of calls, else `None`.
    pub fn draw(&mut self) -> Option<F> {
        if !self.share.hit() {
            return None;
        }
        let fault = self.faults[self.next % self.faults.len()].clone();
        self.next += 1;
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::{Mix, Share};

    #[test]
    fn a_mix_picks_the_share_once_and_takes_its_faults_in_turn() {
        let mut mix = Mix::new(10, 7, vec!['a', 'b']);
        let picked: Vec<char> = (0..10_000).filter_map(|_| mix.draw()).collect();
        assert!((900..1_100).contains(&picked.len()), "{}", picked.len());
        let a = picked.iter().filter(|&&c| c == 'a').count();
        assert_eq!(a, picked.len().div_ceil(2));
        assert_eq!(&picked[..4], ['a', 'b', 'a', 'b']);
    }

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
