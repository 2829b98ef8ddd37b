//! The conformance suite on the Table Storage backend, against Azurite started by the test.

use crate::{conformance, conformance_tests};

use crate::support::azurite::Azurite;
use jitadmin_store::{Store, StoreConfig, StoreError};

async fn azurite_store() -> (Store, Azurite) {
    let azurite = tokio::task::spawn_blocking(Azurite::start).await.unwrap();
    let config = StoreConfig::parse(&format!("table:{}", azurite.connection_string()))
        .unwrap()
        .with_table_prefix("conf")
        .unwrap();
    let store = Store::open(&config, None)
        .await
        .unwrap_or_else(|e| panic!("cannot open the store on Azurite: {e}\n{}", azurite.log()));
    (store, azurite)
}

conformance_tests!(azurite_store);

#[tokio::test]
async fn a_wrong_account_key_is_an_authentication_error_that_hides_the_key() {
    let azurite = tokio::task::spawn_blocking(Azurite::start).await.unwrap();
    let wrong = "d3Jvbmcta2V5LXdyb25nLWtleQ==";
    let setting = format!(
        "table:AccountName=devstoreaccount1;AccountKey={wrong};TableEndpoint={}",
        azurite.table_endpoint()
    );
    let err = Store::open_setting(&setting, None).await.unwrap_err();
    assert!(matches!(err, StoreError::Table { status: 403, .. }), "{err}");
    assert!(!err.to_string().contains(wrong), "{err}");
}

#[tokio::test]
async fn stores_with_different_prefixes_share_one_account_apart() {
    let azurite = tokio::task::spawn_blocking(Azurite::start).await.unwrap();
    let open = |prefix: &'static str| {
        let cs = azurite.connection_string();
        async move {
            let config = StoreConfig::parse(&format!("table:{cs}"))
                .unwrap()
                .with_table_prefix(prefix)
                .unwrap();
            Store::open(&config, None).await.unwrap()
        }
    };
    let (a, b) = (open("deployA").await, open("deployB").await);
    a.ledger_begin("k").await.unwrap();
    assert!(b.ledger_get("k").await.unwrap().is_none());
}
