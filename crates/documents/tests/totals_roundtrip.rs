//! Property: whatever the lines, the totals written in the CII (BT-106, BT-109, BT-110,
//! BT-112, BT-115, each BT-131 and BG-23) are exactly the core `Totals`, and the UBL says the
//! same.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
mod xml_reading;

use encaisse_core::invoice::UnitCode;
use encaisse_core::vat::{VatCategory, VatRate};
use encaisse_documents::{DocumentInput, cii, ubl};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::str::FromStr;
use support::*;
use xml_reading::{all, one};

const SUM: &str = "ram:SpecifiedTradeSettlementHeaderMonetarySummation/";

fn arb_rate() -> impl Strategy<Value = VatRate> {
    prop_oneof![
        Just(s(Decimal::from(20))),
        Just(s(Decimal::from(10))),
        Just(s(Decimal::new(55, 1))),
        Just(s(Decimal::new(21, 1))),
    ]
}

fn arb_line() -> impl Strategy<Value = (Decimal, Decimal, Decimal, VatRate)> {
    (1i64..100_000, 0i64..5_000_000, 0i64..=100, arb_rate())
        .prop_map(|(q, p, d, r)| (Decimal::new(q, 2), Decimal::new(p, 4), Decimal::from(d), r))
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn totals_written_are_the_core_totals(
        lines in proptest::collection::vec(arb_line(), 1..25),
        reverse_charge in any::<bool>(),
    ) {
        let org = OrgBuilder::french().build();
        let client = if reverse_charge { ClientBuilder::german(&org).build() } else { ClientBuilder::french(&org).build() };
        let mut b = InvoiceBuilder::new(&org, &client, "F-2026-09999").buyer_reference("REF").rf_reference();
        for (i, (q, p, d, r)) in lines.iter().enumerate() {
            let rate = if reverse_charge && i % 2 == 0 { VatRate::zero(VatCategory::ReverseCharge).unwrap() } else { *r };
            b = b.discounted_line(&format!("Ligne {i}"), *q, UnitCode::hour(), *p, *d, rate);
        }
        let invoice = b.build();
        let totals = invoice.totals().unwrap();
        let input = DocumentInput::new(&org, &client, &invoice, &totals, Default::default()).unwrap();
        let xml = cii::to_xml(&input).unwrap();

        prop_assert_eq!(dec(&one(&xml, &format!("{SUM}ram:LineTotalAmount"))), totals.line_total.amount());
        prop_assert_eq!(dec(&one(&xml, &format!("{SUM}ram:TaxBasisTotalAmount"))), totals.tax_exclusive.amount());
        prop_assert_eq!(dec(&one(&xml, &format!("{SUM}ram:TaxTotalAmount"))), totals.vat_total.amount());
        prop_assert_eq!(dec(&one(&xml, &format!("{SUM}ram:GrandTotalAmount"))), totals.tax_inclusive.amount());
        prop_assert_eq!(dec(&one(&xml, &format!("{SUM}ram:DuePayableAmount"))), totals.due.amount());

        // BR-CO-10: BT-106 = Σ BT-131, read from the XML itself.
        let nets: Vec<Decimal> = all(&xml, "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount").iter().map(|s| dec(s)).collect();
        prop_assert_eq!(nets.len(), lines.len());
        prop_assert_eq!(nets.iter().sum::<Decimal>(), totals.line_total.amount());
        // BR-CO-14: BT-110 = Σ BT-117; one BG-23 per rate with the core's figures.
        let taxes: Vec<Decimal> = all(&xml, "ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CalculatedAmount").iter().map(|s| dec(s)).collect();
        let expected: Vec<Decimal> = totals.breakdown.iter().map(|b| b.tax.amount()).collect();
        prop_assert_eq!(&taxes, &expected);
        prop_assert_eq!(taxes.iter().sum::<Decimal>(), totals.vat_total.amount());

        let u = ubl::to_xml(&input).unwrap();
        prop_assert_eq!(dec(&one(&u, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount")), totals.tax_inclusive.amount());
        prop_assert_eq!(dec(&one(&u, "cac:LegalMonetaryTotal/cbc:PayableAmount")), totals.due.amount());
        prop_assert_eq!(dec(&one(&u, "Invoice/cac:TaxTotal/cbc:TaxAmount")), totals.vat_total.amount());
    }
}
