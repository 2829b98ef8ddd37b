//! The conformance suite on the SQLite backend, plus file-specific behaviour.

use crate::{conformance, conformance_tests};

use jitadmin_store::{LedgerOutcome, LedgerStatus, Store, StoreConfig};

async fn memory_store() -> (Store, ()) {
    (Store::open_setting("sqlite::memory:", None).await.unwrap(), ())
}

conformance_tests!(memory_store);

#[tokio::test]
async fn a_file_store_keeps_its_records_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let setting = format!("sqlite:{}", dir.path().join("state.db").display());
    {
        let store = Store::open_setting(&setting, None).await.unwrap();
        store.ledger_begin("k").await.unwrap();
        store
            .ledger_finish("k", LedgerOutcome::Done("ok".into()))
            .await
            .unwrap();
    }
    let store = Store::open_setting(&setting, None).await.unwrap();
    assert_eq!(store.ledger_get("k").await.unwrap().unwrap().status, LedgerStatus::Done);
}

#[tokio::test]
async fn table_prefixes_keep_stores_apart_in_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let setting = format!("sqlite:{}", dir.path().join("shared.db").display());
    let a = Store::open(
        &StoreConfig::parse(&setting).unwrap().with_table_prefix("a").unwrap(),
        None,
    )
    .await
    .unwrap();
    let b = Store::open(
        &StoreConfig::parse(&setting).unwrap().with_table_prefix("b").unwrap(),
        None,
    )
    .await
    .unwrap();
    a.ledger_begin("k").await.unwrap();
    assert!(b.ledger_get("k").await.unwrap().is_none());
}
