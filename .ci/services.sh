# Sourced by .ci/run (and usable by hand: `source .ci/services.sh`): makes sure the real
# services the tests talk to are up on 127.0.0.1, and exports their URLs.
#   PostgreSQL  127.0.0.1:5432, trust auth, database `test`  -> DATABASE_URL
#   RabbitMQ    127.0.0.1:5672, guest/guest                   -> AMQP_URL
#   moto (S3)   127.0.0.1:5000, from PyPI in a venv          -> AWS_ENDPOINT_URL
#   SMTP sink   127.0.0.1:2525, aiosmtpd into a maildir       -> SMTP_URL, SMTP_MAILDIR
#   Chromium    headless, driven through chromedriver (Debian) -> CHROMEDRIVER, CHROME
# Processes started here are stopped when the sourcing shell exits.

SERVICES_CACHE="${SERVICES_CACHE:-$HOME/.cache/invoice-rs}"
SERVICES_VENV="$SERVICES_CACHE/venv"
_started_pids=()

_wait_for() { # name, command...
    local name=$1; shift
    for _ in $(seq 1 120); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.5
    done
    echo "$name did not come up" >&2
    return 1
}

start_postgres() {
    if ! pg_isready -q -h 127.0.0.1 -p 5432; then
        echo "starting PostgreSQL"
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
        _wait_for PostgreSQL pg_isready -q -h 127.0.0.1 -p 5432
    fi
    export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
}

start_rabbitmq() {
    if ! rabbitmqctl -q status >/dev/null 2>&1; then
        echo "starting RabbitMQ"
        rabbitmq-server -detached
    fi
    # The node may be up while the app is still booting (or was stopped by a fault test).
    rabbitmqctl -q await_startup >/dev/null 2>&1 || rabbitmqctl -q start_app
    _wait_for RabbitMQ bash -c 'exec 3<>/dev/tcp/127.0.0.1/5672'
    export AMQP_URL="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}"
}

ensure_venv() {
    if [ ! -x "$SERVICES_VENV/bin/moto_server" ] || [ ! -x "$SERVICES_VENV/bin/aiosmtpd" ]; then
        echo "installing moto and aiosmtpd into $SERVICES_VENV"
        mkdir -p "$SERVICES_CACHE"
        python3 -m venv "$SERVICES_VENV"
        "$SERVICES_VENV/bin/pip" install -q 'moto[server]>=5.2,<6' 'aiosmtpd>=1.4,<2'
    fi
}

start_moto() {
    ensure_venv
    if ! curl -fs -o /dev/null http://127.0.0.1:5000/moto-api/; then
        echo "starting moto on 127.0.0.1:5000"
        "$SERVICES_VENV/bin/moto_server" -H 127.0.0.1 -p 5000 >"$SERVICES_CACHE/moto.log" 2>&1 &
        _started_pids+=($!)
        _wait_for moto curl -fs -o /dev/null http://127.0.0.1:5000/moto-api/
    fi
    export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://127.0.0.1:5000}"
    # What the SDK's default chain reads (the tests of s3:// and sqs: without an endpoint).
    export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-testing}"
    export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-testing}"
    export AWS_REGION="${AWS_REGION:-us-east-1}"
}

start_smtp_sink() {
    ensure_venv
    local maildir="$SERVICES_CACHE/maildir"
    # aiosmtpd's Mailbox handler makes tmp/new/cur only when the folder itself is missing.
    mkdir -p "$maildir/tmp" "$maildir/new" "$maildir/cur"
    if ! bash -c 'exec 3<>/dev/tcp/127.0.0.1/2525' 2>/dev/null; then
        echo "starting the SMTP sink on 127.0.0.1:2525"
        # -n: as root, without it the sink switches to nobody and cannot write the maildir.
        "$SERVICES_VENV/bin/python" -m aiosmtpd -n -l 127.0.0.1:2525 \
            -c aiosmtpd.handlers.Mailbox "$maildir" >"$SERVICES_CACHE/smtp.log" 2>&1 &
        _started_pids+=($!)
        _wait_for "SMTP sink" bash -c 'exec 3<>/dev/tcp/127.0.0.1/2525'
    fi
    export SMTP_URL="${SMTP_URL:-smtp://127.0.0.1:2525}"
    export SMTP_MAILDIR="${SMTP_MAILDIR:-$maildir}"
}

install_browser() {
    # The dashboard's browser tests start chromedriver themselves, one per test.
    if ! command -v chromedriver >/dev/null || ! command -v chromium >/dev/null; then
        echo "installing chromium and chromium-driver (Debian)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null
    fi
    export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"
    export CHROME="${CHROME:-$(command -v chromium)}"
}

stop_started_services() {
    for pid in "${_started_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap stop_started_services EXIT

start_postgres
start_rabbitmq
start_moto
start_smtp_sink
install_browser
