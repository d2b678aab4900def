//! Grouped payments: which open invoices of one client add up to the amount paid. A bounded
//! subset-sum: at most `max_size` invoices, largest first so partial sums overshoot early,
//! and a node budget so a client with hundreds of open invoices costs no more than a few
//! thousand steps. The caller learns when the budget ran out: then it cannot claim the
//! group it found is the only one.

/// The outcome of a search.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Groups {
    /// Each a set of item ids whose amounts sum into the target range.
    pub found: Vec<Vec<u32>>,
    /// False when the budget ran out before the search space did.
    pub complete: bool,
}

/// The search limits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bounds {
    pub max_size: usize,
    /// Stop after this many groups (two are enough to know it is ambiguous).
    pub max_found: usize,
    pub budget: usize,
}

/// Sets of 2 to `max_size` items whose amounts (positive, minor units) sum to `low..=high`.
pub(crate) fn find_groups(items: &[(u32, i64)], low: i64, high: i64, bounds: Bounds) -> Groups {
    let mut sorted: Vec<(u32, i64)> = items
        .iter()
        .copied()
        .filter(|(_, a)| *a > 0 && *a <= high)
        .collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    // prefix[i] = sum of sorted[..i]: the k largest amounts from i sum to
    // prefix[i + k] - prefix[i], the most k more invoices can add.
    let mut prefix = vec![0i64; sorted.len() + 1];
    for i in 0..sorted.len() {
        prefix[i + 1] = prefix[i].saturating_add(sorted[i].1);
    }
    let mut search = Search {
        items: &sorted,
        prefix: &prefix,
        low,
        high,
        bounds,
        steps: 0,
        chosen: Vec::new(),
        groups: Groups {
            found: Vec::new(),
            complete: true,
        },
    };
    search.visit(0, 0);
    search.groups
}

struct Search<'a> {
    items: &'a [(u32, i64)],
    prefix: &'a [i64],
    low: i64,
    high: i64,
    bounds: Bounds,
    steps: usize,
    chosen: Vec<u32>,
    groups: Groups,
}

impl Search<'_> {
    /// With one invoice left to choose, the ones that complete the sum are found by binary
    /// search instead of a scan.
    fn last_slot(&mut self, start: usize, sum: i64) -> bool {
        let rest = &self.items[start..];
        let from = rest.partition_point(|(_, a)| sum + a > self.high);
        let to = rest.partition_point(|(_, a)| sum + a >= self.low);
        for &(id, _) in &rest[from..to.max(from)] {
            self.steps += 1;
            if self.steps > self.bounds.budget {
                self.groups.complete = false;
                return false;
            }
            let mut group = self.chosen.clone();
            group.push(id);
            group.sort_unstable();
            self.groups.found.push(group);
            if self.groups.found.len() >= self.bounds.max_found {
                return false;
            }
        }
        true
    }

    /// Returns false to stop the whole search.
    fn visit(&mut self, start: usize, sum: i64) -> bool {
        if self.chosen.len() >= 2 && (self.low..=self.high).contains(&sum) {
            let mut group = self.chosen.clone();
            group.sort_unstable();
            self.groups.found.push(group);
            if self.groups.found.len() >= self.bounds.max_found {
                return false;
            }
        }
        let slots = self.bounds.max_size - self.chosen.len();
        if slots == 0 {
            return true;
        }
        if slots == 1 && !self.chosen.is_empty() {
            return self.last_slot(start, sum);
        }
        // Amounts are sorted largest first: skip at once those that overshoot.
        let first = start + self.items[start..].partition_point(|(_, a)| sum + a > self.high);
        for i in first..self.items.len() {
            let most = self.prefix[(i + slots).min(self.items.len())] - self.prefix[i];
            if sum + most < self.low {
                break;
            }
            let (id, amount) = self.items[i];
            self.steps += 1;
            if self.steps > self.bounds.budget {
                self.groups.complete = false;
                return false;
            }
            self.chosen.push(id);
            let go_on = self.visit(i + 1, sum + amount);
            self.chosen.pop();
            if !go_on {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUNDS: Bounds = Bounds {
        max_size: 4,
        max_found: 3,
        budget: 10_000,
    };

    #[test]
    fn finds_the_only_combination() {
        let items = [(1, 100_00), (2, 250_00), (3, 80_00), (4, 1_000_00)];
        let g = find_groups(&items, 430_00, 430_00, BOUNDS);
        assert_eq!(g.found, [vec![1, 2, 3]]);
        assert!(g.complete);
    }

    #[test]
    fn reports_every_combination_up_to_the_limit() {
        let items = [(1, 50_00), (2, 50_00), (3, 50_00)];
        let g = find_groups(&items, 100_00, 100_00, BOUNDS);
        assert_eq!(g.found.len(), 3);
    }

    #[test]
    fn a_range_absorbs_a_bank_fee() {
        let items = [(1, 100_00), (2, 200_00)];
        let g = find_groups(&items, 299_65, 300_00, BOUNDS);
        assert_eq!(g.found, [vec![1, 2]]);
    }

    #[test]
    fn a_single_invoice_is_not_a_group() {
        let g = find_groups(&[(1, 100_00), (2, 7_00)], 100_00, 100_00, BOUNDS);
        assert!(g.found.is_empty());
    }

    #[test]
    fn the_budget_stops_a_search_that_would_explode() {
        // Even amounts never sum to an odd target, and nothing prunes the search early.
        let items: Vec<(u32, i64)> = (0..200).map(|i| (i, 1_000 + 2 * i64::from(i))).collect();
        let g = find_groups(
            &items,
            4_101,
            4_101,
            Bounds {
                budget: 500,
                ..BOUNDS
            },
        );
        assert!(g.found.is_empty());
        assert!(!g.complete);
    }
}
