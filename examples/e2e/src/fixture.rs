//! What one run starts and creates, and its removal at the end.

use invoice_messaging::RabbitMqBroker;
use invoice_storage::PostgresStore;
use sqlx::{Connection, PgConnection};

use crate::process::Process;
use crate::{Deadline, Servers};

/// What one run started and created. Dropping it, also when the test panics, kills the
/// processes (printing their logs' ends if the test failed), then deletes the run's
/// RabbitMQ queues and PostgreSQL schema.
pub struct Fixture {
    dir: tempfile::TempDir,
    processes: Vec<Process>,
    amqp_url: String,
    queues: Vec<String>,
    database_url: String,
    schema: Option<String>,
}

impl Fixture {
    /// A fixture with no process yet, its folder a fresh temporary one, removing its
    /// queues and schema from `servers`.
    pub fn new(servers: &Servers) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            processes: Vec::new(),
            amqp_url: servers.amqp_url.clone(),
            queues: Vec::new(),
            database_url: servers.database_url.clone(),
            schema: None,
        }
    }

    /// Drops the PostgreSQL schema `schema`, with everything in it, at the end.
    pub fn remove_schema_at_end(&mut self, schema: String) {
        self.schema = Some(schema);
    }

    /// Creates and migrates the PostgreSQL schema `schema` before the processes start,
    /// so that they find it (they would migrate it, but `CREATE SCHEMA` is not theirs to
    /// run), and drops it at the end.
    pub async fn create_schema(&mut self, schema: &str) {
        PostgresStore::builder(self.database_url.as_str())
            .schema(schema)
            .max_connections(1)
            .build()
            .await
            .unwrap()
            .close()
            .await;
        self.remove_schema_at_end(schema.to_owned());
    }

    /// Deletes the RabbitMQ queues `queues` at the end.
    pub fn remove_queues_at_end(&mut self, queues: Vec<String>) {
        self.queues = queues;
    }

    /// Starts `name` in the fixture's folder with exactly `vars` of the configuration.
    pub fn spawn(&mut self, name: &'static str, vars: &[(&str, &str)]) {
        self.spawn_as(name, name, vars);
    }

    /// Starts the binary `binary` as the process `name` (for a second instance of one
    /// binary), in the fixture's folder with exactly `vars` of the configuration.
    pub fn spawn_as(&mut self, name: &'static str, binary: &str, vars: &[(&str, &str)]) {
        let process = Process::spawn(name, binary, vars, self.dir.path());
        self.processes.push(process);
    }

    /// Kills the process `name` with SIGKILL (`kill -9`): no shutdown code runs.
    pub fn kill(&mut self, name: &str) {
        let process = self
            .processes
            .iter_mut()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("no process {name}"));
        process.child.kill().unwrap();
        process.child.wait().unwrap();
        process.killed = true;
    }

    /// Fails the test when a process has exited (other than one it killed).
    pub fn assert_running(&mut self) {
        for process in self.processes.iter_mut().filter(|p| !p.killed) {
            if let Some(status) = process.child.try_wait().unwrap() {
                panic!("{} exited ({status}); its log is below", process.name);
            }
        }
    }

    /// Waits until the log of `name` has a line containing `ready`.
    pub async fn wait_until_ready(&mut self, name: &str, ready: &str) {
        let deadline = Deadline::new(format!("{name} to log {ready:?}"));
        loop {
            let process = self.processes.iter().find(|p| p.name == name).unwrap();
            if process.log().contains(ready) {
                return;
            }
            deadline.tick(self).await;
        }
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        for process in &mut self.processes {
            let _ = process.child.kill();
            let _ = process.child.wait();
        }
        if std::thread::panicking() {
            for process in &self.processes {
                let log = process.log();
                let lines: Vec<&str> = log.lines().collect();
                let tail = lines[lines.len().saturating_sub(40)..].join("\n");
                eprintln!("---- last lines of {} ----\n{tail}", process.name);
            }
        }
        let cleanup = clean_up(
            self.amqp_url.clone(),
            std::mem::take(&mut self.queues),
            self.database_url.clone(),
            self.schema.take(),
        );
        // Drop may run inside the test's runtime, which cannot block on another future:
        // the clean-up gets a thread and a runtime of its own.
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map(|runtime| runtime.block_on(cleanup))
        })
        .join();
    }
}

/// Deletes the run's queues and schema; failures are reported, not raised (this runs in
/// `Drop`, maybe while the test is already failing).
async fn clean_up(
    amqp_url: String,
    queues: Vec<String>,
    database_url: String,
    schema: Option<String>,
) {
    if !queues.is_empty() {
        match RabbitMqBroker::builder(amqp_url)
            .connection_name("invoice-e2e")
            .build()
            .await
        {
            Ok(broker) => {
                for queue in &queues {
                    if let Err(e) = broker.delete_queue(queue).await {
                        eprintln!("cannot delete the RabbitMQ queue {queue}: {e}");
                    }
                }
            }
            Err(e) => eprintln!("cannot connect to RabbitMQ to delete {queues:?}: {e}"),
        }
    }
    if let Some(schema) = schema {
        if let Err(e) = drop_schema(&database_url, &schema).await {
            eprintln!("cannot drop the PostgreSQL schema {schema}: {e}");
        }
    }
}

/// Drops `schema` with everything in it.
async fn drop_schema(url: &str, schema: &str) -> Result<(), sqlx::Error> {
    let mut conn = PgConnection::connect(url).await?;
    // The name goes in as a bound value, quoted by the server, never spliced into SQL.
    sqlx::query("SELECT set_config('invoice_e2e.schema', $1, false)")
        .bind(schema)
        .execute(&mut conn)
        .await?;
    sqlx::query(
        "DO $$ BEGIN EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', \
         current_setting('invoice_e2e.schema')); END $$",
    )
    .execute(&mut conn)
    .await?;
    conn.close().await
}
