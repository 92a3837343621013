"""What a webhook subscription may be: the topics one can subscribe to, and the addresses
motcua will POST to (docs/notifications.md, "Webhooks for integrators").

Topics are the outbox topics declared here (`WEBHOOK_TOPICS`), subscribed exactly, by
`prefix.*` or `*`; anything else is refused with `webhook_topic_unknown`, so a typo never
silently subscribes to nothing.

Addresses. An integrator's endpoint must be public https: `webhook_url_check` refuses plain
http (`webhook_url_not_https`), a host that does not resolve (`webhook_url_unresolvable`) and
one that resolves to a loopback, private, link-local, shared or reserved address
(`webhook_url_private`: motcua must not become a way into its own network). The check is
repeated on the socket actually connected at every send (`address_is_public`, used by
`webhooks._post`), so a name re-pointed at an internal address after the check is refused
too. `MOTCUA_WEBHOOK_LOCAL_URLS` (on in development and the tests, off in production) lifts
both rules for a receiver on this machine.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationError

#: The topics an integrator may subscribe to, with what they mean. Each is an outbox topic
#: the dossiers app writes (payload: code, status, action, version and the event's facts,
#: never personal data); `notifications.webhooks` subscribes to all of them.
WEBHOOK_TOPICS: dict[str, Promise] = {
    "dossier.receive": _("Hồ sơ nộp trực tuyến được tiếp nhận"),
    "dossier.receive_at_counter": _("Hồ sơ được tiếp nhận tại quầy"),
    "dossier.request_supplement": _("Yêu cầu bổ sung hồ sơ"),
    "dossier.request_payment": _("Yêu cầu nộp phí, lệ phí"),
    "dossier.confirm_payment": _("Xác nhận đã nộp phí, lệ phí"),
    "dossier.payment_settled": _("Đã nộp đủ phí, lệ phí; hồ sơ được xử lý tiếp"),
    "dossier.issue_receipt": _("Đã lập biên lai điện tử cho một khoản đã nộp"),
    "dossier.cancel_receipt": _("Biên lai điện tử bị hủy"),
    "dossier.replace_receipt": _("Biên lai điện tử thay thế biên lai đã hủy"),
    "dossier.apologize": _("Xin lỗi và hẹn lại ngày trả kết quả"),
    "dossier.issue_result": _("Đã có kết quả"),
    "dossier.return_result": _("Đã trả kết quả"),
    "dossier.refuse": _("Từ chối tiếp nhận"),
    "dossier.withdraw": _("Rút hồ sơ"),
}
#: Sent on demand to one endpoint (the test button, `POST /webhooks/{id}/test`), through
#: the outbox (payload: the logged delivery); not subscribable.
TEST_TOPIC = "webhook.test"
#: The outbox topic of a redelivery asked for by the endpoint's owner (internal).
REDELIVER_TOPIC = "webhook.redeliver"

MAX_URL_LENGTH = 500


def topic_matches(pattern: str, topic: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return topic.startswith(pattern[:-1])
    return pattern == topic


def topics_clean(topics: Iterable[str]) -> list[str]:
    """The patterns, stripped, deduplicated, in the order given; refused
    (`webhook_topics_required`, `webhook_topic_unknown` naming each) unless each is a declared
    topic, `prefix.*` covering at least one, or `*`."""
    cleaned: list[str] = []
    errors = []
    for index, raw in enumerate(topics):
        pattern = raw.strip()
        if pattern in cleaned:
            continue
        if (
            pattern == "*"
            or pattern in WEBHOOK_TOPICS
            or (
                pattern.endswith(".*")
                and "*" not in pattern[:-2]
                and any(topic_matches(pattern, topic) for topic in WEBHOOK_TOPICS)
            )
        ):
            cleaned.append(pattern)
            continue
        errors.append(
            {
                "field": f"topics.{index}",
                "code": "webhook_topic_unknown",
                "message": str(_("Không có chủ đề %(topic)s.") % {"topic": pattern[:100]}),
            }
        )
    if errors:
        raise ValidationError(
            _("Chủ đề không được hỗ trợ: xem GET /api/v1/webhooks/topics."),
            code="webhook_topic_unknown",
            errors=errors,
        )
    if not cleaned:
        raise ValidationError(
            _("Cần đăng ký ít nhất một chủ đề."),
            code="webhook_topics_required",
            errors=[{"field": "topics", "code": "webhook_topics_required"}],
        )
    if len(",".join(cleaned)) > 500:
        raise ValidationError(
            _("Danh sách chủ đề quá dài."),
            code="webhook_topics_too_long",
            errors=[{"field": "topics", "code": "webhook_topics_too_long"}],
        )
    return cleaned


def local_urls_allowed() -> bool:
    return bool(settings.MOTCUA_WEBHOOK_LOCAL_URLS)


def address_is_public(address: str) -> bool:
    """Whether `address` (an IP literal) is on the public Internet: not loopback, private,
    link-local (cloud metadata), shared (100.64/10), multicast or reserved; an IPv4-mapped
    IPv6 address is judged by its IPv4 part."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(ip.is_global) and not ip.is_multicast


def _refuse(code: str, message: str | Promise) -> ValidationError:
    return ValidationError(
        message, code=code, errors=[{"field": "url", "code": code, "message": str(message)}]
    )


def webhook_url_check(url: str) -> str:
    """The URL stripped, or a ValidationError with the reason's code (module docstring)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if (
        parts is None
        or parts.scheme not in {"https", "http"}
        or not parts.hostname
        or len(url) > MAX_URL_LENGTH
        or any(c.isspace() for c in url)
    ):
        raise _refuse("webhook_url_invalid", _("Địa chỉ nhận phải là một URL https đầy đủ."))
    if parts.username is not None or parts.password is not None:
        raise _refuse(
            "webhook_url_invalid",
            _("Địa chỉ nhận không được chứa tên đăng nhập hay mật khẩu."),
        )
    if local_urls_allowed():
        return url
    if parts.scheme != "https":
        raise _refuse("webhook_url_not_https", _("Địa chỉ nhận phải dùng https."))
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise _refuse(
            "webhook_url_unresolvable", _("Không phân giải được tên máy chủ của địa chỉ nhận.")
        ) from None
    if not infos or not all(address_is_public(str(info[4][0])) for info in infos):
        raise _refuse(
            "webhook_url_private",
            _("Địa chỉ nhận trỏ vào mạng nội bộ hoặc chính máy chủ: không được phép."),
        )
    return url
