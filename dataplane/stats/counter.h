#pragma once
// Counter: a statistic written by exactly one thread (its worker) and read by
// any other (agent, telemetry). The increment is a relaxed load and store,
// not an atomic read-modify-write: no locked instruction on the hot path, and
// still no data race for the readers.

#include <atomic>
#include <cstdint>

namespace rampart::dp {

class Counter {
 public:
  void add(uint64_t n = 1) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  uint64_t get() const { return v_.load(std::memory_order_relaxed); }
  void set(uint64_t n) { v_.store(n, std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

}  // namespace rampart::dp
