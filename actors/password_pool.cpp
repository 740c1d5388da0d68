#include "actors/password_pool.hpp"

#include <deque>
#include <vector>

#include <sodium.h>

#include "actors/error_convert.hpp"
#include "caf/all.hpp"

namespace numina::actors {

namespace {

password_actor::behavior_type password_worker(password_actor::pointer,
                                              password_pool_config cfg) {
  return {
      [=](hash_atom, const std::string& password) -> caf::result<std::string> {
        char out[crypto_pwhash_STRBYTES];
        if (crypto_pwhash_str(out, password.data(), password.size(),
                              cfg.opslimit, cfg.memlimit) != 0)
          return to_error(failure::of(error_code::unavailable,
                                      "out of memory while hashing"));
        return std::string{out};
      },
      [=](verify_atom, const std::string& password,
          const std::string& stored) -> bool {
        return crypto_pwhash_str_verify(stored.c_str(), password.data(),
                                        password.size()) == 0;
      },
  };
}

// A request waiting for a worker: forwarded as-is once one is free.
struct job {
  caf::message msg;
  caf::response_promise rp;
};

struct dispatcher_state {
  std::vector<password_actor> idle;
  std::deque<job> waiting;
  static constexpr const char* name = "password_pool";
};

using dispatcher_pointer = password_actor::stateful_pointer<dispatcher_state>;

void release(dispatcher_pointer self, password_actor worker);

void run(dispatcher_pointer self, password_actor worker, job j) {
  // The hash cost bounds the worker's answer; no timeout towards our own.
  self->request(caf::actor_cast<caf::actor>(worker), caf::infinite,
                std::move(j.msg))
      .then(
          [=](caf::message& reply) mutable {
            j.rp.deliver(std::move(reply));
            release(self, worker);
          },
          [=](caf::error& err) mutable {
            j.rp.deliver(std::move(err));
            release(self, worker);
          });
}

void release(dispatcher_pointer self, password_actor worker) {
  auto& st = self->state;
  if (st.waiting.empty()) {
    st.idle.push_back(std::move(worker));
    return;
  }
  auto next = std::move(st.waiting.front());
  st.waiting.pop_front();
  run(self, std::move(worker), std::move(next));
}

template <class Result>
caf::result<Result> submit(dispatcher_pointer self, size_t max_waiting,
                           caf::message msg) {
  auto& st = self->state;
  if (st.idle.empty() && st.waiting.size() >= max_waiting)
    return to_error(failure::of(error_code::unavailable,
                                "too many sign-ins at once; retry"));
  auto rp = self->make_response_promise();
  if (!st.idle.empty()) {
    auto worker = std::move(st.idle.back());
    st.idle.pop_back();
    run(self, std::move(worker), job{std::move(msg), rp});
  } else {
    st.waiting.push_back(job{std::move(msg), rp});
  }
  return caf::delegated<Result>{};
}

password_actor::behavior_type dispatcher(dispatcher_pointer self,
                                         password_pool_config cfg) {
  for (unsigned i = 0; i < std::max(cfg.concurrency, 1u); ++i) {
    auto worker =
        cfg.detached
            ? self->spawn<caf::detached + caf::linked>(password_worker, cfg)
            : self->spawn<caf::linked>(password_worker, cfg);
    self->state.idle.push_back(worker);
  }
  return {
      [=](hash_atom, std::string& password) -> caf::result<std::string> {
        return submit<std::string>(
            self, cfg.max_waiting,
            caf::make_message(hash_atom::value, std::move(password)));
      },
      [=](verify_atom, std::string& password,
          std::string& stored) -> caf::result<bool> {
        return submit<bool>(self, cfg.max_waiting,
                            caf::make_message(verify_atom::value,
                                              std::move(password),
                                              std::move(stored)));
      },
  };
}

} // namespace

password_actor spawn_password_pool(caf::actor_system& sys,
                                   password_pool_config cfg) {
  return sys.spawn(dispatcher, cfg);
}

} // namespace numina::actors
