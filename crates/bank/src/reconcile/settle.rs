//! How an amount settles a set of invoices: in full, short by a bank fee (written off), in
//! part (an instalment, oldest due date first) or in excess (client credit). Minor units.

/// Money applied to one invoice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Part {
    pub invoice: u32,
    pub cash: i64,
    pub fee: i64,
    pub remaining: i64,
}

/// How the amount compares with what the invoices owe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fit {
    Exact,
    /// Short by this much, within the tolerance.
    Fee(i64),
    /// This much stays owed.
    Partial(i64),
    /// This much is paid beyond what is owed.
    Over(i64),
}

/// The settlement of one amount against invoices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    pub parts: Vec<Part>,
    pub credit: i64,
    pub fit: Fit,
}

/// Settles `amount` against `targets` (in the order money is applied) whose outstanding is
/// `owed(target)`. A shortfall up to `tolerance` is written off on the last invoices;
/// beyond it the payment is partial and the invoices it does not reach are left out.
pub(crate) fn settle(
    amount: i64,
    targets: &[u32],
    owed: impl Fn(u32) -> i64,
    tolerance: i64,
) -> Plan {
    let owed: Vec<(u32, i64)> = targets
        .iter()
        .map(|&t| (t, owed(t)))
        .filter(|(_, o)| *o > 0)
        .collect();
    let total: i64 = owed.iter().map(|(_, o)| o).sum();
    let full = |(invoice, o): &(u32, i64)| Part {
        invoice: *invoice,
        cash: *o,
        fee: 0,
        remaining: 0,
    };
    if amount >= total {
        let credit = amount - total;
        return Plan {
            parts: owed.iter().map(full).collect(),
            credit,
            fit: if credit == 0 {
                Fit::Exact
            } else {
                Fit::Over(credit)
            },
        };
    }
    let shortfall = total - amount;
    if shortfall <= tolerance {
        let mut parts: Vec<Part> = owed.iter().map(full).collect();
        let mut left = shortfall;
        for part in parts.iter_mut().rev() {
            let fee = left.min(part.cash);
            part.cash -= fee;
            part.fee = fee;
            left -= fee;
            if left == 0 {
                break;
            }
        }
        return Plan {
            parts,
            credit: 0,
            fit: Fit::Fee(shortfall),
        };
    }
    let mut left = amount;
    let mut parts = Vec::new();
    for (invoice, o) in owed {
        if left == 0 {
            break;
        }
        let cash = left.min(o);
        left -= cash;
        parts.push(Part {
            invoice,
            cash,
            fee: 0,
            remaining: o - cash,
        });
    }
    Plan {
        parts,
        credit: 0,
        fit: Fit::Partial(shortfall),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owed(t: u32) -> i64 {
        [100_00, 250_00, 80_00][t as usize]
    }

    #[test]
    fn exact_amount_pays_every_invoice_in_full() {
        let p = settle(430_00, &[0, 1, 2], owed, 5_00);
        assert_eq!(p.fit, Fit::Exact);
        assert!(p.parts.iter().all(|x| x.remaining == 0 && x.fee == 0));
    }

    #[test]
    fn a_small_shortfall_is_written_off_as_a_fee() {
        let p = settle(429_65, &[0, 1, 2], owed, 5_00);
        assert_eq!(p.fit, Fit::Fee(35));
        assert_eq!(p.parts[2].fee, 35);
        assert_eq!(p.parts[2].cash, 79_65);
    }

    #[test]
    fn an_instalment_pays_the_oldest_first() {
        let p = settle(150_00, &[0, 1, 2], owed, 5_00);
        assert_eq!(p.fit, Fit::Partial(280_00));
        assert_eq!(p.parts.len(), 2);
        assert_eq!(p.parts[1].remaining, 200_00);
    }

    #[test]
    fn an_excess_becomes_credit() {
        let p = settle(120_00, &[0], owed, 5_00);
        assert_eq!(p.fit, Fit::Over(20_00));
        assert_eq!(p.credit, 20_00);
    }
}
