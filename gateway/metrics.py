"""Every Prometheus metric the gateway exposes, in one registry per application.

Names start with `gateway_`; labels come from small fixed sets (route templates, providers,
states, plugin and flow names), never phone numbers or message ids. Several gateway
processes each expose their own; dashboards aggregate with `sum by`.
"""

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)

from gateway import __version__

disable_created_metrics()  # the `_created` series double the output and no dashboard reads them

HTTP_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
DELIVERY_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0, 60.0, 300.0, 1800.0)
FIRST_REPLY_BUCKETS = (15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0)
MEDIA_FETCH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 40.0, 80.0)
MEDIA_SIZE_BUCKETS = tuple(float(1024 * 2**power) for power in range(0, 18, 2))
"""1 KB to 64 MB, by fours, to past WhatsApp's 16 MB for audio and video."""
STORE_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5)


class GatewayMetrics:
    """The metric set of one gateway process."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, store_backend: str) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        Info("gateway_build", "Version and store backend of this gateway process.", registry=self.registry).info(
            {"version": __version__, "store": store_backend}
        )
        # HTTP and webhooks
        self.http_requests = self._counter(
            "http_requests_total", "HTTP requests answered.", "route", "method", "status"
        )
        self.http_latency = self._histogram("http_request_duration_seconds", "Time to answer an HTTP request.", "route")
        self.webhooks = self._counter(
            "webhook_requests_total",
            "Webhook requests by outcome (accepted, duplicate, status, bad_signature, missing_signature, malformed, "
            "too_large, unsupported_media_type, not_configured, store_unavailable).",
            "provider",
            "outcome",
        )
        self.webhook_latency = self._histogram("webhook_duration_seconds", "Time to answer a webhook.", "provider")
        # messages
        self.inbound = self._counter(
            "inbound_messages_total", "Messages contacts sent, stored once each.", "provider", "kind"
        )
        self.outbound = self._counter(
            "outbound_messages_total",
            "Messages the queue finished with, by message type and outcome (sent, suppressed, dead).",
            "provider",
            "type",
            "outcome",
        )
        self.delivery_reports = self._counter(
            "delivery_reports_total",
            "Providers' status reports on sent messages (delivered, read, failed).",
            "provider",
            "status",
        )
        self.send_delay = self._histogram(
            "send_delay_seconds",
            "From enqueue to the provider accepting the message.",
            "provider",
            buckets=DELIVERY_BUCKETS,
        )
        self.provider_latency = self._histogram(
            "provider_api_duration_seconds", "Time a provider's send API took.", "provider"
        )
        self.provider_errors = self._counter(
            "provider_errors_total",
            "Failed sends by class (timeout, network, retryable, permanent).",
            "provider",
            "code_class",
        )
        self.read_receipts = self._counter(
            "read_receipts_total",
            "Contacts' messages marked read at the provider (with typing… while the bot prepares a reply), by "
            "outcome (sent; unsupported: the provider has no API for it; failed: an error, a timeout or an open "
            "circuit; dropped: too many already under way).",
            "provider",
            "outcome",
        )
        # media
        self.media_fetches = self._counter(
            "media_fetches_total",
            "Contacts' files the inbox fetched, by outcome (stored; refused: not what it claimed, a type WhatsApp does "
            "not accept or too large; unavailable: the provider said it cannot be had or no channel fetches it; "
            "failed: attempts spent on passing failures; error: a bug, logged with the message id, or the media store "
            "refusing the file).",
            "provider",
            "outcome",
        )
        self.media_fetch_duration = self._histogram(
            "media_fetch_duration_seconds",
            "Time to download a contact's file, every attempt and pause included.",
            "provider",
            buckets=MEDIA_FETCH_BUCKETS,
        )
        self.media_bytes = self._histogram(
            "media_stored_bytes", "Sizes of the contacts' files stored, by kind.", "kind", buckets=MEDIA_SIZE_BUCKETS
        )
        # queue
        self.queue_jobs = self._gauge(
            "queue_jobs", "Jobs in the queue by state, read from the store every few seconds.", "state"
        )
        self.queue_oldest_due = self._gauge("queue_oldest_due_seconds", "How long the oldest due job has waited.")
        self.retries = self._counter("retries_total", "Sends put back for another attempt.", "provider")
        self.lease_recoveries = self._counter(
            "lease_recoveries_total", "Jobs taken over from a worker whose lease expired (it died or stalled)."
        )
        self.dead_letters = self._counter(
            "dead_letters_total", "Jobs that died (permanent error or attempts spent).", "provider"
        )
        self.failovers = self._counter(
            "failovers_total", "Jobs moved off a provider whose circuit was open.", "from_provider", "to_provider"
        )
        self.circuit_state = self._gauge(
            "circuit_state", "Each provider's circuit: 0 closed, 1 half open, 2 open.", "provider"
        )
        self.senders = self._gauge(
            "senders", "Sending processes of the deployment with a live heartbeat in the store, as this one counts them."
        )
        self.send_rate = self._gauge(
            "send_rate",
            "Messages a second this process may send to a provider: its configured rate divided by the senders.",
            "provider",
        )
        self.postponements = self._counter(
            "postponements_total",
            "Jobs put back without spending an attempt, by reason (circuit_open: the circuit was open or its "
            "trial under way; store_error: the store failed before the send).",
            "provider",
            "reason",
        )
        self.job_errors = self._counter(
            "job_errors_total",
            "Exceptions the send loop kept to one job, by stage (prepare, send, finish) and class (transient: "
            "retried; bug: the job is dead, or at finish left to its lease).",
            "stage",
            "error_class",
        )
        # conversations
        self.sessions_active = self._gauge("sessions_active", "Contacts who wrote in the last 30 minutes.")
        self.inbox_held = self._gauge(
            "inbox_contacts_held",
            "Contacts whose inbox lease this process holds, processing their messages in order (at most 64).",
        )
        self.inbox_oldest_waiting = self._gauge(
            "inbox_oldest_waiting_seconds", "How long the oldest unprocessed inbound message has waited in the store."
        )
        self.inbox_leases_lost = self._counter(
            "inbox_leases_lost_total",
            "Contacts this process stopped processing because their inbox lease had moved to another process.",
        )
        self.inbox_processed = self._counter(
            "inbox_processed_total",
            "Inbound messages the inbox finished with, by outcome (answered; failed: a bug or bad data, "
            "logged with the message id).",
            "outcome",
        )
        self.inbox_retries = self._counter(
            "inbox_retries_total", "Store operations of the inbox tried again after a transient error."
        )
        self.flows = self._counter(
            "flows_total",
            "Conversation flows by outcome (started, completed, cancelled, timed_out).",
            "plugin",
            "flow",
            "outcome",
        )
        self.invalid_answers = self._counter("invalid_answers_total", "Answers a form refused.", "plugin", "flow")
        self.languages = self._counter("contact_languages_total", "Languages contacts chose or greeted in.", "language")
        # handover
        self.handovers_waiting = self._gauge(
            "handovers_waiting", "Conversations waiting for an operator, read from the store every few seconds."
        )
        self.handover_oldest_waiting = self._gauge(
            "handover_oldest_waiting_seconds", "How long the longest-waiting conversation has waited for an operator."
        )
        self.handover_first_reply = self._histogram(
            "handover_first_reply_seconds",
            "From a handover's request to its first operator reply.",
            buckets=FIRST_REPLY_BUCKETS,
        )
        self.handovers = self._counter(
            "handovers_total",
            "Handovers that ended, by reason (asked, menu, plugin, api, operator) and outcome (handed_back, closed, "
            "contact_returned, wait_timeout, idle_timeout).",
            "reason",
            "outcome",
        )
        # plugins
        self.plugin_calls = self._counter(
            "plugin_hook_calls_total", "Calls into plugins' hooks and steps.", "plugin", "hook"
        )
        self.plugin_latency = self._histogram(
            "plugin_hook_duration_seconds", "Time plugins took to answer.", "plugin", "hook"
        )
        self.plugin_errors = self._counter("plugin_errors_total", "Exceptions raised by plugins.", "plugin", "hook")
        self.plugin_load_failures = self._counter(
            "plugin_load_failures_total", "Installed plugins that failed to load.", "plugin"
        )
        # scheduler
        self.scheduler_leader = self._gauge(
            "scheduler_leader",
            "1 while this process leads the scheduler (holds its lease in the store) and runs plugins' "
            "periodic jobs, else 0; the deployment's sum is 1.",
        )
        # loops
        self.loop_restarts = self._counter(
            "loop_restarts_total", "Long-running loops (send, inbox, scheduler, gauges) that died and were restarted.", "loop"
        )
        # store
        self.store_latency = self._histogram(
            "store_operation_duration_seconds",
            "Time a store operation took.",
            "operation",
            "backend",
            buckets=STORE_BUCKETS,
        )

    def _counter(self, name: str, documentation: str, *labels: str) -> Counter:
        return Counter(f"gateway_{name}", documentation, labels, registry=self.registry)

    def _histogram(
        self, name: str, documentation: str, *labels: str, buckets: tuple[float, ...] = HTTP_LATENCY_BUCKETS
    ) -> Histogram:
        return Histogram(f"gateway_{name}", documentation, labels, buckets=buckets, registry=self.registry)

    def _gauge(self, name: str, documentation: str, *labels: str) -> Gauge:
        return Gauge(f"gateway_{name}", documentation, labels, registry=self.registry)

    def exposition(self) -> bytes:
        """The registry in Prometheus text format."""
        return generate_latest(self.registry)
