//! Identifiers derived from a directory object's id, as Graph and Windows present them. A leaf.

/// An Entra object id as the cloud SID Windows sees (`S-1-12-1-` and the GUID's 16 bytes, in
/// Microsoft's byte order, as four little-endian 32-bit numbers). `None` for a non-GUID id.
pub(crate) fn cloud_sid(object_id: &str) -> Option<String> {
    let bytes = uuid::Uuid::parse_str(object_id).ok()?.to_bytes_le();
    let part = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    Some(format!("S-1-12-1-{}-{}-{}-{}", part(0), part(4), part(8), part(12)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_sid_of_an_object_id_has_four_parts_after_the_prefix() {
        let sid = cloud_sid("22222222-0000-4000-8000-000000000001").expect("sid");
        assert!(sid.starts_with("S-1-12-1-"));
        assert_eq!(sid.split('-').count(), 8);
        assert_eq!(cloud_sid("not-a-guid"), None);
        // The first part is the GUID's first field.
        assert_eq!(sid.split('-').nth(4), Some("572662306"));
    }
}
