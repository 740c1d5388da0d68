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

// A request waiting for a worker: hash (no stored hash) or verify.
struct job {
  std::string password;
  std::string stored; // verify only
  bool verify = false;
  caf::typed_response_promise<std::string> hashed;
  caf::typed_response_promise<bool> checked;
};

struct dispatcher_state {
  std::vector<password_actor> idle;
  std::deque<job> waiting;
  size_t max_waiting = 0;
  static constexpr const char* name = "password_pool";
};

using dispatcher_pointer = password_actor::stateful_pointer<dispatcher_state>;

void release(dispatcher_pointer self, password_actor worker);

void run(dispatcher_pointer self, password_actor worker, job j) {
  // The hash cost bounds the worker's answer; no timeout towards our own.
  if (j.verify) {
    self->request(worker, caf::infinite, verify_atom::value,
                  std::move(j.password), std::move(j.stored))
        .then(
            [=](bool ok) mutable {
              j.checked.deliver(ok);
              release(self, worker);
            },
            [=](caf::error& err) mutable {
              j.checked.deliver(std::move(err));
              release(self, worker);
            });
    return;
  }
  self->request(worker, caf::infinite, hash_atom::value, std::move(j.password))
      .then(
          [=](std::string& hash) mutable {
            j.hashed.deliver(std::move(hash));
            release(self, worker);
          },
          [=](caf::error& err) mutable {
            j.hashed.deliver(std::move(err));
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

bool full(dispatcher_pointer self) {
  auto& st = self->state;
  return st.idle.empty() && st.waiting.size() >= st.max_waiting;
}

// Runs the job at once or queues it.
void submit(dispatcher_pointer self, job j) {
  auto& st = self->state;
  if (st.idle.empty()) {
    st.waiting.push_back(std::move(j));
    return;
  }
  auto worker = std::move(st.idle.back());
  st.idle.pop_back();
  run(self, std::move(worker), std::move(j));
}

caf::error too_busy() {
  return to_error(
      failure::of(error_code::unavailable, "too many sign-ins at once; retry"));
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
  self->state.max_waiting = cfg.max_waiting;
  return {
      [=](hash_atom, std::string& password) -> caf::result<std::string> {
        if (full(self))
          return too_busy();
        job j;
        j.password = std::move(password);
        j.hashed = self->make_response_promise<std::string>();
        auto rp = j.hashed;
        submit(self, std::move(j));
        return rp;
      },
      [=](verify_atom, std::string& password,
          std::string& stored) -> caf::result<bool> {
        if (full(self))
          return too_busy();
        job j;
        j.password = std::move(password);
        j.stored = std::move(stored);
        j.verify = true;
        j.checked = self->make_response_promise<bool>();
        auto rp = j.checked;
        submit(self, std::move(j));
        return rp;
      },
  };
}

} // namespace

password_actor spawn_password_pool(caf::actor_system& sys,
                                   password_pool_config cfg) {
  return sys.spawn(dispatcher, cfg);
}

} // namespace numina::actors
