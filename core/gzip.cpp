#include "core/gzip.hpp"

#include <stdexcept>

#include <zlib.h>

namespace numina {

namespace {

// windowBits 15 + 16 selects the gzip wrapper instead of zlib's.
constexpr int gzip_window = 15 + 16;

struct deflater {
  z_stream zs{};
  int level = -1;

  ~deflater() {
    if (level >= 0)
      deflateEnd(&zs);
  }

  z_stream& ready(int wanted) {
    if (level != wanted) {
      if (level >= 0)
        deflateEnd(&zs);
      zs = z_stream{};
      if (deflateInit2(&zs, wanted, Z_DEFLATED, gzip_window, 8,
                       Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2 failed");
      level = wanted;
    } else {
      deflateReset(&zs);
    }
    return zs;
  }
};

} // namespace

std::string gzip(std::string_view in, int level) {
  thread_local deflater d;
  z_stream& zs = d.ready(level);
  std::string out(deflateBound(&zs, static_cast<uLong>(in.size())), '\0');
  zs.next_in =
      reinterpret_cast<Bytef*>(const_cast<char*>(in.data())); // zlib's API
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
    throw std::runtime_error("deflate did not finish");
  out.resize(zs.total_out);
  return out;
}

std::string gunzip(std::string_view in) {
  z_stream zs{};
  if (inflateInit2(&zs, gzip_window) != Z_OK)
    return {};
  std::string out;
  char buf[16384];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  }
  inflateEnd(&zs);
  return rc == Z_STREAM_END ? out : std::string{};
}

} // namespace numina
