//! Concurrency: claims and optimistic-concurrency conflicts.

use jitadmin_store::{ApprovalStatus, Claim, Store, StoreError};

use super::approval;

pub async fn fifty_concurrent_claimers_yield_one_winner_and_forty_nine_who_know_it(store: &Store) {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50 {
        let store = store.clone();
        tasks.spawn(async move {
            let me = format!("approver-{i}");
            (me.clone(), store.claim("stage/decision#1", &me).await.unwrap())
        });
    }
    let mut winners = Vec::new();
    let mut told = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined.unwrap() {
            (me, Claim::Won) => winners.push(me),
            (_, Claim::Lost { winner, .. }) => told.push(winner),
        }
    }
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    assert_eq!(told.len(), 49);
    assert!(
        told.iter().all(|w| w == &winners[0]),
        "losers were told {told:?}, winner {winners:?}"
    );
    let (holder, _) = store.claim_holder("stage/decision#1").await.unwrap().unwrap();
    assert_eq!(holder, winners[0]);
}

pub async fn stale_etags_and_duplicate_inserts_are_reported(store: &Store) {
    let a = approval("stage-etag");
    store.approval_insert(&a).await.unwrap();
    let dup = store.approval_insert(&a).await.unwrap_err();
    assert!(
        matches!(dup, StoreError::AlreadyExists { record: "approval", ref id } if id == "stage-etag"),
        "{dup}"
    );

    let first = store.approval_get("stage-etag").await.unwrap().unwrap();
    let second = store.approval_get("stage-etag").await.unwrap().unwrap();
    let mut approved = first.value.clone();
    approved.status = ApprovalStatus::Approved;
    let new_etag = store.approval_replace(&approved, &first.etag).await.unwrap();
    assert_ne!(new_etag, first.etag);
    let mut denied = second.value.clone();
    denied.status = ApprovalStatus::Denied;
    let err = store.approval_replace(&denied, &second.etag).await.unwrap_err();
    assert!(
        matches!(err, StoreError::ETagMismatch { record: "approval", .. }),
        "{err}"
    );
    assert_eq!(
        store.approval_get("stage-etag").await.unwrap().unwrap().value.status,
        ApprovalStatus::Approved
    );

    let missing = store
        .approval_replace(&approval("no-such-stage"), &first.etag)
        .await
        .unwrap_err();
    assert!(
        matches!(missing, StoreError::NotFound { .. } | StoreError::ETagMismatch { .. }),
        "{missing}"
    );
}
