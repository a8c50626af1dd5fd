//! Suite functions for [`ClientStore`].

use invoice_core::{Address, ClientId, CountryCode};
use uuid::Uuid;

use super::fixtures::fresh_tenant;
use crate::{Client, ClientStore, Error};

/// Create, read, update with versions, list by name with pages, delete; tenant B sees none
/// of tenant A's clients.
pub async fn clients_crud_pages_and_isolation(store: &dyn ClientStore) {
    let a = fresh_tenant();
    let b = fresh_tenant();
    let mut ids = Vec::new();
    for name in ["Delta AG", "alpha GmbH", "Charlie SA", "Bravo BV"] {
        let client = Client::new(ClientId::from_uuid(Uuid::new_v4()), a.clone(), name)
            .unwrap()
            .with_email(format!(
                "ap@{}.example",
                name.split(' ').next().unwrap().to_lowercase()
            ))
            .with_phone("+49 30 1")
            .with_address(Address::new(CountryCode::new("DE").unwrap()).with_city("Berlin"));
        store.create(&client).await.unwrap();
        ids.push(client);
    }
    let first = ids[0].clone();
    assert_eq!(store.get(&a, first.id()).await.unwrap(), first);
    assert!(matches!(
        store.create(&first).await,
        Err(Error::AlreadyExists { .. })
    ));
    assert!(matches!(
        store.get(&b, first.id()).await,
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store.delete(&b, first.id()).await,
        Err(Error::NotFound { .. })
    ));
    assert_eq!(store.list(&b, None, 0, 10).await.unwrap().total, 0);

    let renamed = first
        .clone()
        .rename("Delta Holding AG")
        .unwrap()
        .next_version();
    store.update(&renamed, 1).await.unwrap();
    assert_eq!(
        store.get(&a, first.id()).await.unwrap().name(),
        "Delta Holding AG"
    );
    assert!(matches!(
        store.update(&renamed, 1).await,
        Err(Error::Conflict {
            expected: 1,
            found: 2,
            ..
        })
    ));

    let page = store.list(&a, None, 0, 3).await.unwrap();
    assert_eq!(page.total, 4);
    let names: Vec<_> = page.items.iter().map(|c| c.name().to_owned()).collect();
    assert_eq!(names.len(), 3);
    let rest = store.list(&a, None, 1, 3).await.unwrap();
    assert_eq!(rest.items.len(), 1);
    let found = store.list(&a, Some("ALPHA"), 0, 10).await.unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.items[0].name(), "alpha GmbH");
    assert!(store.list(&a, None, 0, 0).await.is_err());

    store.delete(&a, first.id()).await.unwrap();
    assert!(matches!(
        store.get(&a, first.id()).await,
        Err(Error::NotFound { .. })
    ));
}
