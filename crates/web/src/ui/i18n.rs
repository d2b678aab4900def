//! The interface in French, English and German: a catalog of keys → three strings, and the
//! choice of language (the user's preference, then the `encaisse_lang` cookie, then the
//! browser's `Accept-Language`, then French).

use axum::http::{HeaderMap, header};
use encaisse_core::language::Language;

/// Name of the cookie holding the language chosen before logging in.
pub const LANG_COOKIE: &str = "encaisse_lang";

/// `(key, fr, en, de)`, sorted by key (checked by a test) for binary search.
#[rustfmt::skip]
const CATALOG: &[
(&str, &str, &str, &str)] = &[
    ("action.approved", "approuvée", "approved", "genehmigt"),
    ("action.approved_level", "niveau validé", "level approved", "Stufe genehmigt"),
    ("action.delegated", "délégation", "delegation", "Vertretung"),
    ("action.drafted", "brouillon créé", "drafted", "Entwurf erstellt"),
    ("action.issued", "émise", "issued", "ausgestellt"),
    ("action.lines_edited", "lignes modifiées", "lines edited", "Positionen geändert"),
    ("action.other", "événement", "event", "Ereignis"),
    ("action.paid", "paiement enregistré", "payment recorded", "Zahlung erfasst"),
    ("action.rejected", "rejetée", "rejected", "abgelehnt"),
    ("action.sent", "envoyée", "sent", "versendet"),
    ("action.submitted", "soumise", "submitted", "eingereicht"),
    ("action.withdrawn", "retirée pour modification", "withdrawn for edits", "zur Bearbeitung zurückgezogen"),
    ("bank.confirm", "Confirmer", "Confirm", "Bestätigen"),
    ("bank.counterparty", "Contrepartie", "Counterparty", "Gegenpartei"),
    ("bank.decide", "Décision", "Decision", "Entscheidung"),
    ("bank.flash.confirmed", "Rapprochement confirmé : la facture est à jour.", "Match confirmed: the invoice is up to date.", "Zuordnung bestätigt: die Rechnung ist aktuell."),
    ("bank.flash.rejected", "Suggestion rejetée : elle ne sera plus proposée.", "Suggestion rejected: it will not be proposed again.", "Vorschlag abgelehnt: er wird nicht mehr vorgeschlagen."),
    ("bank.help", "Les paiements reçus sont rapprochés des factures ouvertes ; ce qui n'est pas certain attend votre décision.", "Payments received are matched to open invoices; what is not certain waits for your decision.", "Zahlungseingänge werden offenen Rechnungen zugeordnet; was nicht sicher ist, wartet auf Ihre Entscheidung."),
    ("bank.invoices", "Factures", "Invoices", "Rechnungen"),
    ("bank.no_suggestions", "Aucune suggestion en attente.", "No suggestion waiting.", "Keine offenen Vorschläge."),
    ("bank.no_transactions", "Aucune opération bancaire importée : encaisse bank import FICHIER.", "No bank transaction imported yet: encaisse bank import FILE.", "Noch keine Bankbewegungen importiert: encaisse bank import DATEI."),
    ("bank.payer", "Payeur", "Payer", "Zahler"),
    ("bank.reference", "Réf. banque", "Bank ref.", "Bankreferenz"),
    ("bank.reject", "Rejeter", "Reject", "Ablehnen"),
    ("bank.remittance", "Libellé", "Remittance", "Verwendungszweck"),
    ("bank.review", "À vérifier", "To review", "Zu prüfen"),
    ("bank.state.ignored", "ignorée", "ignored", "ignoriert"),
    ("bank.state.matched", "rapprochée", "matched", "zugeordnet"),
    ("bank.state.suggested", "à vérifier", "to review", "zu prüfen"),
    ("bank.state.unmatched", "non rapprochée", "unmatched", "nicht zugeordnet"),
    ("bank.title", "Banque", "Bank", "Bank"),
    ("bank.transactions", "Opérations récentes", "Recent transactions", "Letzte Bewegungen"),
    ("bank.why", "Pourquoi", "Why", "Warum"),
    ("btn.edit", "Modifier les lignes", "Edit lines", "Positionen bearbeiten"),
    ("btn.issue", "Émettre", "Issue", "Ausstellen"),
    ("btn.submit", "Soumettre à validation", "Submit for approval", "Zur Freigabe einreichen"),
    ("btn.withdraw", "Retirer pour modifier", "Withdraw to edit", "Zur Bearbeitung zurückziehen"),
    ("client.address", "Adresse", "Address", "Adresse"),
    ("client.contact", "Contact", "Contact", "Kontakt"),
    ("client.details", "Fiche", "Details", "Stammdaten"),
    ("client.language", "Langue", "Language", "Sprache"),
    ("client.payments", "Paiements", "Payments", "Zahlungen"),
    ("client.po", "Bon de commande exigé", "Purchase order required", "Bestellnummer erforderlich"),
    ("clients.city", "Ville", "City", "Ort"),
    ("clients.currency", "Devise", "Currency", "Währung"),
    ("clients.ids", "Identifiants", "Identifiers", "Kennungen"),
    ("clients.search", "Rechercher un client", "Search clients", "Kunden suchen"),
    ("clients.terms", "Conditions", "Terms", "Zahlungsziel"),
    ("clients.title", "Clients", "Clients", "Kunden"),
    ("col.amount", "Montant", "Amount", "Betrag"),
    ("col.client", "Client", "Client", "Kunde"),
    ("col.date", "Date", "Date", "Datum"),
    ("col.description", "Désignation", "Description", "Beschreibung"),
    ("col.discount", "Remise %", "Discount %", "Rabatt %"),
    ("col.due", "Échéance", "Due", "Fällig"),
    ("col.gross", "TTC", "Gross", "Brutto"),
    ("col.hours", "Heures", "Hours", "Stunden"),
    ("col.issued", "Émise le", "Issued", "Ausgestellt"),
    ("col.net", "HT", "Net", "Netto"),
    ("col.number", "Numéro", "Number", "Nummer"),
    ("col.outstanding", "Reste dû", "Outstanding", "Offen"),
    ("col.person", "Personne", "Person", "Person"),
    ("col.quantity", "Quantité", "Quantity", "Menge"),
    ("col.status", "Statut", "Status", "Status"),
    ("col.unit", "Unité", "Unit", "Einheit"),
    ("col.unit_price", "Prix unitaire", "Unit price", "Einzelpreis"),
    ("col.vat", "TVA", "VAT", "MwSt."),
    ("dash.aging", "Retards par ancienneté (jours)", "Overdue by age (days)", "Überfällig nach Alter (Tage)"),
    ("dash.bucket", "Retard", "Late by", "Verzug"),
    ("dash.collected", "Encaissé", "Collected", "Eingenommen"),
    ("dash.collected_30", "Encaissé (30 jours)", "Collected (30 days)", "Eingenommen (30 Tage)"),
    ("dash.collected_90", "90 jours :", "90 days:", "90 Tage:"),
    ("dash.days_90", "90 jours", "90 days", "90 Tage"),
    ("dash.dso_help", "Encours ÷ facturé sur 90 jours × 90", "Outstanding ÷ invoiced over 90 days × 90", "Offen ÷ fakturiert in 90 Tagen × 90"),
    ("dash.dso_long", "Délai moyen de paiement", "Days sales outstanding", "Forderungslaufzeit"),
    ("dash.invoiced", "Facturé", "Invoiced", "Fakturiert"),
    ("dash.kpis", "Indicateurs", "Key figures", "Kennzahlen"),
    ("dash.latest_payments", "Derniers paiements", "Latest payments", "Letzte Zahlungen"),
    ("dash.months", "Facturé et encaissé, 6 mois", "Invoiced and collected, 6 months", "Fakturiert und eingenommen, 6 Monate"),
    ("dash.no_payments", "Aucun paiement.", "No payments.", "Keine Zahlungen."),
    ("dash.not_due", "Non échu", "Not yet due", "Nicht fällig"),
    ("dash.other_currencies", "Encours dans d'autres devises :", "Outstanding in other currencies:", "Offen in anderen Währungen:"),
    ("dash.outstanding", "Encours clients", "Outstanding", "Offene Forderungen"),
    ("dash.overdue", "dont en retard", "of which overdue", "davon überfällig"),
    ("dash.title", "Tableau de bord", "Dashboard", "Übersicht"),
    ("dash.waiting", "En attente de validation", "Waiting for approval", "Wartet auf Freigabe"),
    ("edit.add", "Ajouter une ligne", "Add a line", "Position hinzufügen"),
    ("edit.cancel", "Annuler", "Cancel", "Abbrechen"),
    ("edit.help", "Chaque modification est enregistrée ligne par ligne dans l'historique.", "Every change is recorded line by line in the history.", "Jede Änderung wird positionsweise im Verlauf festgehalten."),
    ("edit.remove", "Retirer", "Remove", "Entfernen"),
    ("edit.save", "Enregistrer", "Save", "Speichern"),
    ("edit.title", "Modifier le brouillon", "Edit the draft", "Entwurf bearbeiten"),
    ("error.forbidden", "Accès refusé", "Access denied", "Zugriff verweigert"),
    ("error.not_found", "Page introuvable", "Page not found", "Seite nicht gefunden"),
    ("error.not_found_text", "Cette page n'existe pas ou n'appartient pas à cette organisation.", "This page does not exist or belongs to another organization.", "Diese Seite existiert nicht oder gehört zu einer anderen Organisation."),
    ("error.other", "Impossible", "Not possible", "Nicht möglich"),
    ("flash.approved", "Facture approuvée.", "Invoice approved.", "Rechnung genehmigt."),
    ("flash.bulk", "Brouillons approuvés :", "Drafts approved:", "Genehmigte Entwürfe:"),
    ("flash.delegated", "Délégation enregistrée.", "Delegation saved.", "Vertretung gespeichert."),
    ("flash.issued", "Facture émise.", "Invoice issued.", "Rechnung ausgestellt."),
    ("flash.level", "Niveau validé ; le niveau suivant a été notifié.", "Level approved; the next level was notified.", "Stufe genehmigt; die nächste Stufe wurde benachrichtigt."),
    ("flash.rejected", "Brouillon rejeté et renvoyé avec votre commentaire.", "Draft rejected and sent back with your comment.", "Entwurf abgelehnt und mit Ihrem Kommentar zurückgeschickt."),
    ("flash.saved", "Enregistré.", "Saved.", "Gespeichert."),
    ("flash.submitted", "Brouillon soumis.", "Draft submitted.", "Entwurf eingereicht."),
    ("flash.withdrawn", "Brouillon retiré : modifiez-le puis soumettez-le.", "Draft withdrawn: edit it, then submit it.", "Entwurf zurückgezogen: bearbeiten und erneut einreichen."),
    ("inbox.approve_clean", "Approuver les brouillons sélectionnés", "Approve selected drafts", "Ausgewählte Entwürfe genehmigen"),
    ("inbox.back", "Retour à la boîte de validation", "Back to the inbox", "Zurück zum Eingang"),
    ("inbox.bulk_help", "Seuls les brouillons sans alerte peuvent être approuvés en lot.", "Only drafts on which no rule fired can be approved in bulk.", "Nur Entwürfe ohne Befund können gesammelt genehmigt werden."),
    ("inbox.empty", "Rien ne vous attend.", "Nothing waits for you.", "Nichts wartet auf Sie."),
    ("inbox.for_others", "En attente d'autres personnes", "Waiting for others", "Wartet auf andere"),
    ("inbox.for_you", "À valider par vous", "Waiting for you", "Wartet auf Sie"),
    ("inbox.help", "Raccourcis : j/k pour se déplacer, Entrée pour ouvrir, x pour sélectionner.", "Shortcuts: j/k to move, Enter to open, x to select.", "Tastatur: j/k bewegen, Enter öffnen, x auswählen."),
    ("inbox.level", "Niveau", "Level", "Stufe"),
    ("inbox.none_others", "Aucun autre brouillon en attente.", "No other draft is waiting.", "Kein anderer Entwurf wartet."),
    ("inbox.preview", "Aperçu PDF", "PDF preview", "PDF-Vorschau"),
    ("inbox.rules", "Contrôles", "Checks", "Prüfungen"),
    ("inbox.select", "Sélectionner", "Select", "Auswählen"),
    ("inbox.submitted", "Soumis par", "Submitted by", "Eingereicht von"),
    ("inbox.title", "Boîte de validation", "Validation inbox", "Freigabe-Eingang"),
    ("inbox.waiting_for_you", "pour vous", "for you", "für Sie"),
    ("inbox.why_not_you", "Pourquoi pas vous", "Why not you", "Warum nicht Sie"),
    ("inv.actions", "Actions", "Actions", "Aktionen"),
    ("inv.approve", "Approuver", "Approve", "Genehmigen"),
    ("inv.checks", "Contrôles automatiques", "Automatic checks", "Automatische Prüfungen"),
    ("inv.client_history", "Factures récentes du client", "Client's recent invoices", "Letzte Rechnungen des Kunden"),
    ("inv.comment_optional", "Commentaire (facultatif)", "Comment (optional)", "Kommentar (optional)"),
    ("inv.decide", "Votre décision", "Your decision", "Ihre Entscheidung"),
    ("inv.documents", "Documents", "Documents", "Dokumente"),
    ("inv.download_cii", "XML Factur-X (CII)", "Factur-X XML (CII)", "Factur-X-XML (CII)"),
    ("inv.download_json", "Document figé (JSON)", "Frozen document (JSON)", "Eingefrorenes Dokument (JSON)"),
    ("inv.download_pdf", "Facture PDF (Factur-X)", "Invoice PDF (Factur-X)", "Rechnung als PDF (Factur-X)"),
    ("inv.download_qrbill", "Bulletin QR (PDF)", "QR-bill payment part (PDF)", "QR-Zahlteil (PDF)"),
    ("inv.download_ubl", "XML UBL (Peppol)", "UBL XML (Peppol)", "UBL-XML (Peppol)"),
    ("inv.draft", "Brouillon", "Draft", "Entwurf"),
    ("inv.drafted_by", "préparée par", "drafted by", "erstellt von"),
    ("inv.entries", "Temps sources", "Source time entries", "Zeiteinträge"),
    ("inv.history", "Historique", "History", "Verlauf"),
    ("inv.issued_note", "Documents légaux conservés à l'émission, servis à l'identique (empreinte SHA-256).", "Legal documents stored at issue, served byte-identical (SHA-256).", "Bei der Ausstellung archivierte Belege, unverändert ausgeliefert (SHA-256)."),
    ("inv.lines", "Lignes", "Lines", "Positionen"),
    ("inv.no_entries", "Aucun temps rattaché.", "No time entries attached.", "Keine Zeiteinträge."),
    ("inv.no_history", "Première facture de ce client.", "This client's first invoice.", "Erste Rechnung an diesen Kunden."),
    ("inv.on_behalf", "Vous décidez au nom de", "You decide on behalf of", "Sie entscheiden in Vertretung von"),
    ("inv.period", "Période :", "Period:", "Zeitraum:"),
    ("inv.po", "Bon de commande :", "Purchase order:", "Bestellnummer:"),
    ("inv.preview_draft_note", "Aperçu PDF d'un brouillon : non valable, sans numéro définitif ni code de paiement.", "PDF preview of a draft: not valid, no final number, no payment code.", "PDF-Vorschau eines Entwurfs: ungültig, ohne endgültige Nummer und ohne Zahlungscode."),
    ("inv.preview_open", "Ouvrir l'aperçu", "Open the preview", "Vorschau öffnen"),
    ("inv.preview_pdf", "Ouvrir l'aperçu PDF", "Open the PDF preview", "PDF-Vorschau öffnen"),
    ("inv.preview_title", "Aperçu de la facture", "Invoice preview", "Rechnungsvorschau"),
    ("inv.reject", "Rejeter", "Reject", "Ablehnen"),
    ("inv.reject_comment", "Motif du rejet (obligatoire)", "Why reject (required)", "Ablehnungsgrund (Pflicht)"),
    ("inv.timeline", "Cycle de vie", "Lifecycle", "Lebenszyklus"),
    ("list.any", "Tous", "Any", "Alle"),
    ("list.apply", "Filtrer", "Filter", "Filtern"),
    ("list.filters", "Filtres", "Filters", "Filter"),
    ("list.from", "Émises depuis", "Issued from", "Ausgestellt ab"),
    ("list.late", "en retard", "overdue", "überfällig"),
    ("list.max", "Montant max.", "Max amount", "Höchstbetrag"),
    ("list.min", "Montant min.", "Min amount", "Mindestbetrag"),
    ("list.overdue", "En retard seulement", "Overdue only", "Nur überfällige"),
    ("list.reset", "Réinitialiser", "Reset", "Zurücksetzen"),
    ("list.results", "factures", "invoices", "Rechnungen"),
    ("list.sort", "Trier par", "Sort by", "Sortieren nach"),
    ("list.title", "Factures", "Invoices", "Rechnungen"),
    ("list.to", "jusqu'au", "to", "bis"),
    ("list.truncated", "seules les 500 plus récentes sont filtrées ; précisez les dates.", "only the newest 500 are filtered; narrow the dates.", "nur die neuesten 500 werden gefiltert; Zeitraum eingrenzen."),
    ("login.email", "E-mail", "E-mail", "E-Mail"),
    ("login.password", "Mot de passe", "Password", "Passwort"),
    ("login.submit", "Se connecter", "Log in", "Anmelden"),
    ("login.tagline", "Des heures aux factures, des factures à l'encaissement.", "Hours become invoices, invoices become cash.", "Aus Stunden werden Rechnungen, aus Rechnungen Geld."),
    ("login.title", "Connexion", "Log in", "Anmeldung"),
    ("milestone.approved", "Approuvée", "Approved", "Genehmigt"),
    ("milestone.drafted", "Brouillon", "Drafted", "Entwurf"),
    ("milestone.issued", "Émise", "Issued", "Ausgestellt"),
    ("milestone.paid", "Payée", "Paid", "Bezahlt"),
    ("milestone.reminded", "Relancée", "Reminded", "Gemahnt"),
    ("milestone.sent", "Envoyée", "Sent", "Versendet"),
    ("milestone.viewed", "Consultée", "Viewed", "Angesehen"),
    ("nav.apply", "OK", "OK", "OK"),
    ("nav.bank", "Banque", "Bank", "Bank"),
    ("nav.clients", "Clients", "Clients", "Kunden"),
    ("nav.dashboard", "Tableau de bord", "Dashboard", "Übersicht"),
    ("nav.inbox", "Validation", "Inbox", "Freigaben"),
    ("nav.invoices", "Factures", "Invoices", "Rechnungen"),
    ("nav.language", "Langue", "Language", "Sprache"),
    ("nav.logout", "Déconnexion", "Log out", "Abmelden"),
    ("nav.main", "Navigation principale", "Main navigation", "Hauptnavigation"),
    ("nav.notifications", "Notifications", "Notifications", "Mitteilungen"),
    ("nav.organization", "Organisation", "Organization", "Organisation"),
    ("nav.settings", "Réglages", "Settings", "Einstellungen"),
    ("nav.shortcuts", "g i : validation · g d : tableau de bord · / : filtres", "g i: inbox · g d: dashboard · /: filters", "g i: Freigaben · g d: Übersicht · /: Filter"),
    ("nav.skip", "Aller au contenu", "Skip to content", "Zum Inhalt"),
    ("nav.switch", "Changer", "Switch", "Wechseln"),
    ("note.approval_requested", "Brouillon à valider :", "Draft to approve:", "Entwurf zur Freigabe:"),
    ("note.invoice_approved", "Votre brouillon a été approuvé :", "Your draft was approved:", "Ihr Entwurf wurde genehmigt:"),
    ("note.invoice_rejected", "Votre brouillon a été rejeté :", "Your draft was rejected:", "Ihr Entwurf wurde abgelehnt:"),
    ("notes.empty", "Aucune notification.", "No notifications.", "Keine Mitteilungen."),
    ("notes.mark_read", "Tout marquer comme lu", "Mark all as read", "Alle als gelesen markieren"),
    ("preview.draft", "BROUILLON — sans valeur de facture", "DRAFT — not an invoice", "ENTWURF — keine Rechnung"),
    ("preview.reference", "Référence de paiement :", "Payment reference:", "Zahlungsreferenz:"),
    ("rules.clean", "Aucune alerte", "Clean", "Ohne Befund"),
    ("rules.fix", "À faire :", "Fix:", "Abhilfe:"),
    ("rules.none", "Aucun contrôle n'a d'objection.", "No check objects.", "Keine Prüfung hat Einwände."),
    ("settings.active", "en cours", "active", "aktiv"),
    ("settings.approval", "Circuit de validation (montants TTC, devise de la facture)", "Approval circuit (gross amounts, invoice currency)", "Freigabekreislauf (Bruttobeträge, Rechnungswährung)"),
    ("settings.auto_below", "Approbation automatique en dessous de", "Automatic approval below", "Automatische Freigabe unter"),
    ("settings.delegate", "Déléguer", "Delegate", "Vertreten lassen"),
    ("settings.delegations", "Délégations pendant une absence", "Delegations while away", "Vertretungen bei Abwesenheit"),
    ("settings.delegations_help", "Pendant la période, la personne désignée décide à la place de la personne absente.", "During the period, the named person decides in place of the absent one.", "Im Zeitraum entscheidet die benannte Person anstelle der abwesenden."),
    ("settings.ends", "Fin", "Ends", "Ende"),
    ("settings.from", "Absent(e)", "Away", "Abwesend"),
    ("settings.owners_only", "Seuls les propriétaires modifient ces réglages.", "Only owners change these settings.", "Nur Inhaber ändern diese Einstellungen."),
    ("settings.parameter", "Paramètre", "Parameter", "Parameter"),
    ("settings.period", "Période", "Period", "Zeitraum"),
    ("settings.revoke", "Mettre fin", "End", "Beenden"),
    ("settings.rule", "Règle", "Rule", "Regel"),
    ("settings.rules", "Contrôles automatiques", "Automatic checks", "Automatische Prüfungen"),
    ("settings.save", "Enregistrer les réglages", "Save settings", "Einstellungen speichern"),
    ("settings.severity", "Gravité", "Severity", "Schwere"),
    ("settings.single_up_to", "Un seul valideur jusqu'à", "One approver up to", "Eine Freigabe bis"),
    ("settings.starts", "Début", "Starts", "Beginn"),
    ("settings.title", "Réglages", "Settings", "Einstellungen"),
    ("settings.to", "Remplacé(e) par", "Replaced by", "Vertreten durch"),
    ("settings.validation", "Validation des factures", "Invoice validation", "Rechnungsfreigabe"),
    ("settings.validation_help", "Ces réglages l'emportent sur la section [validation] d'encaisse.toml.", "These settings override the [validation] section of encaisse.toml.", "Diese Einstellungen haben Vorrang vor dem Abschnitt [validation] in encaisse.toml."),
    ("severity.block", "Bloquant", "Blocks", "Blockiert"),
    ("severity.off", "Désactivé", "Off", "Aus"),
    ("severity.warn", "Alerte", "Warns", "Warnt"),
    ("sort.client", "Client", "Client", "Kunde"),
    ("sort.due", "Échéance", "Due date", "Fälligkeit"),
    ("sort.gross", "Montant", "Amount", "Betrag"),
    ("sort.issued", "Date d'émission", "Issue date", "Ausstellungsdatum"),
    ("sort.newest", "Plus récentes", "Newest", "Neueste"),
    ("sort.outstanding", "Reste dû", "Outstanding", "Offen"),
    ("status.approved", "Approuvée", "Approved", "Genehmigt"),
    ("status.cancelled", "Annulée", "Cancelled", "Storniert"),
    ("status.draft", "Brouillon", "Draft", "Entwurf"),
    ("status.issued", "Émise", "Issued", "Ausgestellt"),
    ("status.paid", "Payée", "Paid", "Bezahlt"),
    ("status.partially_paid", "Payée en partie", "Partly paid", "Teilweise bezahlt"),
    ("status.pending_approval", "À valider", "Pending approval", "Wartet auf Freigabe"),
    ("status.rejected", "Rejetée", "Rejected", "Abgelehnt"),
    ("status.sent", "Envoyée", "Sent", "Versendet"),
    ("status.written_off", "Passée en perte", "Written off", "Abgeschrieben"),
];

/// The catalog in one language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tr(pub Language);

impl Tr {
    /// The text of `key`; the key itself when missing (a test keeps the catalog complete).
    pub fn s(&self, key: &str) -> &'static str {
        match CATALOG.binary_search_by(|(k, ..)| (*k).cmp(key)) {
            Ok(i) => {
                let (_, fr, en, de) = CATALOG[i];
                match self.0 {
                    Language::Fr => fr,
                    Language::En => en,
                    Language::De => de,
                }
            }
            Err(_) => {
                tracing::warn!(key, "missing translation");
                "…"
            }
        }
    }

    /// The text of `prefix.name` (statuses, milestones, severities).
    pub fn of(&self, prefix: &str, name: &str) -> &'static str {
        self.s(&format!("{prefix}.{name}"))
    }
}

/// The first supported language of an `Accept-Language` header, by quality.
pub fn from_accept_language(headers: &HeaderMap) -> Option<Language> {
    let v = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut tags: Vec<(f32, Language)> = v
        .split(',')
        .filter_map(|part| {
            let mut it = part.split(';');
            let lang = Language::parse(it.next()?.trim())?;
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            Some((q, lang))
        })
        .collect();
    tags.sort_by(|a, b| b.0.total_cmp(&a.0));
    tags.first().map(|(_, l)| *l)
}

/// The language of a request: the user's choice, the cookie, the browser, French.
pub fn negotiate(preference: Option<Language>, headers: &HeaderMap) -> Language {
    preference
        .or_else(|| crate::auth::cookie(headers, LANG_COOKIE).and_then(Language::parse))
        .or_else(|| from_accept_language(headers))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn the_catalog_is_sorted_complete_and_translated() {
        for w in CATALOG.windows(2) {
            assert!(w[0].0 < w[1].0, "{} must come before {}", w[1].0, w[0].0);
        }
        for (k, fr, en, de) in CATALOG {
            assert!(!fr.is_empty() && !en.is_empty() && !de.is_empty(), "{k}");
        }
        // Every key the templates use exists.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for part in text.split("t.s(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                assert!(
                    CATALOG.binary_search_by(|(k, ..)| (*k).cmp(key)).is_ok(),
                    "missing key {key}"
                );
            }
        }
    }

    #[test]
    fn the_browser_language_is_the_fallback() {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("it-IT, de-CH;q=0.8, en;q=0.9"),
        );
        assert_eq!(from_accept_language(&h), Some(Language::En));
        assert_eq!(negotiate(Some(Language::De), &h), Language::De);
        assert_eq!(negotiate(None, &h), Language::En);
        h.insert(header::COOKIE, HeaderValue::from_static("encaisse_lang=de"));
        assert_eq!(negotiate(None, &h), Language::De);
        assert_eq!(negotiate(None, &HeaderMap::new()), Language::Fr);
        assert_eq!(Tr(Language::De).s("nav.inbox"), "Freigaben");
    }
}
