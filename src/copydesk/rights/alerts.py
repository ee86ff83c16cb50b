"""Alerts: new findings sent to a webhook, an SMTP server and/or a JSON Lines file.

Every finding is queued once (the ``alerts`` table, keyed by copy, source and copy text),
so a finding already alerted is never sent again, across runs. Sending happens apart from
ingest (``AlertSender`` runs it in a thread with its own connection); a channel that
fails is retried with backoff, and what is still unsent is tried again on the next run.

Webhook body (``POST``, ``Content-Type: application/json``)::

    {"type": "copydesk.findings", "digest": false, "sent_at": "2026-01-01T08:00:00Z",
     "findings": [{"copy": ..., "copy_url": ..., "outlet": ..., "source": ...,
                   "source_outlet": ..., "relation": ..., "credit": ..., "coverage": ...,
                   "licensed": false, "first_seen": ..., "key": ...}, ...]}

One finding per request, or all pending ones in one request with the daily digest.
With a secret, ``X-Copydesk-Signature: sha256=<hex HMAC-SHA256 of the raw body>``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from copydesk.errors import CopydeskError
from copydesk.model import iso, parse_iso
from copydesk.rights.findings import Finding, get_setting, set_setting
from copydesk.store import Store

SIGNATURE_HEADER = "X-Copydesk-Signature"
DIGEST_EVERY = timedelta(days=1)


class AlertConfigError(CopydeskError, ValueError):
    pass


@dataclass(slots=True)
class AlertConfig:
    webhook: str | None = None
    secret: str | None = None  # HMAC key for the webhook signature
    smtp: str | None = None  # HOST[:PORT]
    mail_to: list[str] = field(default_factory=list)
    mail_from: str = "copydesk@localhost"
    jsonl: Path | None = None
    digest: bool = False  # one message a day with everything new, not one per finding
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 1.0

    def check(self) -> AlertConfig:
        if self.webhook and not self.webhook.startswith(("http://", "https://")):
            raise AlertConfigError(f"--alert-webhook: {self.webhook!r} is not an http(s) URL")
        if self.smtp:
            host, _, port = self.smtp.rpartition(":") if ":" in self.smtp else (self.smtp, "", "")
            if not host or (port and not port.isdigit()):
                raise AlertConfigError(f"--alert-smtp: {self.smtp!r} is not HOST[:PORT]")
            if not self.mail_to:
                raise AlertConfigError("--alert-smtp needs --alert-to ADDRESS")
        return self

    @property
    def channels(self) -> list[str]:
        out = []
        if self.webhook:
            out.append("webhook")
        if self.smtp:
            out.append("email")
        if self.jsonl:
            out.append("jsonl")
        return out


@dataclass(slots=True)
class DeliveryResult:
    sent: int = 0  # findings every channel took
    failed: int = 0  # findings left for the next try
    messages: int = 0
    errors: list[str] = field(default_factory=list)
    waiting_for_digest: int = 0


def queue_findings(store: Store, found: list[Finding], now: datetime | None = None) -> int:
    """Queue findings not alerted before; returns how many are new."""
    at = iso((now or datetime.now(UTC)).replace(microsecond=0))
    with store.transaction():
        before = store.db.total_changes
        store.db.executemany(
            "INSERT OR IGNORE INTO alerts (key, data, created_at) VALUES (?, ?, ?)",
            ((f.key, json.dumps(f.to_json(), ensure_ascii=False), at) for f in found),
        )
        return store.db.total_changes - before


def _signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _body(items: list[dict[str, Any]], digest: bool, now: datetime) -> bytes:
    payload = {
        "type": "copydesk.findings",
        "digest": digest,
        "sent_at": iso(now.replace(microsecond=0)),
        "findings": items,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()


def _retrying(
    send: Callable[[], None], config: AlertConfig, sleep: Callable[[float], object]
) -> None:
    for attempt in range(config.retries + 1):
        try:
            send()
            return
        except Exception:
            if attempt == config.retries:
                raise
            sleep(config.backoff * 2**attempt)


def _send_webhook(config: AlertConfig, body: bytes) -> None:
    assert config.webhook
    headers = {"Content-Type": "application/json", "User-Agent": "copydesk-alerts"}
    if config.secret:
        headers[SIGNATURE_HEADER] = _signature(config.secret, body)
    response = httpx.post(config.webhook, content=body, headers=headers, timeout=config.timeout)
    if response.status_code >= 300:
        raise RuntimeError(f"webhook answered HTTP {response.status_code}")


def _mail_text(items: list[dict[str, Any]]) -> tuple[str, str]:
    if len(items) == 1:
        f = items[0]
        who = f["outlet"] or "an outlet"
        subject = f"copydesk: {who} copies {f['source_outlet']} (credit {f['credit']})"
    else:
        subject = f"copydesk: {len(items)} new findings"
    lines = []
    for f in items:
        lines += [
            f"{f['copy_url'] or f['copy']}",
            f"  outlet {f['outlet']}, first seen {f['first_seen']}, {f['relation']}, "
            f"{f['coverage'] * 100:.0f}% of the copy, credit {f['credit']}, "
            f"{'licensed' if f['licensed'] else 'unlicensed'}",
            f"  copies {f['source_url'] or f['source']} ({f['source_outlet']})",
            "",
        ]
    return subject, "\n".join(lines)


def _send_mail(config: AlertConfig, items: list[dict[str, Any]]) -> None:
    assert config.smtp
    host, _, port = config.smtp.partition(":")
    msg = EmailMessage()
    msg["From"] = config.mail_from
    msg["To"] = ", ".join(config.mail_to)
    msg["Subject"], text = _mail_text(items)
    msg.set_content(text)
    msg.add_attachment(
        json.dumps(items, ensure_ascii=False, indent=2).encode(),
        maintype="application", subtype="json", filename="findings.json",
    )  # fmt: skip
    with smtplib.SMTP(host, int(port or 25), timeout=config.timeout) as smtp:
        smtp.send_message(msg)


def _append_jsonl(config: AlertConfig, items: list[dict[str, Any]]) -> None:
    assert config.jsonl
    with config.jsonl.open("a", encoding="utf-8") as handle:
        for f in items:
            handle.write(json.dumps(f, ensure_ascii=False) + "\n")


def deliver(
    store: Store,
    config: AlertConfig,
    *,
    now: datetime | None = None,
    sleep: Callable[[float], object] = time.sleep,
) -> DeliveryResult:
    """Send what is queued and unsent on every channel not yet done for it."""
    now = now or datetime.now(UTC)
    result = DeliveryResult()
    rows = store.db.execute(
        "SELECT key, data, channels FROM alerts WHERE sent_at IS NULL ORDER BY created_at, key"
    ).fetchall()
    if not rows or not config.channels:
        return result
    if config.digest:
        last = parse_iso(get_setting(store, "last_digest"))
        if last is not None and now - last < DIGEST_EVERY:
            result.waiting_for_digest = len(rows)
            return result
        groups = [rows]
    else:
        groups = [[row] for row in rows]
    for group in groups:
        items = [json.loads(data) for _, data, _ in group]
        done_before = set(filter(None, group[0][2].split(",")))
        done = set(done_before)
        senders: dict[str, Callable[[], None]] = {
            "webhook": partial(_send_webhook, config, _body(items, config.digest, now)),
            "email": partial(_send_mail, config, items),
            "jsonl": partial(_append_jsonl, config, items),
        }
        errors = []
        for channel in config.channels:
            if channel in done:
                continue
            try:
                _retrying(senders[channel], config, sleep)
                done.add(channel)
                result.messages += 1
            except Exception as exc:  # every failure is kept and retried on the next run
                errors.append(f"{channel}: {exc}")
        complete = all(c in done for c in config.channels)
        with store.transaction():
            store.db.executemany(
                "UPDATE alerts SET channels = ?, attempts = attempts + 1, error = ?, "
                "sent_at = ? WHERE key = ?",
                (
                    (",".join(sorted(done)), "; ".join(errors) or None,
                     iso(now.replace(microsecond=0)) if complete else None, key)
                    for key, _, _ in group
                ),
            )  # fmt: skip
        if complete:
            result.sent += len(group)
        else:
            result.failed += len(group)
            result.errors += errors
    if config.digest and result.sent:
        set_setting(store, "last_digest", iso(now.replace(microsecond=0)))
    return result


class AlertSender:
    """Sends queued alerts in a background thread, with its own store connection, so
    that ingesting never waits for a slow webhook or mail server."""

    def __init__(self, db_path: str | Path, config: AlertConfig, log: Callable[[str], object]):
        self.db_path = db_path
        self.config = config
        self.log = log
        self._thread: threading.Thread | None = None
        self._again = threading.Event()
        self.last: DeliveryResult | None = None

    def kick(self) -> None:
        """Start sending (if a send is under way, one more round follows it)."""
        if self._thread is not None and self._thread.is_alive():
            self._again.set()
            return
        self._thread = threading.Thread(target=self._run, name="copydesk-alerts", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            self._again.clear()
            try:
                store = Store(self.db_path)
                try:
                    self.last = deliver(store, self.config)
                finally:
                    store.close()
                if self.last.sent or self.last.failed:
                    self.log(
                        f"alerts: {self.last.sent} findings sent"
                        + (f", {self.last.failed} to retry ({'; '.join(self.last.errors[:2])})"
                           if self.last.failed else "")
                    )  # fmt: skip
            except Exception as exc:  # a broken channel never stops the watch
                self.log(f"alerts: not sent ({exc})")
            if not self._again.is_set():
                return

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
