//! Paging parameters shared by the list endpoints.
//!
//! Keyset pages (invoices, time entries) are newest first; the cursor is opaque to clients
//! and is the id of the last item of the previous page. One more row than asked is read to
//! know whether a next page exists.

use uuid::Uuid;

use crate::problem::Problem;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

/// The page size asked for, checked.
pub fn limit(asked: Option<u32>) -> Result<u32, Problem> {
    let limit = asked.unwrap_or(DEFAULT_LIMIT);
    if (1..=MAX_LIMIT).contains(&limit) {
        Ok(limit)
    } else {
        Err(Problem::invalid(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        ))
    }
}

/// The cursor given back by a previous page.
pub fn cursor(given: Option<&str>) -> Result<Option<Uuid>, Problem> {
    given
        .filter(|c| !c.is_empty())
        .map(|c| {
            Uuid::parse_str(c).map_err(|_| {
                Problem::invalid(
                    "cursor",
                    "use the next_cursor of the previous page as it was returned",
                )
            })
        })
        .transpose()
}

/// Cuts the extra row read beyond `limit` and returns the cursor of the next page, if any.
pub fn split<T>(rows: &mut Vec<T>, limit: u32, id: impl Fn(&T) -> Uuid) -> Option<String> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() <= limit {
        return None;
    }
    rows.truncate(limit);
    rows.last().map(|r| id(r).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_bounded() {
        assert_eq!(limit(None).unwrap(), 50);
        assert_eq!(limit(Some(500)).unwrap(), 500);
        assert_eq!(limit(Some(0)).unwrap_err().errors[0].field, "limit");
        assert!(limit(Some(501)).is_err());
    }

    #[test]
    fn a_next_cursor_exists_only_when_more_rows_were_found() {
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let mut rows = ids.clone();
        assert_eq!(split(&mut rows, 2, |u| *u), Some(ids[1].to_string()));
        assert_eq!(rows.len(), 2);
        let mut rows = ids.clone();
        assert_eq!(split(&mut rows, 3, |u| *u), None);
        assert!(cursor(Some("nope")).is_err());
        assert_eq!(cursor(Some(&ids[0].to_string())).unwrap(), Some(ids[0]));
    }
}
