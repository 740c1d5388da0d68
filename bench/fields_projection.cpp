// `fields=` on cached answers: what a hit costs when the selection is part
// of the cache key (today: http/cache_keys.hpp, one entry per variant)
// against keeping only the full object and applying the selection to the
// cached JSON on every hit (parse with simdjson, re-emit the chosen fields
// with core/json_writer, then the ETag and, for large bodies, the gzip that
// the hit can no longer take from the entry, since its bytes differ).
//
//   fields_projection [--iterations N] [--entries E]
//   fields_projection --case C:M --iterations N   (one case and mode, for
//                                                   callgrind)
//   --eviction lru|tinylfu: the store's policy (lru)
//
// Bodies are rendered by the handlers' own renderers (http/resources.hpp)
// from rows shaped like the demo data; the store holds E other entries so
// that the lookup walks a realistically deep index.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <simdjson.h>

#include "actors/cache_store.hpp"
#include "core/digest.hpp"
#include "core/gzip.hpp"
#include "core/json_writer.hpp"
#include "http/cache_keys.hpp"
#include "http/handler_support.hpp"
#include "http/resources.hpp"

using namespace numina;
using namespace numina::actors;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

storage::class_row class_row_of(int64_t id) {
  storage::class_row c;
  c.id = id;
  c.provider_id = 1000 + id % 97;
  c.title = "Morning vinyasa flow, level " + std::to_string(id % 3 + 1);
  c.description = "A steady, breath-led vinyasa class for people who already "
                  "know sun salutations. We build heat slowly, hold the "
                  "standing poses longer than usual and finish with a long "
                  "supported relaxation. Bring water; mats are provided.";
  c.location = "Studio 2, Rosenthaler Str. 40, Berlin";
  c.starts_at = 1'800'000'000 + id * 3600;
  c.duration_min = 60;
  c.capacity = 12;
  c.booked = id % 12;
  c.rating_average = 4.33333333333333;
  c.rating_count = 9;
  c.created_at = 1'790'000'000;
  c.updated_at = 1'790'050'000 + id;
  return c;
}

http::request request_with(const std::string& fields) {
  http::request req;
  req.method = "GET";
  req.query = fields.empty() ? "" : "fields=" + fields;
  return req;
}

http::field_selection selection(const std::string& fields) {
  return http::field_selection::parse(request_with(fields), http::class_fields)
      .value();
}

std::string render_object(int64_t id, const http::field_selection& sel) {
  json_writer w;
  http::render_class(w, class_row_of(id), sel);
  return std::move(w).str();
}

std::string render_list(const http::field_selection& sel) {
  storage::page<storage::class_row> p;
  for (int64_t id = 1; id <= 10; ++id)
    p.items.push_back(class_row_of(id));
  p.next = storage::page_key{1'800'036'000, 10};
  return http::render_page(
      p, [&](json_writer& w, auto& c) { http::render_class(w, c, sel); });
}

// A value's JSON text as it stands in the cached body (the bodies are
// compact: no whitespace to trim).
std::string_view raw_of(simdjson::ondemand::value v) {
  switch (v.type().value()) {
  case simdjson::ondemand::json_type::object:
    return v.get_object().value().raw_json().value();
  case simdjson::ondemand::json_type::array:
    return v.get_array().value().raw_json().value();
  default:
    return v.raw_json_token();
  }
}

// The projection a hit on the full object would run: re-emit the chosen
// top-level fields of one object, values copied as raw JSON.
void project_object(simdjson::ondemand::object obj,
                    const http::field_selection& sel, json_writer& w) {
  w.begin_object();
  for (auto field : obj) {
    std::string_view name = field.unescaped_key().value();
    if (sel.wants(name))
      w.key(name).raw(raw_of(field.value().value()));
    // An unwanted field is skipped when the loop moves on.
  }
  w.end_object();
}

struct projector {
  simdjson::ondemand::parser parser;
  std::string padded; // reused: the cached body plus simdjson's padding

  std::string project(const std::string& body, bool list,
                      const http::field_selection& sel) {
    padded.assign(body);
    padded.append(simdjson::SIMDJSON_PADDING, ' ');
    auto doc = parser.iterate(padded.data(), body.size(), padded.size());
    json_writer w;
    if (!list) {
      project_object(doc.get_object().value(), sel, w);
      return std::move(w).str();
    }
    w.begin_object();
    for (auto field : doc.get_object()) {
      std::string_view name = field.unescaped_key().value();
      if (name == "items") {
        w.key("items").begin_array();
        for (auto item : field.value().get_array())
          project_object(item.get_object().value(), sel, w);
        w.end_array();
      } else {
        w.key(name).raw(raw_of(field.value().value()));
      }
    }
    w.end_object();
    return std::move(w).str();
  }
};

struct bench_case {
  const char* name = "";
  bool list = false;
  std::string fields;
  // Filled by setup:
  std::string full_key, variant_key;
  size_t full_bytes = 0, variant_bytes = 0;
  size_t full_cost = 0, variant_cost = 0; // bytes the store counts
  http::field_selection sel;
};

struct world {
  explicit world(cache_eviction policy) : store(size_t{1} << 34, policy) {}
  cache_store store;
  projector proj;
  clock_type::time_point now{};
  std::vector<bench_case> cases;
  uint64_t sink = 0;
};

size_t put_and_measure(world& w, const std::string& key, std::string body) {
  w.store.erase(key); // the cases share the full objects
  const size_t before = w.store.bytes();
  auto e = make_entry(actors::rendered{200, std::move(body), 0});
  if (e->body->size() > gzip_threshold)
    e = with_gzip(*e); // what the shard keeps once a client asked for gzip
  w.store.put(key, e, w.now + 1h, w.now + 2h);
  return w.store.bytes() - before;
}

void setup(world& w, size_t entries) {
  auto add = [&](const char* name, bool list, std::string fields) {
    bench_case c;
    c.name = name;
    c.list = list;
    c.fields = std::move(fields);
    w.cases.push_back(std::move(c));
  };
  add("class, fields=id,title", false, "id,title");
  add("class, 12 of 13 fields (no description)", false,
      "id,provider_id,title,location,starts_at,duration_min,capacity,booked,"
      "spots_left,rating,created_at,updated_at");
  add("list of 10, fields=id,title,starts_at", true, "id,title,starts_at");
  add("list of 10, 6 fields", true,
      "id,title,starts_at,duration_min,spots_left,rating");
  for (size_t i = 0; i < entries; ++i) // other keys, for a realistic depth
    w.store.put(http::cache_keys::cls(100'000 + i, ""),
                make_entry(actors::rendered{200, "{}", 0}), w.now + 1h,
                w.now + 2h);
  for (auto& c : w.cases) {
    c.sel = selection(c.fields);
    const auto req = request_with(c.fields);
    if (c.list) {
      c.full_key = http::cache_keys::class_list("limit=10");
      c.variant_key = http::cache_keys::class_list(req.query + "&limit=10");
    } else {
      c.full_key = http::cache_keys::cls(7, "");
      c.variant_key = http::cache_keys::cls(7, http::fields_variant(req));
    }
    auto full = c.list ? render_list({}) : render_object(7, {});
    auto variant = c.list ? render_list(c.sel) : render_object(7, c.sel);
    c.full_bytes = full.size();
    c.variant_bytes = variant.size();
    // The projection must give the bytes the renderer gives.
    if (w.proj.project(full, c.list, c.sel) != variant) {
      std::fprintf(stderr, "projection differs for %s\n", c.name);
      std::exit(1);
    }
    c.full_cost = put_and_measure(w, c.full_key, std::move(full));
    c.variant_cost = put_and_measure(w, c.variant_key, std::move(variant));
  }
}

// (a) The selection is part of the key: a hit hands out the entry as it is.
__attribute__((noinline)) void keyed_hit(world& w, const bench_case& c,
                                         bool gzip) {
  auto f = w.store.find(c.variant_key, w.now);
  const auto& e = *f->entry;
  w.sink += gzip && e.gzip ? e.gzip->size() + e.gzip_etag.size()
                           : e.body->size() + e.etag.size();
}

// (b) Only the full object is kept: a hit projects, then computes what the
// entry can no longer provide.
__attribute__((noinline)) void projected_hit(world& w, const bench_case& c,
                                             bool gzip) {
  auto f = w.store.find(c.full_key, w.now);
  auto body = w.proj.project(*f->entry->body, c.list, c.sel);
  auto etag = "\"" + blake2b_hex(body, 16) + "\"";
  if (gzip && body.size() > gzip_threshold) {
    auto z = numina::gzip(body);
    w.sink += z.size() + etag.size();
    return;
  }
  w.sink += body.size() + etag.size();
}

enum class mode { keyed, projected, keyed_gzip, projected_gzip };

void run(world& w, const bench_case& c, mode m, int iterations) {
  const bool gzip = m == mode::keyed_gzip || m == mode::projected_gzip;
  const bool keyed = m == mode::keyed || m == mode::keyed_gzip;
  for (int i = 0; i < iterations; ++i)
    keyed ? keyed_hit(w, c, gzip) : projected_hit(w, c, gzip);
}

} // namespace

// The measured loop, by a name callgrind can toggle on
// (--toggle-collect=measured_loop).
extern "C" __attribute__((noinline)) void measured_loop(void* w, const void* c,
                                                        int m, int iterations) {
  run(*static_cast<world*>(w), *static_cast<const bench_case*>(c),
      static_cast<mode>(m), iterations);
}

namespace {

double ns_per_hit(world& w, const bench_case& c, mode m, int iterations) {
  measured_loop(&w, &c, static_cast<int>(m), iterations / 10); // warm up
  double best = 1e18;
  for (int round = 0; round < 5; ++round) { // the least disturbed round
    auto start = clock_type::now();
    measured_loop(&w, &c, static_cast<int>(m), iterations);
    best = std::min(best, std::chrono::duration<double, std::nano>(
                              clock_type::now() - start)
                                  .count() /
                              iterations);
  }
  return best;
}

} // namespace

int main(int argc, char** argv) {
  int iterations = 200'000;
  size_t entries = 20'000;
  std::string only;
  auto policy = cache_eviction::lru;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--iterations")
      iterations = std::atoi(argv[i + 1]);
    else if (flag == "--entries")
      entries = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--eviction")
      policy = std::string{argv[i + 1]} == "tinylfu" ? cache_eviction::tinylfu
                                                     : cache_eviction::lru;
    else if (flag == "--case")
      only = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  world w{policy};
  setup(w, entries);
  if (!only.empty()) {
    // One case and mode ("<case index>:<mode index>") for callgrind.
    const auto colon = only.find(':');
    const auto& c = w.cases.at(std::stoul(only.substr(0, colon)));
    measured_loop(&w, &c, std::stoi(only.substr(colon + 1)), iterations);
    std::printf("%s %llu\n", c.name, (unsigned long long)w.sink);
    return 0;
  }
  std::printf("| case | full body B | selected body B | keyed hit ns | "
              "projected hit ns | keyed, gzip ns | projected, gzip ns | "
              "store bytes: full entry | store bytes: one more variant |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  for (auto& c : w.cases) {
    std::printf("| %s | %zu | %zu | %.0f | %.0f | %.0f | %.0f | %zu | %zu |\n",
                c.name, c.full_bytes, c.variant_bytes,
                ns_per_hit(w, c, mode::keyed, iterations),
                ns_per_hit(w, c, mode::projected, iterations / 10),
                ns_per_hit(w, c, mode::keyed_gzip, iterations),
                ns_per_hit(w, c, mode::projected_gzip, iterations / 10),
                c.full_cost, c.variant_cost);
    std::fflush(stdout);
  }
}
