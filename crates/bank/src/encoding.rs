//! Turning the bytes of a file into text: UTF-8 (with or without BOM), UTF-16 with a BOM, and
//! Windows-1252 for everything that is not valid UTF-8 (Swiss and French bank exports, OFX
//! `CHARSET:1252`). Windows-1252 maps every byte, so decoding never fails.

use std::borrow::Cow;

use encoding_rs::{Encoding, WINDOWS_1252};

/// Decodes a whole file.
pub(crate) fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let rest = bytes.get(bom_len..).unwrap_or_default();
        return encoding.decode_without_bom_handling(rest).0;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_is_dropped() {
        assert_eq!(decode(b"\xEF\xBB\xBFDate;Montant"), "Date;Montant");
    }

    #[test]
    fn invalid_utf8_is_read_as_windows_1252() {
        // "Crédit" and "Zürich" as Windows-1252 bytes.
        assert_eq!(decode(b"Cr\xE9dit Z\xFCrich \x80"), "Crédit Zürich €");
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        assert_eq!(decode(b"\xFF\xFEO\x00F\x00X\x00"), "OFX");
    }
}
