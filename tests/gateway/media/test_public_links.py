"""Which addresses a link from a payload may reach: public ones only, and this machine only
where a test says so; the providers' API hosts as the operator configured them."""

import pytest
from yarl import URL

from gateway.media.public_links import LinkRefused, LinkRule

REFUSED = [
    "127.0.0.1",
    "127.8.9.10",
    "::1",
    "10.0.0.7",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # a cloud's metadata service
    "fe80::1%eth0",
    "fc00::5",
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "224.0.0.251",
    "ff02::1",
    "240.0.0.1",
    "255.255.255.255",
    "::ffff:10.0.0.7",  # IPv4 written as IPv6
    "::ffff:127.0.0.1",
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "2002:0a00:0007::",  # 6to4 of 10.0.0.7
    "2001:0:4136:e378:8000:63bf:f5ff:fff8",  # Teredo whose client is 10.0.0.7
    "64:ff9b::a00:7",  # NAT64 of 10.0.0.7
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
]


@pytest.mark.parametrize("address", REFUSED)
def test_private_loopback_link_local_multicast_and_reserved_addresses_are_refused(address):
    assert not LinkRule().reachable(address)


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "157.240.22.35",
        "2a03:2880:f10c:83:face:b00c:0:25de",
        "64:ff9b::9df0:1623",  # NAT64 of 157.240.22.35, as an IPv6-only host reaches it
        "2002:9df0:1623::1",  # 6to4 of 157.240.22.35
    ],
)
def test_public_addresses_are_reached(address):
    assert LinkRule().reachable(address)


def test_only_loopback_opens_for_tests_never_the_private_network():
    rule = LinkRule(loopback=True)
    assert rule.reachable("127.0.0.1") and rule.reachable("::1")
    assert not rule.reachable("10.0.0.7") and not rule.reachable("169.254.169.254")


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://media.example.com/a.jpg", "not https"),
        ("ftp://media.example.com/a.jpg", "not https"),
        ("https://10.1.2.3/a.jpg", "not a public address"),
        ("https://[::1]:8443/a.jpg", "not a public address"),
    ],
)
def test_a_link_is_refused_by_its_scheme_or_its_address_before_any_connection(url, why):
    with pytest.raises(LinkRefused, match=why):
        LinkRule().check(URL(url))


def test_a_name_waits_for_its_addresses_and_the_configured_apis_go_as_configured():
    rule = LinkRule.for_apis("http://10.0.0.9:8080", "https://graph.facebook.com")
    rule.check(URL("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1"))
    rule.check(URL("http://10.0.0.9:8080/v25.0/1479537139650973"))
    with pytest.raises(LinkRefused):
        rule.check(URL("http://10.0.0.9:8081/admin"))  # the same host, another port
