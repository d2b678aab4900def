//! What each finding says, in French, English and German: why it fired and how to fix it.

use super::{Finding, RuleId};
use crate::language::Language;
use crate::money::Money;

fn m(x: &Money) -> String {
    x.to_string()
}

fn pick(lang: Language, fr: String, en: String, de: String) -> String {
    match lang {
        Language::Fr => fr,
        Language::En => en,
        Language::De => de,
    }
}

pub(super) fn title(rule: RuleId, lang: Language) -> &'static str {
    use Language::*;
    use RuleId::*;
    match (rule, lang) {
        (BuyerIdentifiers, Fr) => "Identifiants de l'acheteur",
        (BuyerIdentifiers, En) => "Buyer identifiers",
        (BuyerIdentifiers, De) => "Kennungen des Käufers",
        (ReverseChargeVatId, Fr) => "Autoliquidation sans n° de TVA",
        (ReverseChargeVatId, En) => "Reverse charge without VAT number",
        (ReverseChargeVatId, De) => "Reverse Charge ohne USt-IdNr.",
        (AmountAbove, Fr) => "Montant au-dessus du seuil",
        (AmountAbove, En) => "Amount above threshold",
        (AmountAbove, De) => "Betrag über dem Schwellenwert",
        (UnusualAmount, Fr) => "Montant inhabituel pour ce client",
        (UnusualAmount, En) => "Unusual amount for this client",
        (UnusualAmount, De) => "Ungewöhnlicher Betrag für diesen Kunden",
        (DailyHours, Fr) => "Heures par jour et par personne",
        (DailyHours, En) => "Hours per person and day",
        (DailyHours, De) => "Stunden pro Person und Tag",
        (NonPositivePrice, Fr) => "Ligne à prix nul ou négatif",
        (NonPositivePrice, En) => "Line with zero or negative price",
        (NonPositivePrice, De) => "Position mit Nullpreis oder negativem Preis",
        (Duplicate, Fr) => "Doublon possible",
        (Duplicate, En) => "Possible duplicate",
        (Duplicate, De) => "Mögliches Duplikat",
        (DueDate, Fr) => "Échéance et conditions du client",
        (DueDate, En) => "Due date and client terms",
        (DueDate, De) => "Fälligkeit und Zahlungsbedingungen",
        (Currency, Fr) => "Devise du client",
        (Currency, En) => "Client currency",
        (Currency, De) => "Währung des Kunden",
        (PurchaseOrder, Fr) => "Bon de commande requis",
        (PurchaseOrder, En) => "Purchase order required",
        (PurchaseOrder, De) => "Bestellnummer erforderlich",
        (StaleTimeEntries, Fr) => "Temps saisis anciens",
        (StaleTimeEntries, En) => "Old time entries",
        (StaleTimeEntries, De) => "Alte Zeiteinträge",
    }
}

pub(super) fn why(f: &Finding, lang: Language) -> String {
    match f {
        Finding::MissingIdentifier {
            identifier,
            country,
        } => pick(
            lang,
            format!(
                "Le client ({country}) n'a pas de {identifier}, exigé pour la facturation électronique."
            ),
            format!("The client ({country}) has no {identifier}, required for e-invoicing."),
            format!(
                "Der Kunde ({country}) hat keine {identifier}, die für E-Rechnungen nötig ist."
            ),
        ),
        Finding::InconsistentIdentifier { identifier, detail } => pick(
            lang,
            format!(
                "Le {identifier} du client ne correspond pas à ses autres identifiants ({detail})."
            ),
            format!("The client's {identifier} does not match its other identifiers ({detail})."),
            format!(
                "Die {identifier} des Kunden passt nicht zu seinen anderen Kennungen ({detail})."
            ),
        ),
        Finding::ReverseChargeWithoutVatId { line } => pick(
            lang,
            format!(
                "La ligne {line} est en autoliquidation mais le client n'a pas de numéro de TVA intracommunautaire."
            ),
            format!("Line {line} is reverse-charged but the client has no VAT number."),
            format!("Position {line} ist Reverse Charge, aber der Kunde hat keine USt-IdNr."),
        ),
        Finding::AmountAbove { gross, threshold } => pick(
            lang,
            format!(
                "Le montant TTC {} dépasse le seuil de {}.",
                m(gross),
                m(threshold)
            ),
            format!(
                "The gross amount {} is above the threshold of {}.",
                m(gross),
                m(threshold)
            ),
            format!(
                "Der Bruttobetrag {} liegt über dem Schwellenwert von {}.",
                m(gross),
                m(threshold)
            ),
        ),
        Finding::UnusualAmount {
            gross,
            median,
            factor,
            count,
        } => pick(
            lang,
            format!(
                "{} représente plus de {factor} fois la médiane ({}) des {count} dernières factures de ce client.",
                m(gross),
                m(median)
            ),
            format!(
                "{} is more than {factor} times the median ({}) of this client's last {count} invoices.",
                m(gross),
                m(median)
            ),
            format!(
                "{} ist mehr als das {factor}-Fache des Medians ({}) der letzten {count} Rechnungen dieses Kunden.",
                m(gross),
                m(median)
            ),
        ),
        Finding::DailyHours {
            person,
            day,
            hours,
            cap,
        } => pick(
            lang,
            format!("{person} a {hours} h le {day}, au-delà du plafond de {cap} h par jour."),
            format!("{person} logged {hours} h on {day}, above the cap of {cap} h per day."),
            format!(
                "{person} hat am {day} {hours} h erfasst, mehr als die Obergrenze von {cap} h pro Tag."
            ),
        ),
        Finding::NonPositivePrice { line, description } => pick(
            lang,
            format!("La ligne {line} « {description} » a un prix ou une quantité nuls."),
            format!("Line {line} “{description}” has a zero price or quantity."),
            format!("Position {line} „{description}“ hat einen Preis oder eine Menge von null."),
        ),
        Finding::Duplicate { other, gross } => pick(
            lang,
            format!(
                "La facture {other} du même client, même période et même montant ({}) existe déjà.",
                m(gross)
            ),
            format!(
                "Invoice {other} has the same client, period and amount ({}).",
                m(gross)
            ),
            format!(
                "Rechnung {other} hat denselben Kunden, Zeitraum und Betrag ({}).",
                m(gross)
            ),
        ),
        Finding::DueDateNotTerms {
            due,
            expected,
            terms_days,
        } => pick(
            lang,
            format!(
                "L'échéance {due} ne suit pas les conditions du client ({terms_days} jours : {expected})."
            ),
            format!(
                "The due date {due} does not follow the client's terms ({terms_days} days: {expected})."
            ),
            format!(
                "Die Fälligkeit {due} folgt nicht den Zahlungsbedingungen des Kunden ({terms_days} Tage: {expected})."
            ),
        ),
        Finding::DueDateTooLate { days, max_days } => pick(
            lang,
            format!("Le délai de paiement de {days} jours dépasse le maximum de {max_days} jours."),
            format!("The payment term of {days} days exceeds the maximum of {max_days} days."),
            format!(
                "Das Zahlungsziel von {days} Tagen überschreitet das Maximum von {max_days} Tagen."
            ),
        ),
        Finding::CurrencyMismatch { invoice, client } => pick(
            lang,
            format!("La facture est en {invoice}, le client est facturé en {client}."),
            format!("The invoice is in {invoice}; the client is invoiced in {client}."),
            format!("Die Rechnung ist in {invoice}; der Kunde wird in {client} fakturiert."),
        ),
        Finding::MissingPurchaseOrder => pick(
            lang,
            "Ce client exige un numéro de bon de commande et la facture n'en a pas.".into(),
            "This client requires a purchase order number and the invoice has none.".into(),
            "Dieser Kunde verlangt eine Bestellnummer, die Rechnung hat keine.".into(),
        ),
        Finding::StaleTimeEntry { started, months } => pick(
            lang,
            format!("Des temps facturés datent du {started}, il y a plus de {months} mois."),
            format!("Billed time entries date from {started}, more than {months} months ago."),
            format!(
                "Abgerechnete Zeiteinträge stammen vom {started}, vor mehr als {months} Monaten."
            ),
        ),
    }
}

pub(super) fn fix(f: &Finding, lang: Language) -> String {
    let s = |fr: &str, en: &str, de: &str| pick(lang, fr.into(), en.into(), de.into());
    match f {
        Finding::MissingIdentifier { identifier, .. } => pick(
            lang,
            format!("Ajoutez le {identifier} sur la fiche du client, puis soumettez à nouveau."),
            format!("Add the {identifier} to the client's record, then submit again."),
            format!("Tragen Sie die {identifier} beim Kunden ein und reichen Sie erneut ein."),
        ),
        Finding::InconsistentIdentifier { identifier, .. } => pick(
            lang,
            format!("Corrigez le {identifier} sur la fiche du client."),
            format!("Correct the {identifier} on the client's record."),
            format!("Korrigieren Sie die {identifier} beim Kunden."),
        ),
        Finding::ReverseChargeWithoutVatId { .. } => s(
            "Ajoutez le numéro de TVA du client, ou appliquez la TVA française.",
            "Add the client's VAT number, or charge VAT normally.",
            "Tragen Sie die USt-IdNr. des Kunden ein oder berechnen Sie die Steuer regulär.",
        ),
        Finding::AmountAbove { .. } => s(
            "Vérifiez les quantités et les prix ; si le montant est juste, approuvez.",
            "Check quantities and prices; if the amount is right, approve it.",
            "Prüfen Sie Mengen und Preise; ist der Betrag richtig, genehmigen Sie.",
        ),
        Finding::UnusualAmount { .. } => s(
            "Comparez avec les factures précédentes du client : une ligne en double ou un prix erroné ?",
            "Compare with the client's earlier invoices: a duplicated line or a wrong price?",
            "Vergleichen Sie mit früheren Rechnungen: doppelte Position oder falscher Preis?",
        ),
        Finding::DailyHours { .. } => s(
            "Vérifiez les temps de cette journée à la source et corrigez-les avant de facturer.",
            "Check that day's entries at the source and correct them before invoicing.",
            "Prüfen Sie die Einträge dieses Tages an der Quelle und korrigieren Sie sie.",
        ),
        Finding::NonPositivePrice { .. } => s(
            "Saisissez un prix et une quantité, ou retirez la ligne.",
            "Enter a price and a quantity, or remove the line.",
            "Geben Sie Preis und Menge ein oder entfernen Sie die Position.",
        ),
        Finding::Duplicate { .. } => s(
            "Si la facture existe déjà, rejetez ce brouillon ; sinon, précisez la période.",
            "If it was already invoiced, reject this draft; otherwise set the service period.",
            "Wurde bereits fakturiert, lehnen Sie den Entwurf ab; sonst Leistungszeitraum angeben.",
        ),
        Finding::DueDateNotTerms { .. } => s(
            "Retirez l'échéance saisie (elle sera calculée à l'émission) ou mettez à jour les conditions du client.",
            "Remove the typed due date (it is computed at issue) or update the client's terms.",
            "Entfernen Sie die Fälligkeit (sie wird bei Ausstellung berechnet) oder ändern Sie die Bedingungen.",
        ),
        Finding::DueDateTooLate { .. } => s(
            "Réduisez le délai de paiement du client au maximum légal.",
            "Shorten the client's payment term to the legal maximum.",
            "Verkürzen Sie das Zahlungsziel des Kunden auf das gesetzliche Maximum.",
        ),
        Finding::CurrencyMismatch { .. } => s(
            "Refaites le brouillon dans la devise du client, ou changez la devise du client.",
            "Redo the draft in the client's currency, or change the client's currency.",
            "Erstellen Sie den Entwurf in der Kundenwährung oder ändern Sie diese.",
        ),
        Finding::MissingPurchaseOrder => s(
            "Demandez le numéro de commande au client et saisissez-le sur le brouillon.",
            "Ask the client for the PO number and enter it on the draft.",
            "Fragen Sie den Kunden nach der Bestellnummer und tragen Sie sie ein.",
        ),
        Finding::StaleTimeEntry { .. } => s(
            "Vérifiez que ces temps n'ont pas déjà été facturés, ou retirez-les.",
            "Check these entries were not invoiced already, or remove them.",
            "Prüfen Sie, ob diese Zeiten schon fakturiert wurden, oder entfernen Sie sie.",
        ),
    }
}
