"""Every Prometheus metric the gateway exposes, in one registry per application.

Names start with `gateway_`; labels come from small fixed sets (route templates, methods,
status codes), never phone numbers or message ids.
"""

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
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
        self.http_requests = Counter(
            "gateway_http_requests_total",
            "HTTP requests answered, by route template, method and status code.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.http_latency = Histogram(
            "gateway_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template.",
            ["route"],
            buckets=HTTP_LATENCY_BUCKETS,
            registry=self.registry,
        )

        self.webhooks = Counter(
            "gateway_webhook_requests_total",
            "Webhook requests by provider and outcome (accepted, duplicate, status, bad_signature, "
            "missing_signature, malformed, too_large, unsupported_media_type, not_configured).",
            ["provider", "outcome"],
            registry=self.registry,
        )
        self.webhook_latency = Histogram(
            "gateway_webhook_duration_seconds",
            "Time from receiving a webhook to answering it, by provider.",
            ["provider"],
            buckets=HTTP_LATENCY_BUCKETS,
            registry=self.registry,
        )

        self.plugin_errors = Counter(
            "gateway_plugin_errors_total",
            "Exceptions raised by plugins, by plugin and by the hook or step that raised.",
            ["plugin", "hook"],
            registry=self.registry,
        )
        self.plugin_load_failures = Counter(
            "gateway_plugin_load_failures_total",
            "Installed plugins that failed to load, by plugin.",
            ["plugin"],
            registry=self.registry,
        )

        self.failovers = Counter(
            "gateway_failovers_total",
            "Jobs moved off a provider whose circuit was open, by provider left and provider used.",
            ["from_provider", "to_provider"],
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        """The registry in Prometheus text format."""
        return generate_latest(self.registry)
