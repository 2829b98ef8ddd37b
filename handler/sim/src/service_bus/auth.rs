//! Who may call: an Entra token for Service Bus, or a valid shared access signature.

use axum::http::HeaderMap;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::area::ServiceBusArea;
use super::SAS_KEY_NAME;
use crate::authority::verify::verify;

/// The audience of Entra tokens for Service Bus (scope `https://servicebus.azure.net/.default`).
pub const AUDIENCES: [&str; 1] = ["https://servicebus.azure.net"];

/// Check the `Authorization` header for a request to `path` (the full request path).
pub(crate) fn authorize(area: &ServiceBusArea, headers: &HeaderMap, path: &str) -> Result<(), String> {
    let header = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or("no Authorization header")?;
    if let Some(token) = header.strip_prefix("Bearer ") {
        return verify(&area.authority, token.trim(), &AUDIENCES)
            .map(|_| ())
            .map_err(|e| format!("bearer token refused: {e}"));
    }
    if let Some(sas) = header.strip_prefix("SharedAccessSignature ") {
        let key = area.service_bus().sas_key.clone();
        return check_sas(sas, &key, path, chrono::Utc::now().timestamp());
    }
    Err("the Authorization header is neither Bearer nor SharedAccessSignature".into())
}

fn check_sas(sas: &str, key: &str, path: &str, now: i64) -> Result<(), String> {
    let mut sr = None;
    let mut sig = None;
    let mut se = None;
    let mut skn = None;
    for part in sas.split('&') {
        match part.split_once('=') {
            Some(("sr", v)) => sr = Some(v),
            Some(("sig", v)) => sig = Some(v),
            Some(("se", v)) => se = Some(v),
            Some(("skn", v)) => skn = Some(v),
            _ => {}
        }
    }
    let (Some(sr), Some(sig), Some(se), Some(skn)) = (sr, sig, se, skn) else {
        return Err("the signature lacks sr, sig, se or skn".into());
    };
    if skn != SAS_KEY_NAME {
        return Err(format!("unknown key name '{skn}'"));
    }
    let expiry: i64 = se.parse().map_err(|_| "se is not a number")?;
    if expiry <= now {
        return Err("the signature expired".into());
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).map_err(|_| "bad key")?;
    mac.update(format!("{sr}\n{se}").as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let given = decode(sig);
    if !constant_time_eq(expected.as_bytes(), given.as_bytes()) {
        return Err("the signature does not match".into());
    }
    let resource = url::Url::parse(&decode(sr)).map_err(|_| "sr is not a URL")?;
    let scope = resource.path().trim_end_matches('/').to_ascii_lowercase();
    let path = path.to_ascii_lowercase();
    if !(path == scope || path.starts_with(&format!("{scope}/"))) {
        return Err(format!(
            "the signature is for {} and does not cover {path}",
            resource.path()
        ));
    }
    Ok(())
}

fn decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={text}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(key: &str, sr: &str, se: i64) -> String {
        let encoded: String = url::form_urlencoded::byte_serialize(sr.as_bytes()).collect();
        let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
        mac.update(format!("{encoded}\n{se}").as_bytes());
        let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        let sig: String = url::form_urlencoded::byte_serialize(sig.as_bytes()).collect();
        format!("sr={encoded}&sig={sig}&se={se}&skn={SAS_KEY_NAME}")
    }

    #[test]
    fn a_signature_covers_its_entity_and_sub_queues_only_until_it_expires() {
        let sas = sign("k", "http://127.0.0.1:1/servicebus/events", 2000);
        assert!(check_sas(&sas, "k", "/servicebus/events/messages", 1000).is_ok());
        assert!(check_sas(&sas, "k", "/servicebus/events/$DeadLetterQueue/messages/head", 1000).is_ok());
        assert!(check_sas(&sas, "k", "/servicebus/other/messages", 1000).is_err());
        assert!(check_sas(&sas, "k", "/servicebus/events/messages", 3000).is_err());
        assert!(check_sas(&sas, "wrong", "/servicebus/events/messages", 1000).is_err());
    }
}
