// Who the client is, for keys that a client must not choose (rate limits).
// Pure: no sockets, unit-tested alone.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace numina::http {

/// The client's address: the socket `peer`, or, when the peer is one of
/// `trusted_proxies`, the right-most address of X-Forwarded-For that is not
/// a trusted proxy (all of them trusted: the left-most). From any other
/// peer the header is ignored, so a client cannot pick its own key. A
/// malformed entry ends the walk: the hop that sent it is the answer.
///
/// `forwarded_for`: every X-Forwarded-For value of the request, in order,
/// joined with commas. `trusted_proxies`: addresses or CIDR ranges
/// ("10.0.0.0/8", "fd00::/8"); entries that do not parse match nothing.
/// Addresses come back canonical, IPv4-mapped IPv6 as plain IPv4.
std::string client_ip(std::string_view peer, std::string_view forwarded_for,
                      const std::vector<std::string>& trusted_proxies);

/// client_ip() of a request: its peer and every X-Forwarded-For field.
std::string client_ip_of(const struct request& req,
                         const std::vector<std::string>& trusted_proxies);

/// Whether `entry` is an address or a CIDR range client_ip() understands
/// (checked at start-up for http.trusted_proxies).
bool valid_proxy_entry(std::string_view entry);

} // namespace numina::http
