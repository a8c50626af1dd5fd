//! Starting the workspace's binaries as processes, each with exactly its configuration.

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Every variable any of the binaries reads: none is inherited from the test's
/// environment, each process gets exactly the ones it is given.
const CONFIG_VARS: [&str; 25] = [
    "BIND",
    "DATABASE_URL",
    "MESSAGING",
    "AMQP_URL",
    "AMQP_EXCHANGE",
    "QUEUE_NAME",
    "QUEUE_PREFIX",
    "DOCUMENTS",
    "DOCUMENTS_DIR",
    "S3_BUCKET",
    "AWS_ENDPOINT_URL",
    "SNS_TOPIC",
    "JWT_SECRET",
    "SMTP_URL",
    "MAIL_FROM",
    "INVOICE_REMINDERS",
    "REMINDER_DAYS_BEFORE",
    "REMINDER_TIME_ZONE",
    "REMINDER_QUEUE",
    "SCHEDULER_PERIOD_MS",
    "REMINDER_LEASE_SECS",
    "ROLES",
    "ORDER_TIMEOUT_SECS",
    "INVOICE_TENANT",
    "SCHEDULE_INTERVAL",
];

/// A binary of the workspace, built beside the test: the test runs from
/// `<target>/<profile>/deps/`, the binaries sit in `<target>/<profile>/`.
fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let path = profile_dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is missing: build the binaries first, with the profile and target folder of \
         this test: cargo build -p invoice-service -p notification-worker -p export-worker",
        path.display()
    );
    path
}

/// A port nobody listens on now (the service binds it a moment later).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One started process and the file its stdout and stderr go to.
pub(crate) struct Process {
    pub(crate) name: &'static str,
    pub(crate) child: Child,
    log: PathBuf,
    /// Killed on purpose by the test, so not expected to run.
    pub(crate) killed: bool,
}

impl Process {
    /// Starts the binary `binary` under the name `name` (two instances of one binary
    /// have two names) in `dir` with exactly `vars` of the configuration; its output
    /// goes to `<dir>/<name>.log`.
    pub(crate) fn spawn(
        name: &'static str,
        binary_name: &str,
        vars: &[(&str, &str)],
        dir: &Path,
    ) -> Self {
        let log = dir.join(format!("{name}.log"));
        let out = File::create(&log).unwrap();
        let mut command = Command::new(binary(binary_name));
        for var in CONFIG_VARS {
            command.env_remove(var);
        }
        let child = command
            .envs(vars.iter().copied())
            // The readiness lines are logged at info.
            .env("RUST_LOG", "info")
            // A start-up error then ends the log without a backtrace burying it.
            .env("RUST_LIB_BACKTRACE", "0")
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Self {
            name,
            child,
            log,
            killed: false,
        }
    }

    /// What the process has written so far.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}
