//! A `serviceUrl` and the request URLs built on it, with ids percent-encoded as path segments.

use super::ConnectorError;

/// A validated `serviceUrl` (http or https, with a host).
#[derive(Debug, Clone)]
pub(crate) struct ServiceUrl(url::Url);

impl ServiceUrl {
    /// Parses a service URL; anything but an absolute http(s) URL is refused.
    pub fn parse(service_url: &str) -> Result<Self, ConnectorError> {
        let url = url::Url::parse(service_url.trim()).map_err(|e| refused(format!("invalid serviceUrl: {e}")))?;
        if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
            return Err(refused("invalid serviceUrl: not an http(s) URL".to_string()));
        }
        Ok(ServiceUrl(url))
    }

    /// Refuses (status 0) a host outside `allowed`: an entry matches its host exactly, or, when
    /// it starts with a dot (`.teams.microsoft.com`), any subdomain. Case-insensitive.
    pub fn check_host(&self, allowed: &[String]) -> Result<(), ConnectorError> {
        let host = self.0.host_str().unwrap_or_default().to_ascii_lowercase();
        let ok = allowed.iter().any(|entry| {
            let entry = entry.to_ascii_lowercase();
            match entry.strip_prefix('.') {
                Some(suffix) => host.ends_with(&entry) && host.len() > suffix.len(),
                None => host == entry,
            }
        });
        if ok {
            Ok(())
        } else {
            Err(refused(format!(
                "serviceUrl host '{host}' is not in the allowed Bot Connector hosts"
            )))
        }
    }

    /// The service URL's path followed by `segments`, each percent-encoded as
    /// JavaScript's `encodeURIComponent` does (the Bot Framework SDKs' encoding of ids).
    pub fn join(&self, segments: &[&str]) -> url::Url {
        let mut url = self.0.clone();
        url.set_query(None);
        url.set_fragment(None);
        let mut path = url.path().trim_end_matches('/').to_string();
        for segment in segments {
            path.push('/');
            path.push_str(&encode_component(segment));
        }
        url.set_path(&path);
        url
    }
}

/// Refused before sending: status 0.
fn refused(message: String) -> ConnectorError {
    ConnectorError::Refused { status: 0, message }
}

/// `encodeURIComponent`: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )` as `%XX` of its UTF-8 bytes.
fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_encoded_as_path_segments_under_the_service_path() {
        let s = ServiceUrl::parse("https://smba.trafficmanager.net/amer/84bd8158/").unwrap();
        let url = s.join(&[
            "v3",
            "conversations",
            "19:a@thread.tacv2;messageid=17",
            "activities",
            "17",
        ]);
        assert_eq!(
            url.as_str(),
            "https://smba.trafficmanager.net/amer/84bd8158/v3/conversations/19%3Aa%40thread.tacv2%3Bmessageid%3D17/activities/17"
        );
        let s = ServiceUrl::parse("http://127.0.0.1:8080/botconnector").unwrap();
        assert_eq!(
            s.join(&["v3", "conversations"]).as_str(),
            "http://127.0.0.1:8080/botconnector/v3/conversations"
        );
    }

    #[test]
    fn hosts_are_checked_against_the_allowlist() {
        let allowed = vec![
            "smba.trafficmanager.net".to_string(),
            ".gov.teams.microsoft.us".to_string(),
        ];
        let check = |u: &str| ServiceUrl::parse(u).unwrap().check_host(&allowed);
        assert!(check("https://smba.trafficmanager.net/amer/t/").is_ok());
        assert!(check("https://SMBA.trafficmanager.net/teams/").is_ok());
        assert!(check("https://smba.infra.gov.teams.microsoft.us/teams").is_ok());
        assert!(check("https://evil.example/smba.trafficmanager.net/").is_err());
        assert!(check("https://smba.trafficmanager.net.evil.example/").is_err());
        assert!(check("https://gov.teams.microsoft.us/").is_err());
    }

    #[test]
    fn only_http_urls_are_service_urls() {
        assert!(matches!(
            ServiceUrl::parse("file:///etc/passwd"),
            Err(ConnectorError::Refused { status: 0, .. })
        ));
        assert!(ServiceUrl::parse("not a url").is_err());
        assert!(ServiceUrl::parse("https://smba.trafficmanager.net/teams/").is_ok());
    }
}
