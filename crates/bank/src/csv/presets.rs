//! Column mappings for the CSV exports of common French and Swiss banks.
//!
//! The column names below come from public descriptions of these exports and from
//! importers others wrote for them, not from files we received from the banks: **treat them
//! as assumptions to verify** against a real export; banks rename columns from time to time.
//! Each preset accepts the header names of its export languages.
//!
//! | preset | assumed header (in order where it matters) |
//! |---|---|
//! | [`qonto`] | English: `Status, Settlement date (UTC), Operation date (UTC), Total amount (incl. VAT), Currency, Counterparty name, Payment method, Transaction ID, IBAN, Reference, Category…`; French: `Statut; Date de la valeur (UTC); Date de l'opération (UTC); Montant total (TTC); Débit; Crédit; Solde; Devise; Nom de la contrepartie; IBAN de la contrepartie; Méthode de paiement; Identifiant de transaction; Référence…`. Signed amount; declined/cancelled rows skipped; the `IBAN` column of the English export is left alone (it may be the Qonto account's). |
//! | [`postfinance`] | A preamble (`Datum von:`, `Konto:`…), then `Buchungsdatum; Avisierungstext; Gutschrift in CHF; Lastschrift in CHF; Valuta; Saldo in CHF` (older) or `Datum; Bewegungstyp; Avisierungstext; Gutschrift in CHF; Lastschrift in CHF; Label; Kategorie` (2023+), French `Date; Type de transaction; Texte de notification; Crédit en CHF; Débit en CHF…`, dates `dd.mm.yyyy`, dot decimals, then a blank line and a disclaimer. CHF accounts only (the header names the currency); for a EUR account give a mapping. |
//! | [`ubs`] | `Valuation date; Banking relationship; Portfolio; Product; IBAN; Ccy.; Date from; Date to; Description; Trade date; Booking date; Value date; Description 1; Description 2; Description 3; Transaction no.; …; Individual amount; Debit; Credit; Balance` (German: `Buchungsdatum; Valuta; Beschreibung 1…3; Transaktions-Nr.; Belastung; Gutschrift; Whrg.`), dates `dd.mm.yyyy`, amounts like `1'234.50`. `Description 1` is taken as the counterparty, 2 and 3 as remittance. |

use encaisse_core::Currency;

use super::{AmountColumns, Column, CsvMapping, DecimalSeparator};

/// Qonto (France) transaction export, English or French.
pub fn qonto() -> CsvMapping {
    let mut m = CsvMapping::new(
        "Qonto",
        Column::any_of(&[
            "Settlement date (UTC)",
            "Settlement date (local)",
            "Date de la valeur (UTC)",
            "Date de la valeur (local)",
            "Date de règlement (UTC)",
        ]),
        AmountColumns::Signed(Column::any_of(&[
            "Total amount (incl. VAT)",
            "Montant total (TTC)",
        ])),
    );
    m.value_date = None;
    m.currency = Some(Column::any_of(&["Currency", "Devise"]));
    m.default_currency = Some(Currency::EUR);
    m.counterparty_name = Some(Column::any_of(&[
        "Counterparty name",
        "Nom de la contrepartie",
    ]));
    m.counterparty_iban = Some(Column::any_of(&[
        "Counterparty IBAN",
        "IBAN de la contrepartie",
    ]));
    m.reference = Some(Column::any_of(&[
        "Transaction ID",
        "Identifiant de transaction",
        "ID de transaction",
    ]));
    m.remittance = vec![Column::any_of(&["Reference", "Référence"])];
    m.status = Some(Column::any_of(&["Status", "Statut"]));
    m.transaction_code = Some(Column::any_of(&["Payment method", "Méthode de paiement"]));
    m
}

/// PostFinance (Switzerland) e-finance movement export of a CHF account, German or French.
pub fn postfinance() -> CsvMapping {
    let mut m = CsvMapping::new(
        "PostFinance",
        Column::any_of(&["Buchungsdatum", "Datum", "Date de comptabilisation", "Date"]),
        AmountColumns::DebitCredit {
            debit: Column::any_of(&["Lastschrift in CHF", "Débit en CHF", "Addebito in CHF"]),
            credit: Column::any_of(&["Gutschrift in CHF", "Crédit en CHF", "Accredito in CHF"]),
        },
    );
    m.value_date = Some(Column::any_of(&["Valuta", "Valeur", "Date de valeur"]));
    m.default_currency = Some(Currency::CHF);
    m.remittance = vec![Column::any_of(&[
        "Avisierungstext",
        "Texte de notification",
        "Testo di avviso",
    ])];
    m.transaction_code = Some(Column::any_of(&["Bewegungstyp", "Type de transaction"]));
    m.decimal_separator = DecimalSeparator::Dot;
    m
}

/// UBS (Switzerland) e-banking account movement export, English or German.
pub fn ubs() -> CsvMapping {
    let mut m = CsvMapping::new(
        "UBS",
        Column::any_of(&["Booking date", "Buchungsdatum", "Date de comptabilisation"]),
        AmountColumns::DebitCredit {
            debit: Column::any_of(&["Debit", "Belastung", "Débit"]),
            credit: Column::any_of(&["Credit", "Gutschrift", "Crédit"]),
        },
    );
    m.value_date = Some(Column::any_of(&["Value date", "Valuta", "Date de valeur"]));
    m.currency = Some(Column::any_of(&["Ccy.", "Whrg.", "Monn."]));
    m.default_currency = Some(Currency::CHF);
    m.account_iban = Some(Column::named("IBAN"));
    m.counterparty_name = Some(Column::any_of(&["Description 1", "Beschreibung 1"]));
    m.remittance = vec![
        Column::any_of(&["Description 2", "Beschreibung 2"]),
        Column::any_of(&["Description 3", "Beschreibung 3"]),
    ];
    m.reference = Some(Column::any_of(&[
        "Transaction no.",
        "Transaktions-Nr.",
        "N° de transaction",
    ]));
    m.decimal_separator = DecimalSeparator::Dot;
    m
}

/// Every preset, most specific header first (used to recognise an export).
pub fn all() -> Vec<CsvMapping> {
    vec![qonto(), ubs(), postfinance()]
}
