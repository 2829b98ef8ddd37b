//! Paging: follow `@odata.nextLink` verbatim until it is gone; surface `@odata.deltaLink`
//! (<https://learn.microsoft.com/graph/paging>, <https://learn.microsoft.com/graph/delta-query-overview>).

use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::HashSet;

use crate::{GraphClient, GraphError, GraphRequest};

/// One page of a collection.
#[derive(Debug, Clone, Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
pub struct Page<T> {
    /// The items of this page (may be empty even when more pages follow).
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    /// The next page, to be requested as-is.
    #[serde(default, rename = "@odata.nextLink")]
    pub next_link: Option<String>,
    /// On the last page of a delta round: the link for the next round.
    #[serde(default, rename = "@odata.deltaLink")]
    pub delta_link: Option<String>,
}

/// Every item of a collection, and the delta link its last page carried.
#[derive(Debug, Clone, PartialEq)]
pub struct Collected<T> {
    /// Items of every page, in page order.
    pub items: Vec<T>,
    /// The last page's `@odata.deltaLink`, for delta queries.
    pub delta_link: Option<String>,
    /// Pages fetched.
    pub pages: usize,
}

impl GraphClient {
    /// GETs one page.
    pub async fn get_page<T: DeserializeOwned>(&self, req: GraphRequest) -> Result<Page<T>, GraphError> {
        self.execute(req).await?.json()
    }

    /// GETs `target` and every page after it.
    pub async fn get_all<T: DeserializeOwned>(&self, target: &str) -> Result<Collected<T>, GraphError> {
        self.get_all_with(GraphRequest::get(target)).await
    }

    /// Like [`get_all`](Self::get_all), resending the request's headers (e.g. `ConsistencyLevel`) on every
    /// page, since Graph does not carry them into nextLinks.
    pub async fn get_all_with<T: DeserializeOwned>(&self, first: GraphRequest) -> Result<Collected<T>, GraphError> {
        let mut items = Vec::new();
        let mut seen = HashSet::new();
        let mut req = first;
        let mut pages = 0;
        loop {
            let page: Page<T> = self.get_page(req.clone()).await?;
            pages += 1;
            items.extend(page.value);
            match page.next_link {
                Some(next) => {
                    if !seen.insert(next.clone()) {
                        return Err(GraphError::Decode {
                            path: req.target,
                            message: "Graph returned the same nextLink twice".into(),
                        });
                    }
                    if pages >= self.max_pages() {
                        return Err(GraphError::Decode {
                            path: req.target,
                            message: format!("more than {} pages", self.max_pages()),
                        });
                    }
                    req.target = next;
                }
                None => {
                    return Ok(Collected {
                        items,
                        delta_link: page.delta_link,
                        pages,
                    })
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Item {
        id: String,
    }

    #[test]
    fn page_fixture_with_next_link_parses() {
        let p: Page<Item> =
            serde_json::from_slice(include_bytes!("../testdata/managed-devices-page-1.json")).expect("page");
        assert_eq!(p.value.len(), 2);
        assert_eq!(p.value[0].id, "705c034c-034c-705c-4c03-5c704c035c70");
        assert!(p.next_link.as_deref().is_some_and(|l| l.contains("$skiptoken")));
        assert!(p.delta_link.is_none());
    }

    #[test]
    fn empty_page_without_value_parses() {
        let p: Page<Item> = serde_json::from_str(r#"{"@odata.nextLink":"https://x/next"}"#).expect("page");
        assert!(p.value.is_empty());
        assert_eq!(p.next_link.as_deref(), Some("https://x/next"));
    }
}
