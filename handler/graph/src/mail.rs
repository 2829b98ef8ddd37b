//! Sending mail from a mailbox (`POST /users/{mailbox}/sendMail`, 202), for user notifications.

use serde_json::json;

use crate::path::segment;
use crate::{GraphClient, GraphError, GraphRequest};

/// A simple message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// Subject.
    pub subject: String,
    /// Body.
    pub body: String,
    /// Whether `body` is HTML (else plain text).
    pub html: bool,
    /// Recipients' addresses.
    pub to: Vec<String>,
}

impl Mail {
    /// The `sendMail` request body.
    pub fn to_body(&self, save_to_sent_items: bool) -> serde_json::Value {
        json!({
            "message": {
                "subject": self.subject,
                "body": { "contentType": if self.html { "HTML" } else { "Text" }, "content": self.body },
                "toRecipients": self.to.iter().map(|a| json!({ "emailAddress": { "address": a } })).collect::<Vec<_>>(),
            },
            "saveToSentItems": save_to_sent_items,
        })
    }
}

impl GraphClient {
    /// Sends `mail` from `mailbox` (a UPN or id; needs `Mail.Send`, best scoped to that mailbox).
    pub async fn send_mail(&self, mailbox: &str, mail: &Mail) -> Result<(), GraphError> {
        if mail.to.is_empty() {
            return Err(GraphError::InvalidRequest("a mail needs at least one recipient".into()));
        }
        let target = format!("/v1.0/users/{}/sendMail", segment(mailbox)?);
        self.execute(GraphRequest::post(target, mail.to_body(false)))
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_mail_body_matches_the_fixture() {
        let mail = Mail {
            subject: "Your admin rights are ready".into(),
            body: "Sign out and in again.".into(),
            html: false,
            to: vec!["AdeleV@contoso.com".into()],
        };
        let want: serde_json::Value =
            serde_json::from_slice(include_bytes!("../testdata/send-mail-request.json")).expect("fixture");
        assert_eq!(mail.to_body(false), want);
    }
}
