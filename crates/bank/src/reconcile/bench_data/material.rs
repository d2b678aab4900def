//! The raw material of generated data: a seeded random source, company names of France,
//! Switzerland and Germany, IBANs with valid check digits, and the ways people write an
//! invoice number in a transfer.

/// SplitMix64: small, fast, and the same sequence on every platform for a seed.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// Uniform in `low..=high`.
    pub(crate) fn between(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next_u64() % (high - low + 1).max(1) as u64) as i64
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Where a client is: decides names, currency and IBAN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Country {
    France,
    Switzerland,
    Germany,
}

const FR_SURNAMES: &[&str] = &[
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Gérard",
    "Chevalier",
    "Perrin",
    "Gauthier",
    "Clément",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Henry",
    "Roussel",
    "Lemaître",
    "Barbier",
    "Brun",
    "Noël",
    "Caron",
];
const CH_SURNAMES: &[&str] = &[
    "Müller",
    "Meier",
    "Schmid",
    "Keller",
    "Weber",
    "Huber",
    "Steiner",
    "Fischer",
    "Gerber",
    "Brunner",
    "Baumann",
    "Frei",
    "Zimmermann",
    "Moser",
    "Widmer",
    "Wyss",
    "Graf",
    "Bühler",
    "Rochat",
    "Favre",
    "Bonvin",
    "Rey",
    "Pittet",
    "Jaquier",
    "Chappuis",
    "Cuénod",
];
const DE_SURNAMES: &[&str] = &[
    "Schneider",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Braun",
    "Köhler",
    "Krüger",
    "Hofmann",
    "Lange",
    "Werner",
    "Krause",
    "Lehmann",
    "Schmitt",
    "Weiß",
];
const FR_TRADES: &[&str] = &[
    "Conseil",
    "Boulangerie",
    "Transports",
    "Menuiserie",
    "Électricité",
    "Plomberie",
    "Architecture",
    "Informatique",
    "Imprimerie",
    "Traiteur",
    "Paysages",
    "Bâtiment",
    "Ingénierie",
    "Distribution",
    "Garage",
    "Cabinet",
    "Studio",
    "Atelier",
    "Éditions",
    "Logistique",
    "Rénovation",
    "Communication",
];
const DE_TRADES: &[&str] = &[
    "Treuhand",
    "Bau",
    "Informatik",
    "Transporte",
    "Elektro",
    "Sanitär",
    "Architektur",
    "Beratung",
    "Druckerei",
    "Gartenbau",
    "Maschinenbau",
    "Immobilien",
    "Logistik",
    "Bäckerei",
    "Schreinerei",
    "Metallbau",
    "Software",
    "Medien",
];
const PLACES: &[&str] = &[
    "du Vieux Moulin",
    "du Lac",
    "du Midi",
    "du Rhône",
    "du Mont-Blanc",
    "du Léman",
    "de la Côte",
    "des Alpes",
    "de l'Ouest",
    "Val-de-Loire",
];

/// A company name of that country, with its legal form.
pub(crate) fn company_name(rng: &mut Rng, country: Country) -> String {
    let (surnames, trades, forms): (&[&str], &[&str], &[&str]) = match country {
        Country::France => (
            FR_SURNAMES,
            FR_TRADES,
            &["SARL", "SAS", "SA", "EURL", "SASU"],
        ),
        Country::Switzerland if rng.chance(0.4) => (CH_SURNAMES, FR_TRADES, &["Sàrl", "SA"]),
        Country::Switzerland => (CH_SURNAMES, DE_TRADES, &["AG", "GmbH"]),
        Country::Germany => (
            DE_SURNAMES,
            DE_TRADES,
            &["GmbH", "AG", "KG", "GmbH & Co. KG"],
        ),
    };
    let surname = rng.pick(surnames);
    let trade = rng.pick(trades);
    let form = rng.pick(forms);
    match rng.below(10) {
        0..=3 => format!("{trade} {surname} {form}"),
        4..=5 => format!("{surname} {trade} {form}"),
        6 => format!("{surname} & Fils {form}"),
        7 => format!("{surname}-{} {trade} {form}", rng.pick(surnames)),
        8 if country == Country::France => {
            format!("Société d'Exploitation des Établissements {surname} et Associés {form}")
        }
        _ => format!("{trade} {} {form}", rng.pick(PLACES)),
    }
}

/// A holding or an accountant that pays for its clients.
pub(crate) fn payer_company_name(rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => format!("Groupe {} Holding SA", rng.pick(FR_SURNAMES)),
        1 => format!("Fiduciaire {} SA", rng.pick(CH_SURNAMES)),
        _ => format!("{} Beteiligungen GmbH", rng.pick(DE_SURNAMES)),
    }
}

/// How a bank shows the payer's name: as registered, in capitals without accents, with the
/// legal form first or dropped, or cut at 35 characters.
pub(crate) fn as_bank_shows(rng: &mut Rng, name: &str) -> String {
    let capitals = || {
        super::super::normalize::fold(name)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let shown = match rng.below(10) {
        0..=3 => name.to_owned(),
        4..=6 => capitals(),
        7 => {
            let mut words: Vec<&str> = name.split(' ').collect();
            let form = words.pop().unwrap_or_default();
            format!("{form} {}", words.join(" ")).to_uppercase()
        }
        _ => {
            let mut words: Vec<&str> = name.split(' ').collect();
            words.pop();
            words.join(" ")
        }
    };
    shown.chars().take(35).collect()
}

/// An IBAN of that country with valid check digits.
pub(crate) fn iban(rng: &mut Rng, country: Country) -> String {
    let (code, digits) = match country {
        Country::France => ("FR", 23),
        Country::Switzerland => ("CH", 17),
        Country::Germany => ("DE", 18),
    };
    let bban: String = (0..digits)
        .map(|_| char::from(b'0' + rng.below(10) as u8))
        .collect();
    let numeric = format!("{bban}{}{}00", letter_value(code, 0), letter_value(code, 1));
    let rem = numeric
        .bytes()
        .fold(0u32, |r, b| (r * 10 + u32::from(b - b'0')) % 97);
    format!("{code}{:02}{bban}", 98 - rem)
}

fn letter_value(code: &str, i: usize) -> u32 {
    u32::from(code.as_bytes()[i] - b'A') + 10
}

/// The invoice number `F-2026-00042` (prefix `F`, year, sequence) as a payer writes it:
/// `(text, is_sequence_only)`.
pub(crate) fn written_number(rng: &mut Rng, year: i32, seq: u32) -> (String, bool) {
    let y2 = year % 100;
    let text = match rng.below(20) {
        0..=4 => format!("F-{year}-{seq:05}"),
        5 => format!("f-{year}-{seq:05}"),
        6 => format!("F{year}-{seq:05}"),
        7 => format!("F {year} {seq:05}"),
        8 => format!("{year}-{seq:05}"),
        9 => format!("{year}/{seq:04}"),
        10 => format!("{year}{seq:05}"),
        11 => format!("F-{year}-{seq}"),
        12 => format!("F{year}{seq:05}"),
        13 => format!("FA {year}/{seq:05}"),
        14 => format!("Nr. {year}-{seq:05}"),
        15 => format!("F-{year}.{seq:05}"),
        16 => format!("{year} / {seq}"),
        17 if y2 > 0 => format!("F-{year}-{seq:05}"),
        _ => return (format!("{seq}"), true),
    };
    (text, false)
}

/// The words around an invoice number in a transfer.
pub(crate) fn number_phrase(rng: &mut Rng, number: &str, sequence_only: bool) -> String {
    if sequence_only {
        let marker = rng.pick(&["Facture", "Fact.", "Rechnung", "Facture n°", "Invoice"]);
        return format!("{marker} {number}");
    }
    let template = rng.pick(&[
        "{}",
        "Facture {}",
        "FACTURE {}",
        "Paiement facture {}",
        "Règlement fact. {}",
        "VIR SEPA {}",
        "Rechnung {}",
        "Zahlung Rechnung Nr. {}",
        "Invoice {} - thank you",
        "{} cmd 4471",
        "Facture {} du 12/03/2026",
        "/INV/{}",
    ]);
    template.replace("{}", number)
}

/// Replaces one character the way a hurried typist or an OCR would: `(text, look_alike)`.
pub(crate) fn with_typo(rng: &mut Rng, text: &str) -> (String, bool) {
    let mut chars: Vec<char> = text.chars().collect();
    let digits: Vec<usize> = (0..chars.len())
        .filter(|&i| chars[i].is_ascii_digit())
        .collect();
    if digits.len() < 5 {
        return (text.to_owned(), false);
    }
    let zeros: Vec<usize> = digits
        .iter()
        .copied()
        .filter(|&i| chars[i] == '0')
        .collect();
    match rng.below(4) {
        0 if !zeros.is_empty() => {
            let i = *rng.pick(&zeros);
            chars[i] = 'O';
            (chars.into_iter().collect(), true)
        }
        1 => {
            // A digit left out.
            let i = *rng.pick(&digits[digits.len() - 4..]);
            chars.remove(i);
            (chars.into_iter().collect(), false)
        }
        2 => {
            // Two neighbours swapped (different digits, or it is no typo).
            let tail = &digits[digits.len() - 4..];
            let k = rng.below(tail.len() - 1);
            let (a, b) = (tail[k], tail[k + 1]);
            if chars[a] == chars[b] || b != a + 1 {
                let i = tail[tail.len() - 1];
                chars[i] = if chars[i] == '9' { '8' } else { '9' };
            } else {
                chars.swap(a, b);
            }
            (chars.into_iter().collect(), false)
        }
        _ => {
            let i = *rng.pick(&digits[digits.len() - 4..]);
            let d = chars[i].to_digit(10).unwrap_or(0);
            chars[i] = char::from_digit((d + 1 + rng.below(8) as u32) % 10, 10).unwrap_or('0');
            (chars.into_iter().collect(), false)
        }
    }
}

/// Credits that pay no invoice: (payer, text).
pub(crate) const UNRELATED_CREDITS: &[(&str, &str)] = &[
    ("DGFIP", "REMBOURSEMENT CREDIT TVA 2026"),
    ("URSSAF ILE DE FRANCE", "REGULARISATION COTISATIONS"),
    ("STRIPE PAYMENTS EUROPE", "STRIPE PAYOUT PO-2026-0315"),
    ("PAYPAL EUROPE", "VIREMENT PAYPAL"),
    ("ALLIANZ IARD", "INDEMNISATION SINISTRE 2026-114"),
    ("BPIFRANCE", "SUBVENTION INNOVATION"),
    ("SUMUP LIMITED", "SUMUP PAYOUT"),
    ("M. JEAN DURAND", "APPORT COMPTE COURANT"),
    ("AMAZON PAYMENTS EUROPE", "MARKETPLACE SETTLEMENT"),
    ("SWISSCOM (SCHWEIZ) AG", "Gutschrift Rückvergütung"),
    ("", "VIREMENT INTERNE"),
];

/// Debits: (counterparty, text).
pub(crate) const DEBITS: &[(&str, &str)] = &[
    ("EDF", "PRLV SEPA EDF FACTURE 2026-00042"),
    ("ORANGE BUSINESS", "PRLV FACTURE 2026/0043"),
    ("LOYER SCI DU PARC", "LOYER MARS 2026"),
    ("URSSAF", "COTISATIONS"),
    ("DGFIP", "TVA FEVRIER 2026"),
    ("AMAZON EU", "CARTE 12/03 AMAZON"),
    ("SALAIRES", "VIREMENT SALAIRES MARS"),
];
