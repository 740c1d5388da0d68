#include "http/client_ip.hpp"

#include "core/text.hpp"
#include "http/message.hpp"

#include <array>
#include <charconv>
#include <optional>

// Only the address parser of Asio; the rest of Asio and Beast stay in
// server.cpp and session.cpp.
#include <boost/asio/ip/address.hpp>

namespace numina::http {

namespace {

namespace ip = boost::asio::ip;

// IPv4-mapped IPv6 (::ffff:1.2.3.4, what a dual-stack socket reports) is
// the IPv4 address, so both spellings give one key.
ip::address canonical(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    auto b = a.to_v6().to_bytes();
    return ip::address_v4{
        ip::address_v4::bytes_type{b[12], b[13], b[14], b[15]}};
  }
  return a;
}

// An address as proxies write it: "1.2.3.4", "1.2.3.4:5678", "::1",
// "[::1]" or "[::1]:5678".
std::optional<ip::address> parse_address(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos)
      return std::nullopt;
    text = text.substr(1, close - 1);
  } else if (auto colon = text.find(':');
             colon != std::string_view::npos &&
             text.find(':', colon + 1) == std::string_view::npos) {
    text = text.substr(0, colon); // IPv4 with a port
  }
  boost::system::error_code ec;
  auto a = ip::make_address(std::string{text}, ec);
  if (ec)
    return std::nullopt;
  return canonical(a);
}

// The address as 16 bytes (IPv4 in the IPv4-mapped form), so that one
// prefix comparison serves both families.
std::array<unsigned char, 16> bytes_of(const ip::address& a) {
  std::array<unsigned char, 16> out{};
  if (a.is_v6()) {
    auto b = a.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), out.begin());
  } else {
    auto b = a.to_v4().to_bytes();
    out[10] = out[11] = 0xff;
    std::copy(b.begin(), b.end(), out.begin() + 12);
  }
  return out;
}

// Whether `a` is the address or inside the CIDR range `entry`.
bool matches(const ip::address& a, std::string_view entry) {
  entry = trim(entry);
  auto slash = entry.find('/');
  auto base = parse_address(entry.substr(0, slash));
  if (!base || base->is_v4() != a.is_v4())
    return false;
  int bits = a.is_v4() ? 32 : 128;
  if (slash != std::string_view::npos) {
    auto len = entry.substr(slash + 1);
    int n = -1;
    auto r = std::from_chars(len.data(), len.data() + len.size(), n);
    if (r.ec != std::errc{} || r.ptr != len.data() + len.size() || n < 0 ||
        n > bits)
      return false;
    bits = n;
  }
  if (a.is_v4())
    bits += 96; // past the mapped prefix
  auto x = bytes_of(a);
  auto y = bytes_of(*base);
  for (int i = 0; i < bits; ++i) {
    int mask = 0x80 >> (i % 8);
    if ((x[i / 8] & mask) != (y[i / 8] & mask))
      return false;
  }
  return true;
}

bool trusted(const ip::address& a, const std::vector<std::string>& list) {
  for (auto& entry : list)
    if (matches(a, entry))
      return true;
  return false;
}

} // namespace

std::string client_ip(std::string_view peer, std::string_view forwarded_for,
                      const std::vector<std::string>& trusted_proxies) {
  auto hop = parse_address(peer);
  if (!hop)
    return std::string{peer};
  if (trim(forwarded_for).empty() || !trusted(*hop, trusted_proxies))
    return hop->to_string();
  // Right to left: each trusted hop vouches for the entry before it.
  auto rest = forwarded_for;
  while (!rest.empty()) {
    auto comma = rest.rfind(',');
    auto entry =
        comma == std::string_view::npos ? rest : rest.substr(comma + 1);
    rest = comma == std::string_view::npos ? std::string_view{}
                                           : rest.substr(0, comma);
    if (trim(entry).empty())
      continue;
    auto next = parse_address(entry);
    if (!next)
      break;
    hop = next;
    if (!trusted(*hop, trusted_proxies))
      break;
  }
  return hop->to_string();
}

std::string client_ip_of(const request& req,
                         const std::vector<std::string>& trusted_proxies) {
  // Several X-Forwarded-For fields are one list, in order (RFC 9110 5.3).
  std::string forwarded;
  for (auto& [name, value] : req.headers)
    if (name == "x-forwarded-for")
      forwarded += (forwarded.empty() ? "" : ",") + value;
  return client_ip(req.peer_ip, forwarded, trusted_proxies);
}

bool valid_proxy_entry(std::string_view entry) {
  auto base = parse_address(trim(entry).substr(0, trim(entry).find('/')));
  // An entry is valid when it matches its own base address.
  return base && matches(*base, entry);
}

} // namespace numina::http
