//! Identifiers: UUID v7, so ids sort by creation time on every backend.

/// Every row id is a UUID v7 (time-ordered, random tail).
pub type Id = uuid::Uuid;

/// A fresh, time-ordered id.
pub fn new_id() -> Id {
    uuid::Uuid::now_v7()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_increase() {
        let a = new_id();
        let b = new_id();
        assert_eq!(a.get_version_num(), 7);
        assert!(b > a, "v7 ids must sort by creation order");
    }
}
