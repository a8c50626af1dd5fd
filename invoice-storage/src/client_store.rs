//! Clients: the buyers a tenant invoices, with their contact information.

use std::fmt::Debug;

use async_trait::async_trait;
use invoice_core::{Address, ClientId, Contact, Party, TenantId};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A tenant's client: name, e-mail addresses, phone numbers, address and VAT id.
///
/// # Examples
///
/// ```
/// use invoice_core::{Address, ClientId, CountryCode, TenantId};
/// use invoice_storage::Client;
/// use uuid::Uuid;
///
/// let client = Client::new(ClientId::from_uuid(Uuid::from_u128(1)), TenantId::new("acme")?, "Kunde AG")?
///     .with_email("ap@kunde.example")
///     .with_phone("+49 40 123456")
///     .with_address(Address::new(CountryCode::new("DE")?).with_city("Hamburg"));
/// let party = client.to_party().expect("has an address");
/// assert_eq!(party.email(), Some("ap@kunde.example"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    id: ClientId,
    tenant: TenantId,
    name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    emails: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    phones: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vat_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    contact_name: Option<String>,
    version: u64,
}

impl Client {
    /// A client at version 1.
    ///
    /// # Errors
    ///
    /// [`Error::Domain`] (an [`invoice_core::Error::InvalidField`]) for a blank name.
    pub fn new(id: ClientId, tenant: TenantId, name: impl Into<String>) -> Result<Self> {
        let name = name.into();
        if name.trim().is_empty() {
            return Err(Error::Domain(invoice_core::Error::InvalidField {
                field: "client name",
                value: name,
                reason: "must not be blank",
            }));
        }
        Ok(Self {
            id,
            tenant,
            name,
            emails: Vec::new(),
            phones: Vec::new(),
            address: None,
            vat_id: None,
            contact_name: None,
            version: 1,
        })
    }

    /// Adds an e-mail address; the first one is where invoices go.
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.emails.push(email.into());
        self
    }

    /// Adds a phone number.
    pub fn with_phone(mut self, phone: impl Into<String>) -> Self {
        self.phones.push(phone.into());
        self
    }

    /// Sets the postal address.
    pub fn with_address(mut self, address: Address) -> Self {
        self.address = Some(address);
        self
    }

    /// Sets the VAT identifier.
    pub fn with_vat_id(mut self, vat_id: impl Into<String>) -> Self {
        self.vat_id = Some(vat_id.into());
        self
    }

    /// Sets the contact person's name.
    pub fn with_contact_name(mut self, name: impl Into<String>) -> Self {
        self.contact_name = Some(name.into());
        self
    }

    /// Renames the client.
    ///
    /// # Errors
    ///
    /// [`Error::Domain`] for a blank name.
    pub fn rename(mut self, name: impl Into<String>) -> Result<Self> {
        let name = name.into();
        if name.trim().is_empty() {
            return Err(Error::Domain(invoice_core::Error::InvalidField {
                field: "client name",
                value: name,
                reason: "must not be blank",
            }));
        }
        self.name = name;
        Ok(self)
    }

    /// The same client with its version increased, ready for [`ClientStore::update`].
    pub fn next_version(mut self) -> Self {
        self.version += 1;
        self
    }

    /// The buyer [`Party`] for an invoice to this client, when it has an address.
    pub fn to_party(&self) -> Option<Party> {
        let address = self.address.clone()?;
        let mut party = Party::new(self.name.clone(), address);
        if let Some(email) = self.emails.first() {
            party = party.with_email(email.clone());
        }
        if let Some(vat_id) = &self.vat_id {
            party = party.with_vat_id(vat_id.clone());
        }
        let mut contact = Contact::new();
        if let Some(name) = &self.contact_name {
            contact = contact.with_name(name.clone());
        }
        if let Some(phone) = self.phones.first() {
            contact = contact.with_phone(phone.clone());
        }
        if let Some(email) = self.emails.first() {
            contact = contact.with_email(email.clone());
        }
        Some(party.with_contact(contact))
    }

    /// The client's id.
    pub fn id(&self) -> ClientId {
        self.id
    }

    /// The owning tenant.
    pub fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// E-mail addresses, the preferred first.
    pub fn emails(&self) -> &[String] {
        &self.emails
    }

    /// Phone numbers.
    pub fn phones(&self) -> &[String] {
        &self.phones
    }

    /// The postal address.
    pub fn address(&self) -> Option<&Address> {
        self.address.as_ref()
    }

    /// The VAT identifier.
    pub fn vat_id(&self) -> Option<&str> {
        self.vat_id.as_deref()
    }

    /// The contact person's name.
    pub fn contact_name(&self) -> Option<&str> {
        self.contact_name.as_deref()
    }

    /// The optimistic-concurrency version.
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// One page of clients, ordered by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientPage {
    /// The clients on this page.
    pub items: Vec<Client>,
    /// How many clients match in all.
    pub total: u64,
}

/// Stores clients, tenant-scoped like [`InvoiceStore`](crate::InvoiceStore), with methods
/// named like its own: a service gets each store as a separate view
/// ([`Stores`](crate::Stores) `{ invoices, clients, .. }`), so `stores.clients.get(&tenant, id)`
/// reads like `stores.invoices.get(&tenant, id)`.
///
/// The adapters implement both traits, so on an adapter itself, with both traits in scope,
/// `store.get(..)` is ambiguous (E0034): name the trait, as in
/// `ClientStore::get(&store, &tenant, id)`. Through `dyn ClientStore` no name is needed.
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
///
/// use invoice_core::{ClientId, TenantId};
/// use invoice_storage::{Client, ClientStore, InMemoryStore, InvoiceQuery, InvoiceStore};
/// use uuid::Uuid;
///
/// let store = InMemoryStore::new();
/// let tenant = TenantId::new("acme")?;
/// let client = Client::new(ClientId::from_uuid(Uuid::from_u128(1)), tenant.clone(), "Kunde AG")?;
/// ClientStore::create(&store, &client).await?;
/// assert_eq!(ClientStore::get(&store, &tenant, client.id()).await?, client);
/// assert!(InvoiceStore::list(&store, &tenant, &InvoiceQuery::new()).await?.items.is_empty());
///
/// let clients: Arc<dyn ClientStore> = Arc::new(store);
/// assert_eq!(clients.list(&tenant, None, 0, 10).await?.total, 1);
/// # Ok(())
/// # }
/// ```
#[async_trait]
pub trait ClientStore: Debug + Send + Sync + 'static {
    /// Saves a new client.
    ///
    /// # Errors
    ///
    /// [`Error::AlreadyExists`] when the id is taken.
    async fn create(&self, client: &Client) -> Result<()>;

    /// Loads a client.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] when the tenant has no such client.
    async fn get(&self, tenant: &TenantId, id: ClientId) -> Result<Client>;

    /// Replaces a client whose stored version is `expected_version`.
    ///
    /// # Errors
    ///
    /// [`Error::Conflict`], [`Error::NotFound`].
    async fn update(&self, client: &Client, expected_version: u64) -> Result<()>;

    /// Deletes a client.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`].
    async fn delete(&self, tenant: &TenantId, id: ClientId) -> Result<()>;

    /// Lists the tenant's clients by name; `text` filters on the name, ignoring case.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidQuery`] for a page size of 0 or over
    /// [`MAX_PAGE_SIZE`](crate::MAX_PAGE_SIZE).
    async fn list(
        &self,
        tenant: &TenantId,
        text: Option<&str>,
        page: u32,
        size: u32,
    ) -> Result<ClientPage>;
}
