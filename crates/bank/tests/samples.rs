//! Every public sample under `shared/samples/{camt,mt940,ofx}`, parsed and checked against
//! values read by hand from the file. Several samples are synthetic (their balances do not
//! add up, amounts mix currencies): the assertions state what the file says, not what a
//! bank would send.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{d, date, money, samples_dir, statements_of};
use encaisse_bank::{Format, TransactionStatus, detect_format};
use encaisse_core::Currency;

#[test]
fn every_sample_file_is_covered_by_a_test() {
    // Adding a sample without a test below must fail here.
    let covered = [
        "camt/camt052.001.08_genkgo.xml",
        "camt/camt053.001.02_genkgo_multi.statement.xml",
        "camt/camt053.001.02_oca_nl.xml",
        "camt/camt053.001.04_genkgo.xml",
        "camt/camt053.001.04_oca_ch_batch_XSD-INVALID-anonymised-country.xml",
        "camt/camt053.001.08_genkgo.xml",
        "camt/camt054.001.04_oca_sps.xml",
        "camt/camt054.001.08_genkgo.xml",
        "mt940/oca_test-ing.940",
        "mt940/oca_test-rabo.swi",
        "ofx/oca_test_ofx_iban.ofx",
    ];
    let mut found = Vec::new();
    for dir in ["camt", "mt940", "ofx"] {
        for entry in std::fs::read_dir(samples_dir().join(dir)).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            found.push(format!("{dir}/{name}"));
        }
    }
    found.sort();
    let mut expected: Vec<String> = covered.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(found, expected);
}

#[test]
fn camt053_v02_nl_batch_direct_debit_return_and_credit() {
    let file = "camt/camt053.001.02_oca_nl.xml";
    assert_eq!(detect_format(&common::sample(file)), Some(Format::Camt053));
    let s = statements_of(file);
    assert_eq!(s.len(), 1);
    let st = &s[0];
    assert_eq!(st.format, Format::Camt053);
    assert_eq!(st.statement_id.as_deref(), Some("1234Test/1"));
    assert_eq!(
        st.account_iban.as_ref().unwrap().as_str(),
        "NL77ABNA0574908765"
    );
    assert_eq!(st.currency, Currency::EUR);
    let opening = st.opening_balance.unwrap();
    assert_eq!(
        (opening.amount.amount(), opening.date),
        (d("15568.27"), date("2014-01-05"))
    );
    assert_eq!(st.closing_balance.unwrap().amount.amount(), d("15121.12"));

    // 3 entries; the second is a batch of 2 details → 4 transactions.
    let txs = &st.transactions;
    assert_eq!(txs.len(), 4);
    let first = &txs[0];
    assert_eq!(money(first), "-754.25 EUR");
    assert_eq!(
        first.counterparty_name.as_deref(),
        Some("INSURANCE COMPANY TESTX")
    );
    // NL46ABNA0499998748 has wrong check digits in this sample: kept raw, not as an IBAN.
    assert_eq!(
        first.counterparty_account.as_deref(),
        Some("NL46ABNA0499998748")
    );
    assert!(first.counterparty_iban.is_none());
    assert_eq!(
        first.remittance_unstructured.as_deref(),
        Some("Insurance policy 857239PERIOD 01.01.2014 - 31.12.2014")
    );
    assert_eq!(
        first.end_to_end_id.as_deref(),
        Some("435005714488-ABNO33052620")
    );
    assert_eq!(
        first.bank_transaction_code.as_deref(),
        Some("PMNT/RDDT/ESDD")
    );
    assert_eq!(first.booking_date, date("2014-01-05"));
    // No AcctSvcrRef nor NtryRef anywhere in this file.
    assert!(txs.iter().all(|t| t.bank_reference.is_empty()));

    // The batch: each detail with its own AmtDtls/TxAmt amount, signed by the entry (DBIT).
    assert_eq!(money(&txs[1]), "-564.05 EUR");
    assert_eq!(money(&txs[2]), "-100.00 EUR");
    assert!(txs[1].is_reversal && txs[2].is_reversal);
    assert_eq!(
        txs[2].end_to_end_id.as_deref(),
        Some("TESTBANK/NL/20141229/01206407")
    );

    let last = &txs[3];
    assert_eq!(money(last), "1405.31 EUR");
    assert!(last.is_credit());
    assert_eq!(last.counterparty_name.as_deref(), Some("3rd party Media"));
    assert_eq!(
        last.counterparty_iban.as_ref().unwrap().as_str(),
        "NL69ABNA0522123643"
    );
    assert_eq!(
        last.additional_info.as_deref(),
        Some("#RD PARTY MEDIA CUSNO 90782 4210773")
    );
    let keys: std::collections::HashSet<_> = txs.iter().map(|t| &t.dedup_key).collect();
    assert_eq!(keys.len(), 4, "four movements, four keys");
}

#[test]
fn camt053_v02_two_statements_in_one_message() {
    let s = statements_of("camt/camt053.001.02_genkgo_multi.statement.xml");
    assert_eq!(s.len(), 2);
    assert_eq!(
        s[0].statement_id.as_deref(),
        Some("253EURNL26VAYB8060476890")
    );
    assert_eq!(
        s[1].statement_id.as_deref(),
        Some("254EURNL26VAYB8060476890")
    );
    for st in &s {
        assert_eq!(
            st.account_iban.as_ref().unwrap().as_str(),
            "NL26VAYB8060476890"
        );
        assert_eq!(st.currency, Currency::EUR);
        assert_eq!(st.transactions.len(), 1);
    }
    assert_eq!(s[0].opening_balance.unwrap().amount.amount(), d("18.15"));
    assert_eq!(s[0].closing_balance.unwrap().amount.amount(), d("27.00"));
    assert_eq!(s[1].opening_balance.unwrap().amount.amount(), d("27.00"));
    assert_eq!(s[1].closing_balance.unwrap().amount.amount(), d("20.00"));

    let credit = &s[0].transactions[0];
    assert_eq!(money(credit), "8.85 EUR");
    assert_eq!(credit.booking_date, date("2014-12-31"));
    assert_eq!(credit.value_date, Some(date("2015-01-02")));
    assert_eq!(credit.bank_transaction_code.as_deref(), Some("544"));
    assert_eq!(credit.end_to_end_id.as_deref(), Some("000000001"));
    assert_eq!(
        credit.remittance_unstructured.as_deref(),
        Some("Transaction Description 1")
    );
    // The file names only a creditor for this credit (that is: us); no debtor is given.
    assert_eq!(credit.counterparty_name, None);

    let debit = &s[1].transactions[0];
    assert_eq!(money(debit), "-7.00 EUR");
    assert_eq!(debit.counterparty_name.as_deref(), Some("Company Name 2"));
    assert_eq!(
        debit.counterparty_iban.as_ref().unwrap().as_str(),
        "NL56AGDH9619008421"
    );
}

#[test]
fn camt053_v04_single_detail_takes_the_entry_amount_and_scor_reference() {
    let s = statements_of("camt/camt053.001.04_genkgo.xml");
    assert_eq!(s.len(), 1);
    let st = &s[0];
    // Account given as Othr/Id, which happens to be a valid IBAN.
    assert_eq!(st.account_id, "NL26VAYB8060476890");
    assert_eq!(
        st.account_iban.as_ref().unwrap().as_str(),
        "NL26VAYB8060476890"
    );
    // No Acct/Ccy: the first balance's currency.
    assert_eq!(st.currency, Currency::EUR);
    assert_eq!(st.opening_balance.unwrap().amount.to_string(), "18.15 EUR");
    // The sample's CLBD is a debit balance in SEK: taken as written.
    assert_eq!(st.closing_balance.unwrap().amount.to_string(), "-27.00 SEK");
    assert_eq!(st.transactions.len(), 1);
    let tx = &st.transactions[0];
    // TxDtls/Amt says "SEK 0": the single detail takes the booked entry amount.
    assert_eq!(money(tx), "8.85 EUR");
    assert_eq!(tx.bank_reference, "AAAASESS-FP-CN_98765/01");
    assert_eq!(tx.counterparty_name.as_deref(), Some("NAME NAME"));
    assert_eq!(tx.structured_reference.as_deref(), Some("4654654654654654"));
    assert_eq!(tx.bank_transaction_code.as_deref(), Some("PAYM/0001/0005"));
    assert_eq!(tx.status, TransactionStatus::Booked);
}

#[test]
fn camt053_v08_status_code_party_wrapper_and_datetime_booking() {
    let s = statements_of("camt/camt053.001.08_genkgo.xml");
    let st = &s[0];
    assert_eq!(st.transactions.len(), 1);
    let tx = &st.transactions[0];
    assert_eq!(tx.status, TransactionStatus::Booked); // <Sts><Cd>BOOK</Cd></Sts>
    assert_eq!(tx.booking_date, date("2014-12-31")); // BookgDt/DtTm
    assert_eq!(money(tx), "8.85 EUR");
    assert_eq!(tx.counterparty_name.as_deref(), Some("NAME NAME")); // Dbtr/Pty/Nm
    assert_eq!(tx.end_to_end_id.as_deref(), Some("MUELL/FINP/RA12345"));
    assert_eq!(tx.structured_reference.as_deref(), Some("4654654654654654"));
    assert_eq!(tx.bank_transaction_code.as_deref(), Some("PMNT/RCDT/BOOK"));
    assert_eq!(tx.bank_reference, "AAAASESS-FP-CN_98765/01");
}

#[test]
fn camt053_v04_swiss_batch_gives_one_transaction_per_detail() {
    // XSD-invalid only because the country codes were anonymised (CH1, CH2).
    let s = statements_of("camt/camt053.001.04_oca_ch_batch_XSD-INVALID-anonymised-country.xml");
    assert_eq!(s.len(), 1);
    let st = &s[0];
    assert_eq!(st.currency, Currency::CHF);
    // The anonymised account CH1111000000123456789 fails the IBAN check: raw id only.
    assert_eq!(st.account_id, "CH1111000000123456789");
    assert!(st.account_iban.is_none());
    assert_eq!(
        st.opening_balance.unwrap().amount.to_string(),
        "75960.15 CHF"
    );
    assert_eq!(st.opening_balance.unwrap().date, date("2017-03-22"));
    assert_eq!(
        st.closing_balance.unwrap().amount.to_string(),
        "79443.15 CHF"
    );

    let txs = &st.transactions;
    assert_eq!(txs.len(), 2, "one Ntry of 3483.00 with two TxDtls");
    assert_eq!(money(&txs[0]), "2187.00 CHF");
    assert_eq!(money(&txs[1]), "1296.00 CHF");
    let sum = txs[0].amount.checked_add(&txs[1].amount).unwrap();
    assert_eq!(sum.amount(), d("3483.00"));
    for tx in txs {
        // Both details carry the package id as their own AcctSvcrRef.
        assert_eq!(tx.bank_reference, "123456CHCAFEBABE");
        assert_eq!(
            tx.counterparty_name.as_deref(),
            Some("Banque Cantonale Vaudoise")
        );
        assert_eq!(tx.booking_date, date("2017-03-22"));
        assert_eq!(tx.value_date, Some(date("2017-03-23")));
        assert_eq!(tx.bank_transaction_code.as_deref(), Some("PMNT/RCDT/AUTT"));
        assert!(
            tx.additional_info
                .as_deref()
                .unwrap()
                .starts_with("CRÉDIT GROUPÉ BVR TRAITEMENT DU 22.03.2017")
        );
    }
    assert_eq!(
        txs[0].structured_reference.as_deref(),
        Some("302388292000011111111111111")
    );
    assert_eq!(
        txs[1].structured_reference.as_deref(),
        Some("302388292000022222222222222")
    );
    assert_eq!(
        txs[0].counterparty_account.as_deref(),
        Some("CH2222000000123456789")
    );
    // Same bank reference, different payments: the keys differ.
    assert_ne!(txs[0].dedup_key, txs[1].dedup_key);
}

#[test]
fn camt054_v04_sps_notification_with_qrr() {
    let file = "camt/camt054.001.04_oca_sps.xml";
    assert_eq!(detect_format(&common::sample(file)), Some(Format::Camt054));
    let s = statements_of(file);
    assert_eq!(s.len(), 1);
    let st = &s[0];
    assert_eq!(st.format, Format::Camt054);
    assert_eq!(
        st.account_iban.as_ref().unwrap().as_str(),
        "NL77ABNA0574908765"
    );
    assert_eq!(st.currency, Currency::EUR);
    assert!(st.opening_balance.is_none() && st.closing_balance.is_none());
    let tx = &st.transactions[0];
    assert_eq!(st.transactions.len(), 1);
    assert_eq!(money(tx), "5.00 EUR");
    assert_eq!(tx.bank_reference, "15180015077602405"); // TxDtls/Refs/AcctSvcrRef
    assert_eq!(tx.end_to_end_id.as_deref(), Some("ENDTOENDID-01"));
    assert_eq!(tx.counterparty_name.as_deref(), Some("Test Customer"));
    assert_eq!(
        tx.structured_reference.as_deref(),
        Some("000000000000000000000000003")
    );
    // …whose check digit is wrong (26 zeros give check digit 0): not a valid QRR.
    assert_eq!(tx.payment_reference(), None);
    assert_eq!(tx.additional_info.as_deref(), Some("Additional entry info"));
}

#[test]
fn camt054_v08_batch_of_three_with_entry_reference_suffixes() {
    let s = statements_of("camt/camt054.001.08_genkgo.xml");
    let st = &s[0];
    assert_eq!(
        st.account_iban.as_ref().unwrap().as_str(),
        "CH2801234000123456789"
    );
    // No Acct/Ccy, no balance: the entry's currency.
    assert_eq!(st.currency.code(), "SEK");
    let txs = &st.transactions;
    assert_eq!(txs.len(), 3);
    // The details have no AcctSvcrRef: the entry's, suffixed by position.
    let refs: Vec<&str> = txs.iter().map(|t| t.bank_reference.as_str()).collect();
    assert_eq!(
        refs,
        [
            "ACSR160617103200001-1",
            "ACSR160617103200001-2",
            "ACSR160617103200001-3"
        ]
    );
    // Each detail has its own amount and CdtDbtInd (CRDT, although the synthetic entry is DBIT).
    assert_eq!(money(&txs[0]), "3.10 CHF");
    assert_eq!(money(&txs[2]), "3.20 CHF");
    // The debtor's account is our own account: the counterparty is the creditor.
    assert_eq!(
        txs[0].counterparty_name.as_deref(),
        Some("Example Creditor 3 - V1")
    );
    assert_eq!(
        txs[0].counterparty_iban.as_ref().unwrap().as_str(),
        "CH4112345003131313131"
    );
    assert_eq!(
        txs[0].structured_reference.as_deref(),
        Some("ISR ref number V1")
    );
    // Several Ustrd are concatenated; the first Strd reference is kept.
    assert_eq!(
        txs[2].remittance_unstructured.as_deref(),
        Some(
            "Unstructured Remittance Information V3 block 1 Unstructured Remittance Information V3 block 2"
        )
    );
    assert_eq!(
        txs[2].structured_reference.as_deref(),
        Some("Ref number V3 block 1")
    );
    assert_eq!(txs[1].remittance_unstructured, None);
    assert_eq!(
        txs[0].bank_transaction_code.as_deref(),
        Some("PMNT/ICDT/DMCT")
    );
}

#[test]
fn camt052_v08_report_entry_without_details() {
    let file = "camt/camt052.001.08_genkgo.xml";
    assert_eq!(detect_format(&common::sample(file)), Some(Format::Camt052));
    let s = statements_of(file);
    assert_eq!(s.len(), 1);
    let st = &s[0];
    assert_eq!(st.format, Format::Camt052);
    assert_eq!(st.account_id, "CH2801234000123456789"); // Acct/Id/Othr/Id
    assert_eq!(st.currency.code(), "SEK");
    assert_eq!(st.transactions.len(), 1);
    let tx = &st.transactions[0];
    assert_eq!(tx.amount.amount(), d("-200000"));
    assert_eq!(tx.status, TransactionStatus::Booked);
    assert_eq!(tx.booking_date, date("2007-10-18"));
    assert_eq!(tx.bank_reference, "AAAASESS-FP-ACCR-01");
    assert_eq!(tx.additional_info.as_deref(), Some("Credit"));
    assert_eq!(tx.counterparty_name, None);
}

#[test]
fn mt940_ing_structured_86_and_balances() {
    let file = "mt940/oca_test-ing.940";
    assert_eq!(detect_format(&common::sample(file)), Some(Format::Mt940));
    let s = statements_of(file);
    assert_eq!(s.len(), 1);
    let st = &s[0];
    assert_eq!(st.statement_id.as_deref(), Some("P140220000000001"));
    // `:25:NL77INGB0574908765EUR`: currency suffix removed; the sample IBAN fails its check.
    assert_eq!(st.account_id, "NL77INGB0574908765");
    assert!(st.account_iban.is_none());
    assert_eq!(st.currency, Currency::EUR);
    let opening = st.opening_balance.unwrap();
    assert_eq!(
        (opening.amount.amount(), opening.date),
        (d("662.23"), date("2014-02-19"))
    );
    let closing = st.closing_balance.unwrap();
    assert_eq!(
        (closing.amount.amount(), closing.date),
        (d("564.35"), date("2014-02-20"))
    );

    let txs = &st.transactions;
    assert_eq!(txs.len(), 8);
    // The movements add up to the balances (the file's own /SUM/ says 134,46 out, 36,58 in).
    let total = encaisse_core::Money::sum(Currency::EUR, txs.iter().map(|t| &t.amount)).unwrap();
    assert_eq!(opening.amount.checked_add(&total).unwrap(), closing.amount);

    let first = &txs[0];
    assert_eq!(money(first), "1.56 EUR");
    // SWIFT puts supplementary details on the second line; this sample wraps its bank
    // reference there ("005"), so the reference is what the first line holds.
    assert_eq!(first.bank_reference, "00000000001");
    assert_eq!(
        first.end_to_end_id.as_deref(),
        Some("EV12341REP1231456T1234")
    );
    assert_eq!(
        first.counterparty_name.as_deref(),
        Some("ING BANK NV INZAKE WEB")
    );
    assert_eq!(
        first.counterparty_iban.as_ref().unwrap().as_str(),
        "NL32INGB0000012345"
    );
    assert_eq!(
        first.remittance_unstructured.as_deref(),
        Some("EV10001REP1000000T1000")
    );
    assert_eq!(first.bank_transaction_code.as_deref(), Some("NTRF"));
    assert_eq!(first.booking_date, date("2014-02-20"));

    assert_eq!(money(&txs[1]), "-1.57 EUR");
    assert_eq!(txs[1].bank_reference, "00000000001006");
    assert_eq!(
        txs[1].remittance_unstructured.as_deref(),
        Some("TOTAAL 1 VZ")
    );

    // `:86:` wrapped mid-keyword and around a lone "-" line is glued back.
    assert_eq!(money(&txs[5]), "-12.75 EUR");
    assert_eq!(
        txs[5].remittance_unstructured.as_deref(),
        Some("CONTRIBUTIE FEB 2014")
    );
    assert_eq!(txs[5].counterparty_name.as_deref(), Some("J.Janssen"));
    assert_eq!(
        txs[3].counterparty_name.as_deref(),
        Some("ING Bank N.V. inzake WeB")
    );

    let structured = &txs[6];
    assert_eq!(money(structured), "32.00 EUR");
    assert_eq!(
        structured.structured_reference.as_deref(),
        Some("9001123412341234")
    );
    assert_eq!(structured.bank_reference, "00000000001011");

    let last = &txs[7];
    assert_eq!(money(last), "-119.00 EUR");
    assert_eq!(last.bank_reference, "00000000001012");
    assert_eq!(
        last.structured_reference.as_deref(),
        Some("1070123412341234")
    );
}

#[test]
fn mt940_rabobank_four_statements_and_name_subfields() {
    let s = statements_of("mt940/oca_test-rabo.swi");
    assert_eq!(s.len(), 4);
    let ids: Vec<_> = s
        .iter()
        .map(|st| st.statement_id.clone().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["940S140102", "940S140103", "940S140106", "940S140107"]
    );
    let counts: Vec<_> = s.iter().map(|st| st.transactions.len()).collect();
    assert_eq!(counts, [1, 0, 1, 0]);
    assert_eq!(
        s[0].account_iban.as_ref().unwrap().as_str(),
        "NL34RABO0142623393"
    );
    assert_eq!(s[0].opening_balance.unwrap().amount.amount(), d("4433.52"));
    assert_eq!(s[0].closing_balance.unwrap().amount.amount(), d("4833.52"));
    assert_eq!(s[3].closing_balance.unwrap().amount.amount(), d("4798.91"));

    let credit = &s[0].transactions[0];
    assert_eq!(money(credit), "400.00 EUR");
    assert_eq!(credit.booking_date, date("2014-01-02"));
    assert_eq!(
        credit.bank_reference, "",
        "customer reference NONREF means none"
    );
    assert_eq!(credit.counterparty_name.as_deref(), Some("R. SMITH"));
    // The counterparty account is alone on the second line of :61:.
    assert_eq!(
        credit.counterparty_iban.as_ref().unwrap().as_str(),
        "NL66RABO0160878799"
    );
    assert_eq!(
        credit.remittance_unstructured.as_deref(),
        Some("Test money paid by other partner:")
    );
    assert_eq!(credit.bank_transaction_code.as_deref(), Some("N541"));

    let fee = &s[2].transactions[0];
    assert_eq!(money(fee), "-34.61 EUR");
    assert_eq!(fee.booking_date, date("2014-01-01"));
    assert_eq!(fee.counterparty_name.as_deref(), Some("Kosten"));
    assert_eq!(
        fee.remittance_unstructured.as_deref(),
        Some("Periode 01-10-2013 t/m 31-12-2013")
    );
}

#[test]
fn ofx2_bank_and_credit_card_statements_with_french_rib() {
    let file = "ofx/oca_test_ofx_iban.ofx";
    assert_eq!(detect_format(&common::sample(file)), Some(Format::Ofx));
    let s = statements_of(file);
    assert_eq!(s.len(), 2, "one bank statement, one credit-card statement");
    let bank = &s[0];
    assert_eq!(bank.currency.code(), "USD");
    assert_eq!(bank.account_id, "12345678901");
    // BANKID 30001 + BRANCHID 00794 + ACCTID 12345678901 is a French RIB (key 85).
    assert_eq!(
        bank.account_iban.as_ref().unwrap().as_str(),
        "FR7630001007941234567890185"
    );
    let closing = bank.closing_balance.unwrap();
    assert_eq!(
        (closing.amount.amount(), closing.date),
        (d("2156.56"), date("2013-08-31"))
    );
    // Four BANKTRANLISTs of one STMTTRN each.
    let txs = &bank.transactions;
    assert_eq!(txs.len(), 4);
    assert_eq!(money(&txs[0]), "-80.00 USD");
    assert_eq!(txs[0].bank_reference, "219378");
    assert_eq!(txs[0].counterparty_name.as_deref(), Some("Agrolait"));
    assert_eq!(txs[0].booking_date, date("2013-08-24"));
    assert_eq!(txs[0].bank_transaction_code.as_deref(), Some("POS"));
    assert_eq!(money(&txs[3]), "-90.00 USD");
    assert_eq!(txs[3].bank_reference, "219381");
    assert_eq!(txs[3].counterparty_name.as_deref(), Some("China Scuba"));
    // Same amount, date and account as txs[1]: only the FITID tells them apart.
    assert_eq!(txs[1].amount, txs[3].amount);
    assert_ne!(txs[1].dedup_key, txs[3].dedup_key);

    let card = &s[1];
    assert_eq!(card.account_id, "123412341234");
    assert!(card.account_iban.is_none());
    assert!(card.transactions.is_empty());
    assert_eq!(card.closing_balance.unwrap().amount.amount(), d("-562.00"));
}
