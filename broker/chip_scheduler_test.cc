// Arrival order, holds and their expiry, shutdown.
#include "broker/chip_scheduler.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>
#include <vector>

using namespace maxq::broker;
using namespace std::chrono_literals;

namespace {

// Waits until `n` commands are queued behind the chip.
void wait_waiting(const ChipScheduler& s, size_t n) {
  for (int i = 0; i < 2000 && s.waiting() < n; ++i) std::this_thread::sleep_for(1ms);
  REQUIRE(s.waiting() == n);
}

}  // namespace

TEST_CASE("commands are served in arrival order") {
  ChipScheduler s;
  std::vector<ClientId> order;
  std::mutex m;
  auto first = s.acquire(1);
  REQUIRE(first);
  std::vector<std::thread> threads;
  for (ClientId c = 2; c <= 6; ++c) {
    threads.emplace_back([&, c] {
      auto turn = s.acquire(c);
      std::lock_guard<std::mutex> lock(m);
      order.push_back(c);
    });
    wait_waiting(s, c - 1);  // queued one after the other
  }
  first.reset();
  for (auto& t : threads) t.join();
  CHECK(order == std::vector<ClientId>{2, 3, 4, 5, 6});
}

TEST_CASE("a hold lets only its client run; the others keep their order") {
  ChipScheduler s;
  {
    auto t = s.acquire(1);
    s.set_hold(1, HoldKind::Admin, ChipScheduler::Clock::now() + 10s);
  }
  std::atomic<bool> other_ran{false};
  std::thread other([&] {
    auto t = s.acquire(2);
    other_ran = true;
    CHECK(t->expired_client() == 0);  // ended by its owner, not expired
  });
  wait_waiting(s, 1);
  for (int i = 0; i < 3; ++i) {
    auto t = s.acquire(1);  // the holder runs although 2 waits
    REQUIRE(t);
    CHECK_FALSE(other_ran);
  }
  CHECK(s.hold_of(1) == HoldKind::Admin);
  CHECK(s.hold_of(2) == HoldKind::None);
  {
    auto t = s.acquire(1);
    s.set_hold(1, HoldKind::None, {});
  }
  other.join();
  CHECK(other_ran);
}

TEST_CASE("an expired hold is handed to the next waiter to end") {
  ChipScheduler s;
  {
    auto t = s.acquire(7);
    s.set_hold(7, HoldKind::Challenge, ChipScheduler::Clock::now() + 50ms);
  }
  auto start = ChipScheduler::Clock::now();
  auto t = s.acquire(8);
  REQUIRE(t);
  CHECK(ChipScheduler::Clock::now() - start >= 40ms);
  CHECK(t->expired_client() == 7);
  CHECK(t->expired_kind() == HoldKind::Challenge);
  CHECK(s.hold_owner() == 0);
}

TEST_CASE("an expired hold without waiters stays with its client") {
  ChipScheduler s;
  {
    auto t = s.acquire(1);
    s.set_hold(1, HoldKind::Admin, ChipScheduler::Clock::now() - 1s);
  }
  auto t = s.acquire(1);
  REQUIRE(t);
  CHECK(t->expired_client() == 0);
  CHECK(s.hold_of(1) == HoldKind::Admin);
}

TEST_CASE("stop answers waiters; cleanups still get their turn") {
  ChipScheduler s;
  auto busy = s.acquire(1);
  std::atomic<int> refused{0};
  std::thread waiter([&] {
    if (!s.acquire(2)) ++refused;
  });
  wait_waiting(s, 1);
  s.stop();
  waiter.join();
  CHECK(refused == 1);
  busy.reset();
  CHECK_FALSE(s.acquire(3));
  CHECK(s.acquire(4, /*cleanup=*/true));
}
